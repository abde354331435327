/** What a finished VOD media playlist says about itself. */
export interface MediaPlaylist {
  readonly segments: readonly string[];
  readonly initSegment: string | null;
  readonly durationSeconds: number;
  readonly targetDuration: number | null;
  readonly ended: boolean;
}

/**
 * Reads a media playlist written by ffmpeg's HLS muxer. Used to check an
 * output is whole before it is published, and by tests. Pure.
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const segments: string[] = [];
  let initSegment: string | null = null;
  let durationSeconds = 0;
  let targetDuration: number | null = null;
  let ended = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#EXTINF:')) {
      const seconds = Number.parseFloat(line.slice('#EXTINF:'.length));
      if (Number.isFinite(seconds)) durationSeconds += seconds;
    } else if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      targetDuration = Number.parseInt(line.slice('#EXT-X-TARGETDURATION:'.length), 10);
    } else if (line.startsWith('#EXT-X-MAP:')) {
      initSegment = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (!line.startsWith('#')) {
      segments.push(line);
    }
  }
  return { segments, initSegment, durationSeconds, targetDuration, ended };
}

/** One media segment line of a playlist with the EXTINF before it. */
export interface TimedSegment {
  readonly uri: string;
  readonly seconds: number;
}

/**
 * Each segment with its own duration (EXTINF), for per-segment checks
 * (never longer than the target) and bitrates. A segment with no readable
 * EXTINF gets NaN, which fails any such check. Pure.
 */
export function timedSegments(text: string): TimedSegment[] {
  const found: TimedSegment[] = [];
  let seconds = Number.NaN;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#EXTINF:')) {
      seconds = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (!line.startsWith('#')) {
      found.push({ uri: line, seconds });
      seconds = Number.NaN;
    }
  }
  return found;
}
