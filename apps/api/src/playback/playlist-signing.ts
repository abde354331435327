/**
 * Rewrites an HLS playlist so that every URI it names carries
 * `?token=<token>`: segment lines and `URI="…"` attributes of tags
 * (`EXT-X-MAP` for fMP4's init.mp4, and any other). A player resolves
 * those relative to the playlist URL and would otherwise drop the token.
 * URIs with a scheme or `//host` point elsewhere and are left alone, so
 * the token never leaks to another host. Pure: no I/O.
 */
export function signPlaylist(playlist: string, token: string): string {
  const query = `token=${encodeURIComponent(token)}`;
  return playlist
    .split('\n')
    .map((line) => {
      // Keep CRLF playlists CRLF: work on the line without its "\r".
      const eol = line.endsWith('\r') ? '\r' : '';
      const body = eol ? line.slice(0, -1) : line;
      return signLine(body, query) + eol;
    })
    .join('\n');
}

function signLine(line: string, query: string): string {
  const trimmed = line.trim();
  if (trimmed === '') return line;
  if (trimmed.startsWith('#')) {
    // Only tags (#EXT…) carry URIs; plain comments are left as they are.
    if (!trimmed.startsWith('#EXT')) return line;
    return line.replace(/URI="([^"]*)"/g, (_attribute: string, uri: string) => `URI="${withQuery(uri, query)}"`);
  }
  return withQuery(trimmed, query);
}

function withQuery(uri: string, query: string): string {
  if (uri === '' || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) || uri.startsWith('//')) return uri;
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}
