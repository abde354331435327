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
  /** Bits per second of the most demanding segment (rounded up). */
  readonly peak: number;
  /** Bits per second over the whole rendition (rounded up). */
  readonly average: number;
}

/**
 * BANDWIDTH and AVERAGE-BANDWIDTH from the real segment files. RFC 8216
 * defines the peak over runs of segments lasting 0.5–1.5 target durations;
 * the largest single-segment bitrate is never below that, so using it never
 * under-states what a player must sustain (a short last segment included).
 * Pure.
 */
export function measureBandwidth(segments: readonly SegmentSample[]): MeasuredBandwidth {
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const segment of segments) {
    if (segment.seconds > 0) peak = Math.max(peak, (segment.bytes * 8) / segment.seconds);
    bytes += segment.bytes;
    seconds += segment.seconds;
  }
  const average = seconds > 0 ? (bytes * 8) / seconds : 0;
  return { peak: Math.ceil(peak), average: Math.ceil(average) };
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
