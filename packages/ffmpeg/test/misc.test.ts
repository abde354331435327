import {
  FfmpegError,
  describeFailure,
  parseFfmpegMajor,
  parseMediaPlaylist,
  type RunResult,
} from '@stream-server/ffmpeg';

describe('parseFfmpegMajor', () => {
  it.each<[string, number | null]>([
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2025 the FFmpeg developers', 5],
    ['ffmpeg version 6.0 Copyright (c) 2000-2023 the FFmpeg developers', 6],
    ['ffmpeg version n7.1 Copyright (c) 2000-2024 the FFmpeg developers', 7],
    ['ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers', 4],
    ['ffmpeg version 12.3 Copyright', 12],
    ['ffmpeg version N-92722-gf22fcd4483-static https://johnvansickle.com/ffmpeg/', null],
    ['ffmpeg version git-2024-01-01-abcdef Copyright', null],
    ['garbage', null],
    ['', null],
    ['ffmpeg version', null],
  ])('%j → %p', (line, major) => {
    expect(parseFfmpegMajor(line)).toBe(major);
  });
});

function run(overrides: Partial<RunResult>): RunResult {
  return {
    exitCode: 1,
    signal: null,
    stdout: '',
    stderrTail: '',
    timedOut: false,
    stalled: false,
    aborted: false,
    ...overrides,
  };
}

describe('describeFailure', () => {
  it('a timeout is not permanent', () => {
    const result = run({
      exitCode: null,
      signal: 'SIGTERM',
      timedOut: true,
      stderrTail: 'Invalid data found when processing input',
    });
    const err = describeFailure(result);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.message).toBe('ffmpeg timed out');
    expect(err.permanent).toBe(false);
    expect(err.result).toBe(result);
  });

  it('a kill is not permanent and names the signal', () => {
    const err = describeFailure(run({ exitCode: null, signal: 'SIGKILL' }));
    expect(err.permanent).toBe(false);
    expect(err.message).toContain('SIGKILL');
  });

  it('undecodable input is permanent', () => {
    const err = describeFailure(
      run({
        stderrTail:
          '[wav @ 0x55d0c8e4a1c0] Could not find codec parameters\nfile:/data/uploads/x: Invalid data found when processing input\n',
      }),
    );
    expect(err.permanent).toBe(true);
    expect(err.message.startsWith('undecodable audio')).toBe(true);
    // The reason is the last non-empty stderr line.
    expect(err.message).toContain('file:/data/uploads/x: Invalid data found when processing input');
  });

  it.each([
    'Error while decoding stream #0:0: Invalid data found when processing input',
    '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found',
    '[mp3 @ 0x1] Header missing',
    'file:/x: Format not on whitelist',
  ])('%j is permanent', (stderrTail) => {
    expect(describeFailure(run({ stderrTail })).permanent).toBe(true);
  });

  it('a full disk is not permanent', () => {
    const err = describeFailure(
      run({ stderrTail: "[hls @ 0x1] Failed to open file 'segment_00003.ts'\nNo space left on device\n" }),
    );
    expect(err.permanent).toBe(false);
    expect(err.message.startsWith('ffmpeg failed')).toBe(true);
    expect(err.message).toContain('No space left on device');
  });

  it('no stderr: the exit code is the reason', () => {
    const err = describeFailure(run({ exitCode: 187, stderrTail: '  \n\n' }));
    expect(err.permanent).toBe(false);
    expect(err.message).toContain('exit code 187');
  });

  it('bounds the reason', () => {
    const err = describeFailure(run({ stderrTail: 'x'.repeat(5_000) }));
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('parseMediaPlaylist', () => {
  it('an MPEG-TS VOD playlist', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:6',
      '#EXT-X-MEDIA-SEQUENCE:1',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXTINF:6.000000,',
      'segment_00001.ts',
      '#EXTINF:6.000000,',
      'segment_00002.ts',
      '#EXTINF:2.500000,',
      'segment_00003.ts',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual({
      segments: ['segment_00001.ts', 'segment_00002.ts', 'segment_00003.ts'],
      initSegment: null,
      durationSeconds: 14.5,
      targetDuration: 6,
      ended: true,
    });
  });

  it('an fMP4 playlist with EXT-X-MAP, CRLF line ends', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:4',
      '#EXT-X-MEDIA-SEQUENCE:1',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXTINF:4.010667,',
      'segment_00001.m4s',
      '#EXTINF:3.989333,',
      'segment_00002.m4s',
      '#EXTINF:0.750000,',
      'segment_00003.m4s',
      '#EXT-X-ENDLIST',
    ].join('\r\n');
    const playlist = parseMediaPlaylist(text);
    expect(playlist.segments).toEqual(['segment_00001.m4s', 'segment_00002.m4s', 'segment_00003.m4s']);
    expect(playlist.initSegment).toBe('init.mp4');
    expect(playlist.durationSeconds).toBeCloseTo(8.75, 6);
    expect(playlist.targetDuration).toBe(4);
    expect(playlist.ended).toBe(true);
  });

  it('a playlist without EXT-X-ENDLIST is not ended', () => {
    const text = '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000000,\nsegment_00001.ts\n';
    expect(parseMediaPlaylist(text)).toEqual({
      segments: ['segment_00001.ts'],
      initSegment: null,
      durationSeconds: 6,
      targetDuration: 6,
      ended: false,
    });
  });

  it('an empty text is an empty, unended playlist', () => {
    expect(parseMediaPlaylist('')).toEqual({
      segments: [],
      initSegment: null,
      durationSeconds: 0,
      targetDuration: null,
      ended: false,
    });
  });

  it('skips unparsable durations instead of producing NaN', () => {
    const playlist = parseMediaPlaylist(
      '#EXTM3U\n#EXTINF:abc,\nsegment_00001.ts\n#EXTINF:2,\nsegment_00002.ts\n#EXT-X-ENDLIST\n',
    );
    expect(playlist.durationSeconds).toBe(2);
    expect(playlist.segments).toHaveLength(2);
  });
});
