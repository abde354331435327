import { InvalidInputError } from '@stream-server/errors';
import { CODECS, PRIORITIES, QUALITY_PROFILES, type Codec, type Priority, type QualityProfile } from './codecs';

/** The submit form's fields once validated (the seed's names, typed). */
export interface TranscodeOptions {
  readonly codec?: Codec | undefined;
  readonly bitrate?: number | undefined;
  readonly profile: QualityProfile;
  readonly priority: Priority;
  readonly trackId?: string | undefined;
  /**
   * An ABR ladder: two or more profiles, lowest first (`renditions=` or
   * `abr=true`). A one-entry list is just `quality_profile`, so it is folded
   * into `profile` and this stays undefined.
   */
  readonly renditions?: readonly QualityProfile[] | undefined;
  /** Two-pass loudness normalisation to the configured target. */
  readonly normalize?: boolean | undefined;
  /** Also write one `download.m4a` (AAC) in the same pass. */
  readonly download?: boolean | undefined;
}

/** A ladder has at most this many rungs: every rung is one more encoder in the one ffmpeg. */
export const MAX_RENDITIONS = 4;
/** `abr=true` without a list: the three rungs players switch between. */
export const DEFAULT_LADDER: readonly QualityProfile[] = ['low', 'medium', 'high'];
/** Lowest quality first: the order of the ladder in the job and its playlists. */
const PROFILE_RANK: Readonly<Record<QualityProfile, number>> = { low: 0, medium: 1, high: 2, hi_res: 3 };

const TRACK_ID_MAX = 200;
// Printable text without control characters: it is echoed back in JSON and logs.
const TRACK_ID_PATTERN = /^[^\p{Cc}]+$/u;
const BITRATE_PATTERN = /^[0-9]{1,9}$/;

/**
 * Validates the multipart text fields of `POST /v1/stream/transcode`.
 * Unknown fields are ignored (clients may send more than we read); an
 * empty field counts as absent, as HTML forms send empty selects.
 */
export function parseTranscodeOptions(fields: Readonly<Record<string, unknown>>): TranscodeOptions {
  const codec = oneOf('codec', fields['codec'], CODECS, 'INVALID_CODEC');
  const profile =
    oneOf('quality_profile', fields['quality_profile'], QUALITY_PROFILES, 'INVALID_QUALITY_PROFILE') ?? 'high';
  const priority = oneOf('priority', fields['priority'], PRIORITIES, 'INVALID_PRIORITY') ?? 'normal';

  let bitrate: number | undefined;
  const rawBitrate = text('bitrate', fields['bitrate'], 'INVALID_BITRATE');
  if (rawBitrate !== undefined) {
    if (!BITRATE_PATTERN.test(rawBitrate) || Number(rawBitrate) === 0) {
      throw new InvalidInputError(
        'INVALID_BITRATE',
        'Field "bitrate" must be a whole number of bits per second, e.g. 192000.',
      );
    }
    bitrate = Number(rawBitrate);
  }

  const trackId = text('track_id', fields['track_id'], 'INVALID_TRACK_ID');
  if (trackId !== undefined && (trackId.length > TRACK_ID_MAX || !TRACK_ID_PATTERN.test(trackId))) {
    throw new InvalidInputError(
      'INVALID_TRACK_ID',
      `Field "track_id" must be printable text of at most ${TRACK_ID_MAX} characters.`,
    );
  }

  const normalize = flag('normalize', fields['normalize']);
  const download = flag('download', fields['download']);
  const ladder = parseRenditions(fields['renditions'], flag('abr', fields['abr']) === true);
  if (ladder !== undefined && bitrate !== undefined) {
    throw new InvalidInputError(
      'INVALID_RENDITIONS',
      'Field "bitrate" cannot be combined with "renditions" or "abr": each rendition takes its profile\'s bitrate.',
    );
  }
  const options: TranscodeOptions = {
    codec,
    bitrate,
    // A one-rung "ladder" is a plain single-rendition job of that profile.
    profile: ladder?.length === 1 ? (ladder[0] ?? profile) : profile,
    priority,
    trackId,
    ...(ladder !== undefined && ladder.length > 1 ? { renditions: ladder } : {}),
    ...(normalize !== undefined ? { normalize } : {}),
    ...(download !== undefined ? { download } : {}),
  };
  return options;
}

/** `renditions=low,medium,high` (any order, no repeats, ≤ MAX_RENDITIONS); `abr=true` alone means DEFAULT_LADDER. */
function parseRenditions(value: unknown, abr: boolean): QualityProfile[] | undefined {
  const raw = text('renditions', value, 'INVALID_RENDITIONS');
  if (raw === undefined) return abr ? [...DEFAULT_LADDER] : undefined;
  const names = raw.split(',').map((name) => name.trim());
  const ladder: QualityProfile[] = [];
  for (const name of names) {
    const found = QUALITY_PROFILES.find((candidate) => candidate === name);
    if (found === undefined) {
      throw new InvalidInputError(
        'INVALID_RENDITIONS',
        `Field "renditions" is a comma-separated list of ${QUALITY_PROFILES.join(', ')}; got "${truncate(name)}".`,
      );
    }
    if (ladder.includes(found)) {
      throw new InvalidInputError('INVALID_RENDITIONS', `Field "renditions" names "${found}" twice.`);
    }
    ladder.push(found);
  }
  if (ladder.length > MAX_RENDITIONS) {
    throw new InvalidInputError(
      'INVALID_RENDITIONS',
      `Field "renditions" may name at most ${MAX_RENDITIONS} profiles.`,
    );
  }
  return ladder.sort((a, b) => PROFILE_RANK[a] - PROFILE_RANK[b]);
}

/** true/false/1/0 (any case); absent or empty is undefined. */
function flag(name: string, value: unknown): boolean | undefined {
  const raw = text(name, value, 'INVALID_BOOLEAN');
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new InvalidInputError(
    'INVALID_BOOLEAN',
    `Field "${name}" must be true or false (or 1 or 0); got "${truncate(raw)}".`,
  );
}

function text(name: string, value: unknown, code: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidInputError(code, `Field "${name}" must be given once, as text.`);
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], code: string): T | undefined {
  const raw = text(name, value, code);
  if (raw === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === raw);
  if (found === undefined) {
    throw new InvalidInputError(code, `Field "${name}" must be one of ${allowed.join(', ')}; got "${truncate(raw)}".`);
  }
  return found;
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
