import type { SourceAudio, TrackTags } from '@stream-server/profiles';
import { AUDIO_DEMUXERS, allowedDemuxer } from './demuxers';

/** What we keep of an ffprobe run over an upload. */
export interface ProbeResult {
  /** The demuxer to force when transcoding (`-f`). */
  readonly demuxer: string;
  readonly audio: SourceAudio;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Why a probed file cannot be accepted; the API turns these into 400s,
 * but `timeout` (ffprobe hung: no verdict on the file) into a 503.
 */
export type ProbeRejection =
  | { readonly reason: 'unreadable'; readonly detail: string }
  | { readonly reason: 'timeout'; readonly detail: string }
  | { readonly reason: 'not-allowed-format'; readonly detail: string }
  | { readonly reason: 'no-audio'; readonly detail: string }
  | { readonly reason: 'no-duration'; readonly detail: string };

export type ProbeOutcome =
  { readonly ok: true; readonly result: ProbeResult } | { readonly ok: false; readonly rejection: ProbeRejection };

/**
 * ffprobe arguments for an untrusted upload: local files only, audio
 * demuxers only, JSON out. Pure, so it is unit-tested without ffprobe.
 */
export function buildProbeArgs(input: string): string[] {
  return [
    '-hide_banner',
    '-v',
    'error',
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    AUDIO_DEMUXERS.join(','),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    // `file:` keeps a name beginning with a protocol-like prefix a path.
    `file:${input}`,
  ];
}

/** Parses ffprobe's JSON; never throws on odd or hostile output. */
export function parseProbeOutput(stdout: string, exitCode: number | null, stderr: string): ProbeOutcome {
  if (exitCode !== 0) {
    return reject('unreadable', firstLine(stderr) || 'ffprobe could not read the file');
  }
  let data: unknown;
  try {
    data = JSON.parse(stdout);
  } catch {
    return reject('unreadable', 'ffprobe printed no JSON');
  }
  const format = field(data, 'format');
  const formatName = str(field(format, 'format_name'));
  if (!formatName) return reject('unreadable', 'no container format recognised');
  const demuxer = allowedDemuxer(formatName);
  if (!demuxer) return reject('not-allowed-format', `"${formatName}" is not an audio container we accept`);

  const streams = field(data, 'streams');
  const list: unknown[] = Array.isArray(streams) ? streams : [];
  const stream = list.find((s) => str(field(s, 'codec_type')) === 'audio');
  if (stream === undefined) return reject('no-audio', 'the file has no audio stream');

  const sampleRate = num(field(stream, 'sample_rate'));
  const channels = num(field(stream, 'channels'));
  if (!sampleRate || sampleRate <= 0 || !channels || channels <= 0) {
    return reject('no-audio', 'the audio stream has no sample rate or channel count');
  }
  // Some containers give 0 or nothing per stream but a real total.
  const duration = positive(num(field(stream, 'duration'))) ?? positive(num(field(format, 'duration')));
  if (duration === null) return reject('no-duration', 'the audio has no measurable duration');

  const rawBits = num(field(stream, 'bits_per_raw_sample')) || num(field(stream, 'bits_per_sample'));
  const bitrate = positive(num(field(stream, 'bit_rate'))) ?? positive(num(field(format, 'bit_rate')));
  return {
    ok: true,
    result: {
      demuxer,
      audio: {
        codec: str(field(stream, 'codec_name')) ?? 'unknown',
        sampleRate,
        channels,
        bitsPerSample: rawBits && rawBits > 0 ? rawBits : null,
        durationSeconds: duration,
        bitrate,
      },
      tags: { ...stringTags(field(format, 'tags')), ...stringTags(field(stream, 'tags')) },
    },
  };
}

export type { TrackTags };

const TRACK_TAG_KEYS = ['title', 'artist', 'album', 'track'] as const;
const TRACK_TAG_MAX = 200;

/**
 * The descriptive tags a job body shows, from a probe's (lower-cased) tags:
 * control characters removed, whitespace trimmed, at most 200 characters,
 * empty ones dropped. Tags come from the uploader's file: they are
 * untrusted text that ends up in JSON and logs. Pure.
 */
export function pickTags(tags: Readonly<Record<string, string>>): TrackTags {
  const picked: { -readonly [K in keyof TrackTags]: string } = {};
  for (const key of TRACK_TAG_KEYS) {
    const raw = Object.hasOwn(tags, key) ? tags[key] : undefined;
    if (raw === undefined) continue;
    // Cut by code points so a character is never split in half.
    const clean = Array.from(raw.replace(/\p{Cc}/gu, '').trim())
      .slice(0, TRACK_TAG_MAX)
      .join('')
      .trim();
    if (clean !== '') picked[key] = clean;
  }
  return picked;
}

function reject(reason: ProbeRejection['reason'], detail: string): ProbeOutcome {
  return { ok: false, rejection: { reason, detail } };
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (Reflect.get(value, key) as unknown) : undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** ffprobe prints most numbers as strings ("44100", "8.000000"). */
function num(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

function positive(value: number | null): number | null {
  return value !== null && value > 0 ? value : null;
}

function stringTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return tags;
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag === 'string') tags[key.toLowerCase()] = tag.slice(0, 500);
  }
  return tags;
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 300);
}
