import { livePlaylist, vodPlaylist } from '../src/live-playlist';

const running = [
  '#EXTM3U',
  '#EXT-X-VERSION:3',
  '#EXT-X-TARGETDURATION:6',
  '#EXT-X-MEDIA-SEQUENCE:1',
  '#EXT-X-PLAYLIST-TYPE:EVENT',
  '#EXTINF:6.013967,',
  'segment_00001.ts',
  '',
].join('\n');
const ended = running.replace(
  'segment_00001.ts\n',
  'segment_00001.ts\n#EXTINF:2.004733,\nsegment_00002.ts\n#EXT-X-ENDLIST\n',
);

describe('livePlaylist', () => {
  it('starts players at the beginning and keeps everything else', () => {
    expect(livePlaylist(running).split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:1',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
      '#EXT-X-START:TIME-OFFSET=0',
      '#EXTINF:6.013967,',
      'segment_00001.ts',
      '',
    ]);
  });

  it('keeps the end of an ended playlist, and adds the start tag once', () => {
    const live = livePlaylist(ended);
    expect(live.endsWith('segment_00002.ts\n#EXT-X-ENDLIST\n')).toBe(true);
    expect(livePlaylist(live)).toBe(live);
  });

  it('refuses anything but an EVENT playlist', () => {
    expect(() => livePlaylist(ended.replace('EVENT', 'VOD'))).toThrow(/EVENT/);
  });
});

describe('vodPlaylist', () => {
  it('changes only the playlist type of an ended playlist', () => {
    expect(vodPlaylist(ended)).toBe(ended.replace('#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:VOD'));
  });

  it('refuses a playlist ffmpeg has not ended', () => {
    expect(() => vodPlaylist(running)).toThrow(/not ended/);
  });
});
