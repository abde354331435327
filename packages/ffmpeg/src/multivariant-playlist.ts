import type { Codec } from '@stream-server/profiles';

/** RFC 6381 codec strings for the CODECS attribute (Apple's HLS authoring spec). */
export const HLS_CODEC_STRINGS: Readonly<Record<Codec, string>> = {
  aac: 'mp4a.40.2', // AAC-LC
  mp3: 'mp4a.40.34', // MPEG-1/2 Layer III
  opus: 'opus',
  flac: 'fLaC',
};

/** One media segment as it lies on disk. */
export interface SegmentSample {
  readonly bytes: number;
  readonly seconds: number;
}

export interface MeasuredBandwidth {
  /** RFC 8216's peak segment bit rate, in bits per second (rounded up). */
  readonly peak: number;
  /** Bits per second over the whole rendition (rounded up). */
  readonly average: number;
}

/**
 * BANDWIDTH and AVERAGE-BANDWIDTH from the real segment files. RFC 8216
 * (4.3.4.2) defines the peak as the largest bit rate of any run of
 * contiguous segments lasting 0.5 to 1.5 target durations. Taking single
 * segments instead lets a short last segment, which is mostly container
 * overhead, set the peak: every rung then shows the same BANDWIDTH and
 * players (hls.js) take them for redundant copies of one stream. A track
 * shorter than half a target duration has no such run; its whole rate is
 * used. Pure.
 */
export function measureBandwidth(segments: readonly SegmentSample[], targetDuration: number): MeasuredBandwidth {
  let bytes = 0;
  let seconds = 0;
  for (const segment of segments) {
    bytes += segment.bytes;
    seconds += segment.seconds;
  }
  const average = seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0;
  const min = 0.5 * targetDuration;
  const max = 1.5 * targetDuration;
  let peak = 0;
  for (let first = 0; first < segments.length; first += 1) {
    let runBytes = 0;
    let runSeconds = 0;
    for (let last = first; last < segments.length; last += 1) {
      const segment = segments[last] as SegmentSample;
      runBytes += segment.bytes;
      runSeconds += segment.seconds;
      if (runSeconds > max) break;
      if (runSeconds >= min) peak = Math.max(peak, (runBytes * 8) / runSeconds);
    }
  }
  return { peak: peak > 0 ? Math.ceil(peak) : average, average };
}

export interface Variant {
  /** Relative URI of the rendition's media playlist, e.g. `low/index.m3u8`. */
  readonly uri: string;
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly codecs: string;
}

/**
 * The multivariant ("master") playlist of a ladder: variants lowest
 * bandwidth first (players start at the first), EXT-X-INDEPENDENT-SEGMENTS
 * (every audio segment starts with a decodable frame), and the version of
 * the newest media playlist it lists (fMP4 renditions need 7, TS 3).
 * Pure.
 */
export function buildMultivariantPlaylist(variants: readonly Variant[], version: number): string {
  if (variants.length === 0) throw new Error('a multivariant playlist needs a variant');
  const sorted = [...variants].sort((a, b) => a.bandwidth - b.bandwidth || a.averageBandwidth - b.averageBandwidth);
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${Math.max(3, Math.floor(version))}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of sorted) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${variant.bandwidth},AVERAGE-BANDWIDTH=${variant.averageBandwidth},CODECS="${variant.codecs}"`,
      variant.uri,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `#EXT-X-VERSION` of a media playlist (1 when absent, as RFC 8216 says). */
export function playlistVersion(text: string): number {
  const match = /^#EXT-X-VERSION:(\d+)\s*$/m.exec(text);
  return match?.[1] ? Number(match[1]) : 1;
}
