/**
 * Name checks for everything that reaches a filesystem path from a URL or
 * a queue payload. Strict allow-lists, so no encoding trick ("..", "%2e",
 * NUL, backslashes, Unicode look-alikes) can name another file.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SEGMENT = /^(?:segment_[0-9]{5,9}\.(?:ts|m4s)|init\.mp4)$/;

// Mirrors QUALITY_PROFILES of @stream-server/profiles (a test checks they
// agree): storage stays free of profile logic, but a rendition folder is
// only ever one of these names.
const RENDITION = /^(?:low|medium|high|hi_res)$/;

/** Files of a job's output beside its playlists. */
export const WAVEFORM_NAME = 'waveform.json';
export const DOWNLOAD_NAME = 'download.m4a';
/** The measured loudness, kept with the output so a retried attempt that finds it published can report it (never served). */
export const LOUDNESS_NAME = 'loudness.json';

/** A job id is a lower-case RFC 4122 UUID (what `crypto.randomUUID` makes). */
export function isJobId(value: string): boolean {
  return UUID.test(value);
}

/** `segment_00001.ts`, `segment_00001.m4s` or `init.mp4`. */
export function isSegmentName(value: string): boolean {
  return SEGMENT.test(value);
}

/** A rendition folder of an ABR job: a quality profile's name. */
export function isRenditionName(value: string): boolean {
  return RENDITION.test(value);
}

/** Content types of what we serve, by the names `isSegmentName` admits. */
export function hlsContentType(fileName: string): string | undefined {
  if (fileName.endsWith('.m3u8')) return 'application/vnd.apple.mpegurl';
  if (fileName.endsWith('.ts')) return 'video/mp2t';
  if (fileName.endsWith('.m4s') || fileName.endsWith('.mp4')) return 'video/mp4';
  return undefined;
}
