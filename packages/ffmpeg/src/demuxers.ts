/**
 * Demuxers an upload may be read with. ffmpeg picks a demuxer by sniffing
 * content, so a file named `.mp3` can really be an HLS playlist or an
 * ffconcat script that makes ffmpeg open other files or URLs. Probing and
 * transcoding both pass this list as `-format_whitelist`, and transcoding
 * then forces the probed one with `-f`, so only real audio containers are
 * ever parsed. Playlists (hls, concat), image, subtitle and raw-text
 * demuxers are left out on purpose.
 */
export const AUDIO_DEMUXERS: readonly string[] = [
  'aac',
  'ac3',
  'aiff',
  'amr',
  'ape',
  'asf',
  'au',
  'caf',
  'dsf',
  'dts',
  'eac3',
  'flac',
  'matroska',
  'mov',
  'mp3',
  'mpc',
  'mpc8',
  'ogg',
  'tak',
  'truehd',
  'tta',
  'w64',
  'wav',
  'wv',
];

/**
 * The demuxer to force with `-f`, from ffprobe's `format_name`. Some
 * demuxers report several names ("mov,mp4,m4a,3gp,3g2,mj2",
 * "matroska,webm"); `-f` takes the first. Returns null when the probed
 * format is not one we read.
 */
export function allowedDemuxer(formatName: string): string | null {
  const names = formatName.split(',').map((name) => name.trim());
  const first = names[0];
  if (first === undefined || first === '') return null;
  return AUDIO_DEMUXERS.includes(first) ? first : null;
}
