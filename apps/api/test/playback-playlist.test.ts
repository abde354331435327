import { signPlaylist } from '../src/playback/playlist-signing';

const TOKEN = '1800003600.AbCdEf_-0123456789abcdefghijklmnopqrstuvwxyz';

describe('signPlaylist', () => {
  it('an MPEG-TS playlist: every segment line carries the token', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXTINF:6.000000,',
      'segment_00001.ts',
      '#EXTINF:1.500000,',
      'segment_00002.ts',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(signPlaylist(playlist, TOKEN).split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXTINF:6.000000,',
      `segment_00001.ts?token=${TOKEN}`,
      '#EXTINF:1.500000,',
      `segment_00002.ts?token=${TOKEN}`,
      '#EXT-X-ENDLIST',
      '',
    ]);
  });

  it('an fMP4 playlist: the EXT-X-MAP init segment too', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:6.000000,',
      'segment_00001.m4s',
      '#EXT-X-ENDLIST',
    ].join('\n');
    expect(signPlaylist(playlist, TOKEN).split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:6',
      `#EXT-X-MAP:URI="init.mp4?token=${TOKEN}"`,
      '#EXTINF:6.000000,',
      `segment_00001.m4s?token=${TOKEN}`,
      '#EXT-X-ENDLIST',
    ]);
  });

  it('keeps CRLF line ends and trims stray spaces around URIs', () => {
    expect(signPlaylist('#EXTM3U\r\n#EXTINF:6,\r\n segment_00001.ts \r\n', 'T')).toEqual(
      '#EXTM3U\r\n#EXTINF:6,\r\nsegment_00001.ts?token=T\r\n',
    );
  });

  it('appends with & to a URI that has a query; leaves other hosts and plain comments alone', () => {
    const playlist = [
      '#EXTM3U',
      '# a comment naming segment_00001.ts',
      '#EXT-X-MAP:URI="init.mp4?v=2",BYTERANGE="100@0"',
      '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1"',
      'segment_00001.ts?v=2',
      'https://cdn.example/segment_00002.ts',
      '//cdn.example/segment_00003.ts',
      '/v1/stream/hls/x/segment_00004.ts',
    ].join('\n');
    expect(signPlaylist(playlist, 'T').split('\n')).toEqual([
      '#EXTM3U',
      '# a comment naming segment_00001.ts',
      '#EXT-X-MAP:URI="init.mp4?v=2&token=T",BYTERANGE="100@0"',
      '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1"',
      'segment_00001.ts?v=2&token=T',
      'https://cdn.example/segment_00002.ts',
      '//cdn.example/segment_00003.ts',
      '/v1/stream/hls/x/segment_00004.ts?token=T',
    ]);
  });

  it('percent-encodes a token that needs it', () => {
    expect(signPlaylist('a.ts', 'x y&z')).toEqual('a.ts?token=x%20y%26z');
  });

  it('an empty playlist stays empty', () => {
    expect(signPlaylist('', TOKEN)).toEqual('');
  });
});

describe('signPlaylist: ABR ladders', () => {
  it('signs the rung playlists of a multivariant playlist, which then sign their own segments', () => {
    const master = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-STREAM-INF:BANDWIDTH=70000,AVERAGE-BANDWIDTH=66000,CODECS="mp4a.40.2"',
      'low/index.m3u8',
      '#EXT-X-STREAM-INF:BANDWIDTH=270000,AVERAGE-BANDWIDTH=262000,CODECS="mp4a.40.2"',
      'high/index.m3u8',
      '',
    ].join('\n');
    expect(signPlaylist(master, '9.abc')).toBe(
      master
        .replace('low/index.m3u8', 'low/index.m3u8?token=9.abc')
        .replace('high/index.m3u8', 'high/index.m3u8?token=9.abc'),
    );
  });
});
