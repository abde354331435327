/**
 * The two playlists made from the EVENT playlist ffmpeg's HLS muxer keeps
 * rewriting while it encodes (see hlsMuxerArgs). Pure text: no I/O.
 */

const EVENT_TYPE = '#EXT-X-PLAYLIST-TYPE:EVENT';

/**
 * The live playlist: ffmpeg's, with `#EXT-X-START:TIME-OFFSET=0` so
 * players start at the beginning rather than three segments from the live
 * edge (RFC 8216 4.3.5.2). It lists only segments ffmpeg has closed, and
 * ends once ffmpeg wrote `#EXT-X-ENDLIST`.
 */
export function livePlaylist(eventPlaylist: string): string {
  const lines = eventPlaylist.split('\n');
  const at = lines.findIndex((line) => line.trim() === EVENT_TYPE);
  if (at < 0) throw new Error('not an EVENT playlist');
  if (!lines.some((line) => line.startsWith('#EXT-X-START:'))) lines.splice(at + 1, 0, '#EXT-X-START:TIME-OFFSET=0');
  return lines.join('\n');
}

/**
 * The finished playlist as a VOD one (`index.m3u8`, as the service always
 * served it). Refuses a playlist ffmpeg has not ended: a VOD playlist
 * promises it will never change.
 */
export function vodPlaylist(eventPlaylist: string): string {
  const lines = eventPlaylist.split('\n');
  const at = lines.findIndex((line) => line.trim() === EVENT_TYPE);
  if (at < 0) throw new Error('not an EVENT playlist');
  if (!lines.some((line) => line.trim() === '#EXT-X-ENDLIST')) throw new Error('the playlist has not ended');
  lines[at] = '#EXT-X-PLAYLIST-TYPE:VOD';
  return lines.join('\n');
}
