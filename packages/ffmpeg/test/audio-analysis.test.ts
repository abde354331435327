import {
  AUDIO_DEMUXERS,
  buildLoudnessMeasureArgs,
  buildNormalizeFilter,
  buildMultivariantPlaylist,
  HLS_CODEC_STRINGS,
  measureBandwidth,
  parseEbur128Summary,
  pickTags,
  playlistVersion,
  timedSegments,
  WaveformFolder,
  waveformJson,
} from '@stream-server/ffmpeg';

// What ffmpeg 5.1 prints with `-loglevel level+info` (the 2018 build prints the same summary).
const SUMMARY = `[hls @ 0x1] [info] Opening 'low/index.m3u8.tmp' for writing
[info] video:0kB audio:3445kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_0 @ 0x55f70d55d9c0] [info] Summary:

  Integrated loudness:
    I:         -26.1 LUFS
    Threshold: -36.1 LUFS

  Loudness range:
    LRA:         0.1 LU
    Threshold: -46.1 LUFS
    LRA low:   -26.2 LUFS
    LRA high:  -26.1 LUFS

  True peak:
    Peak:      -17.7 dBFS
[aac @ 0x2] [info] Qavg: 555.897
`;

describe('loudness', () => {
  it("parses ebur128's summary out of a noisy stderr", () => {
    expect(parseEbur128Summary(SUMMARY)).toEqual({
      integratedLufs: -26.1,
      loudnessRangeLu: 0.1,
      truePeakDbtp: -17.7,
      thresholdLufs: -36.1,
      targetOffsetLu: 0,
    });
  });

  it('takes the last summary when there are several', () => {
    const second = SUMMARY.replace('-26.1 LUFS', '-9.5 LUFS');
    expect(parseEbur128Summary(SUMMARY + second)?.integratedLufs).toBe(-9.5);
  });

  it('reads a peak line that carries its own log prefix', () => {
    const prefixed = SUMMARY.replace('    Peak:', '[Parsed_ebur128_0 @ 0x5] [info]     Peak:');
    expect(parseEbur128Summary(prefixed)?.truePeakDbtp).toBe(-17.7);
  });

  it('is null for silence (-70 LUFS, -inf peak), no summary, or a cut-off summary', () => {
    expect(parseEbur128Summary(SUMMARY.replace('-26.1 LUFS', '-70.0 LUFS'))).toBeNull();
    expect(parseEbur128Summary(SUMMARY.replace('-17.7 dBFS', '-inf dBFS'))).toBeNull();
    expect(parseEbur128Summary('[fatal] Conversion failed!')).toBeNull();
    expect(parseEbur128Summary(SUMMARY.slice(0, SUMMARY.indexOf('Loudness range')))).toBeNull();
  });

  const PASS1_HEAD = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'level+info',
    '-y',
    '-protocol_whitelist',
    'file',
    '-format_whitelist',
    AUDIO_DEMUXERS.join(','),
    '-f',
    'mp3',
    '-i',
    'file:/u/x',
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-t',
    '600',
    '-progress',
    'pipe:1',
    '-nostats',
  ];

  it('pass 1 arguments (stereo): untrusted input rules, the analysis PCM on fd 3, no file', () => {
    expect(buildLoudnessMeasureArgs('/u/x', 'mp3', 600, { sampleRate: 44_100, channels: 2 })).toEqual([
      ...PASS1_HEAD,
      '-c:a',
      'pcm_f32le',
      '-ar',
      '44100',
      '-ac',
      '2',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
  });

  it('pass 1 arguments (surround): ebur128 to -f null, nothing on fd 3', () => {
    expect(buildLoudnessMeasureArgs('/u/x', 'mp3', 600, { sampleRate: 48_000, channels: 6 })).toEqual([
      ...PASS1_HEAD,
      '-af',
      'ebur128=peak=true:framelog=verbose',
      '-f',
      'null',
      '-',
    ]);
  });

  it('pass 2 is one gain when the peaks allow it', () => {
    const measured = {
      integratedLufs: -20,
      loudnessRangeLu: 5,
      truePeakDbtp: -8,
      thresholdLufs: -30,
      targetOffsetLu: 0,
    };
    expect(buildNormalizeFilter({ integratedLufs: -14, truePeakDbtp: -1 }, measured, 44_100)).toBe('volume=6.00dB');
    expect(
      buildNormalizeFilter({ integratedLufs: -14, truePeakDbtp: -1 }, { ...measured, integratedLufs: -9.5 }, 44_100),
    ).toBe('volume=-4.50dB');
  });

  it('pass 2 is loudnorm (clamped to its bounds, LRA widened) when the gain would clip', () => {
    const filter = buildNormalizeFilter(
      { integratedLufs: -16, truePeakDbtp: -1.5 },
      { integratedLufs: -120, loudnessRangeLu: 14.2, truePeakDbtp: 3, thresholdLufs: -130, targetOffsetLu: 150 },
      48_000,
    );
    expect(filter).toBe(
      'loudnorm=I=-16.00:TP=-1.50:LRA=15.00:measured_I=-99.00:measured_TP=3.00:measured_LRA=14.20:' +
        'measured_thresh=-99.00:offset=99.00:linear=true:print_format=none,aresample=48000',
    );
  });
});

describe('WaveformFolder', () => {
  const floats = (samples: number[]) => Float32Array.from(samples, (sample) => sample / 32768);

  it('folds samples into 8-bit min/max pairs, keeping a last partial pixel', () => {
    const folder = new WaveformFolder(3);
    folder.pushFloat(floats([0, 256, -256, 32767, -32768, 100, 512]), 0, 7);
    expect(Array.from(folder.finish())).toEqual([-1, 1, -128, 127, 2, 2]);
  });

  it("rounds and clips floats to s16 as ffmpeg's s16 conversion did", () => {
    const folder = new WaveformFolder(1);
    // 255.5 rounds up to 256 (high byte 1); 1.5 × full scale clips to 32767.
    folder.pushFloat(Float32Array.from([255.5 / 32768, 1.5, -1.5]), 0, 3);
    expect(Array.from(folder.finish())).toEqual([1, 1, 127, 127, -128, -128]);
  });

  it('gives the same pairs however the samples are split', () => {
    const samples = floats(Array.from({ length: 1000 }, (_unused, i) => Math.round(Math.sin(i / 7) * 20_000)));
    const whole = new WaveformFolder(64);
    whole.pushFloat(samples, 0, samples.length);
    const split = new WaveformFolder(64);
    for (let offset = 0; offset < samples.length; offset += 7)
      split.pushFloat(samples, offset, Math.min(7, samples.length - offset));
    expect(Array.from(split.finish())).toEqual(Array.from(whole.finish()));
  });

  it('grows past its first buffer and gives nothing for no audio', () => {
    const folder = new WaveformFolder(1);
    folder.pushFloat(floats(Array.from({ length: 5000 }, () => 1024)), 0, 5000);
    const pairs = folder.finish();
    expect(pairs).toHaveLength(10_000);
    expect(pairs.every((value) => value === 4)).toBe(true);
    expect(new WaveformFolder(512).finish()).toHaveLength(0);
  });

  it('refuses a nonsensical resolution', () => {
    expect(() => new WaveformFolder(0)).toThrow();
  });

  it('writes audiowaveform v2 JSON', () => {
    expect(waveformJson(44_100, 512, Int8Array.from([-3, 4, -1, 1]))).toEqual({
      version: 2,
      channels: 1,
      sample_rate: 44_100,
      samples_per_pixel: 512,
      bits: 8,
      length: 2,
      data: [-3, 4, -1, 1],
    });
  });
});

describe('multivariant playlist', () => {
  it("measures RFC 8216's peak over runs of 0.5-1.5 target durations, and the average", () => {
    // Runs of 3-9 s: [6] 64 kb/s, [6] 80 kb/s, [6,1] 78.9 kb/s; a lone 1 s segment is too short to count.
    expect(
      measureBandwidth(
        [
          { bytes: 48_000, seconds: 6 },
          { bytes: 60_000, seconds: 6 },
          { bytes: 9_000, seconds: 1 },
        ],
        6,
      ),
    ).toEqual({ peak: 80_000, average: Math.ceil((117_000 * 8) / 13) });
    expect(measureBandwidth([], 6)).toEqual({ peak: 0, average: 0 });
  });

  it('does not let a short last segment of container overhead set the peak', () => {
    // 0.2 s of mostly MPEG-TS overhead: 40 kb/s on its own would be the max
    // per segment; it only counts inside a run with its neighbour.
    const segments = [
      { bytes: 48_000, seconds: 6 },
      { bytes: 1_000, seconds: 0.2 },
    ];
    expect(measureBandwidth(segments, 6)).toEqual({ peak: 64_000, average: Math.ceil((49_000 * 8) / 6.2) });
  });

  it('uses the whole rate when the track is shorter than half a target duration', () => {
    expect(measureBandwidth([{ bytes: 2_000, seconds: 2 }], 6)).toEqual({ peak: 8_000, average: 8_000 });
  });

  it("lists variants lowest bandwidth first with the spec's tags", () => {
    const text = buildMultivariantPlaylist(
      [
        { uri: 'high/index.m3u8', bandwidth: 270_000, averageBandwidth: 262_000, codecs: HLS_CODEC_STRINGS.aac },
        { uri: 'low/index.m3u8', bandwidth: 70_000, averageBandwidth: 66_000, codecs: HLS_CODEC_STRINGS.aac },
      ],
      3,
    );
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=70000,AVERAGE-BANDWIDTH=66000,CODECS="mp4a.40.2"',
        'low/index.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=270000,AVERAGE-BANDWIDTH=262000,CODECS="mp4a.40.2"',
        'high/index.m3u8',
        '',
      ].join('\n'),
    );
    expect(() => buildMultivariantPlaylist([], 3)).toThrow();
  });

  it('names each codec as RFC 6381 does', () => {
    expect(HLS_CODEC_STRINGS).toEqual({ aac: 'mp4a.40.2', mp3: 'mp4a.40.34', opus: 'opus', flac: 'fLaC' });
  });

  it("reads a media playlist's version and per-segment durations", () => {
    const media =
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:6.000000,\nsegment_00001.m4s\n#EXTINF:2.5,\nsegment_00002.m4s\nstray.m4s\n#EXT-X-ENDLIST\n';
    expect(playlistVersion(media)).toBe(7);
    expect(playlistVersion('#EXTM3U\n')).toBe(1);
    const segments = timedSegments(media);
    expect(segments.slice(0, 2)).toEqual([
      { uri: 'segment_00001.m4s', seconds: 6 },
      { uri: 'segment_00002.m4s', seconds: 2.5 },
    ]);
    expect(segments[2]?.uri).toBe('stray.m4s');
    expect(segments[2]?.seconds).toBeNaN();
  });
});

describe('pickTags', () => {
  it('keeps title, artist, album, track: trimmed, control characters out, 200 characters at most', () => {
    expect(
      pickTags({
        title: '  Hello\u0000 World\n ',
        artist: 'x'.repeat(300),
        album: '   ',
        track: '3/12',
        genre: 'Rock',
        comment: 'no',
      }),
    ).toEqual({ title: 'Hello World', artist: 'x'.repeat(200), track: '3/12' });
  });

  it('never splits a character when cutting', () => {
    const tags = pickTags({ title: `${'a'.repeat(199)}😀😀` });
    expect(Array.from(tags.title ?? '')).toHaveLength(200);
    expect(tags.title?.endsWith('😀')).toBe(true);
  });
});
