import {
  AUDIO_DEMUXERS,
  buildEncodeArgs,
  errorLinesOnly,
  metersInProcess,
  writesAnalysisPcm,
  type EncodeJob,
  type RenditionOutput,
} from '@stream-server/ffmpeg';
import type { EncodingPlan } from '@stream-server/profiles';

const aac = (profile: EncodingPlan['profile'], bitrate: number): EncodingPlan => ({
  codec: 'aac',
  profile,
  bitrate,
  sampleRate: 44_100,
  channels: 2,
  bitDepth: null,
  container: 'mpegts',
});

const INPUT = [
  '-protocol_whitelist',
  'file',
  '-format_whitelist',
  AUDIO_DEMUXERS.join(','),
  '-f',
  'wav',
  '-i',
  'file:/data/uploads/u',
];
const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'level+info', '-y', ...INPUT];
const PROGRESS = ['-progress', 'pipe:1', '-nostats'];
const HLS = (dir: string, ext = 'ts') => [
  '-f',
  'hls',
  '-hls_time',
  '6',
  '-hls_playlist_type',
  'event',
  '-hls_list_size',
  '0',
  '-start_number',
  '1',
  '-hls_segment_type',
  ext === 'ts' ? 'mpegts' : 'fmp4',
  ...(ext === 'ts' ? [] : ['-hls_fmp4_init_filename', 'init.mp4']),
  '-hls_segment_filename',
  `${dir}segment_%05d.${ext}`,
];

function job(overrides: Partial<EncodeJob> = {}): EncodeJob {
  return {
    input: '/data/uploads/u',
    demuxer: 'wav',
    renditions: [{ dir: null, plan: aac('high', 256_000), encoder: 'aac' }],
    segmentSeconds: 6,
    maxDurationSeconds: 14_400,
    sourceSampleRate: 44_100,
    sourceChannels: 2,
    normalize: null,
    waveformSamplesPerPixel: 512,
    download: null,
    ...overrides,
  };
}

describe('buildEncodeArgs', () => {
  it('one rendition at the root: same HLS options as ever, plus the analysis PCM (loudness and waveform) on fd 3', () => {
    expect(buildEncodeArgs(job())).toEqual([
      ...HEAD,
      '-filter_complex',
      '[0:a:0]asplit=2[r0][an]',
      ...PROGRESS,
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'aac',
      '-b:a',
      '256000',
      '-ar',
      '44100',
      '-ac',
      '2',
      '-t',
      '14400',
      ...HLS(''),
      'index.m3u8',
      '-map',
      '[an]',
      '-t',
      '14400',
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

  it('a ladder part without the extras: its rungs only, no meter, waveform or download', () => {
    const args = buildEncodeArgs(job({ meter: false, waveformSamplesPerPixel: null }));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:a:0]asplit=1[r0]');
    expect(args).not.toContain('[ldo]');
    expect(args).not.toContain('pipe:3');
    expect(args[args.length - 1]).toBe('index.m3u8');
  });

  it('a three-rung ladder with download: one asplit, one output per rung in its folder', () => {
    const args = buildEncodeArgs(
      job({
        renditions: [
          { dir: 'low', plan: aac('low', 64_000), encoder: 'aac' },
          { dir: 'medium', plan: aac('medium', 128_000), encoder: 'aac' },
          { dir: 'high', plan: aac('high', 256_000), encoder: 'aac' },
        ],
        waveformSamplesPerPixel: null,
        download: { plan: aac('high', 256_000), encoder: 'aac', file: 'download.m4a' },
      }),
    );
    const rung = (index: number, dir: string, bitrate: number) => [
      '-map',
      `[r${index}]`,
      '-map_metadata',
      '-1',
      '-c:a',
      'aac',
      '-b:a',
      String(bitrate),
      '-ar',
      '44100',
      '-ac',
      '2',
      '-t',
      '14400',
      ...HLS(`${dir}/`),
      `${dir}/index.m3u8`,
    ];
    expect(args).toEqual([
      ...HEAD,
      '-filter_complex',
      '[0:a:0]asplit=5[r0][r1][r2][dl][an]',
      ...PROGRESS,
      ...rung(0, 'low', 64_000),
      ...rung(1, 'medium', 128_000),
      ...rung(2, 'high', 256_000),
      '-map',
      '[dl]',
      '-map_metadata',
      '-1',
      '-c:a',
      'aac',
      '-b:a',
      '256000',
      '-ar',
      '44100',
      '-ac',
      '2',
      '-t',
      '14400',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      'download.m4a',
      // No waveform, but the loudness still reads the analysis PCM.
      '-map',
      '[an]',
      '-t',
      '14400',
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

  it('Opus rungs are fMP4 with init.mp4 beside their playlist', () => {
    const opus: EncodingPlan = { ...aac('low', 48_000), codec: 'opus', sampleRate: 48_000, container: 'fmp4' };
    const args = buildEncodeArgs(
      job({ renditions: [{ dir: 'low', plan: opus, encoder: 'libopus' }], waveformSamplesPerPixel: null }),
    );
    const start = args.indexOf('[r0]') - 1;
    expect(args.slice(start, args.indexOf('low/index.m3u8') + 1)).toEqual([
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'libopus',
      '-b:a',
      '48000',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-vbr',
      'constrained',
      '-t',
      '14400',
      '-strict',
      'experimental',
      ...HLS('low/', 'm4s'),
      'low/index.m3u8',
    ]);
  });

  it('normalize: the pass 1 gain goes before the split, so every branch hears the same audio', () => {
    const args = buildEncodeArgs(
      job({
        waveformSamplesPerPixel: null,
        normalize: {
          target: { integratedLufs: -14, truePeakDbtp: -1 },
          measured: {
            integratedLufs: -26.2,
            loudnessRangeLu: 0.1,
            truePeakDbtp: -17.7,
            thresholdLufs: -36.2,
            targetOffsetLu: 0,
          },
        },
      }),
    );
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:a:0]volume=12.20dB,asplit=2[r0][an]');
  });

  it('mono: the analysis PCM keeps one channel', () => {
    const args = buildEncodeArgs(job({ sourceChannels: 1 }));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:a:0]asplit=2[r0][an]');
    expect(args.slice(-11)).toEqual([
      '-c:a',
      'pcm_f32le',
      '-ar',
      '44100',
      '-ac',
      '1',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
  });

  it('surround: ebur128 meters the layout in ffmpeg, the PCM only feeds the waveform', () => {
    const args = buildEncodeArgs(job({ sourceChannels: 6 }));
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:a:0]asplit=3[r0][ld][an];[ld]ebur128=peak=true:framelog=verbose[ldo]',
    );
    expect(args.slice(-22)).toEqual([
      '-map',
      '[ldo]',
      '-t',
      '14400',
      '-f',
      'null',
      '-',
      '-map',
      '[an]',
      '-t',
      '14400',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '44100',
      '-ac',
      '6',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
    // Without a waveform there is nothing left for the pipe.
    expect(buildEncodeArgs(job({ sourceChannels: 6, waveformSamplesPerPixel: null }))).not.toContain('pipe:3');
  });

  it('refuses a job with no rendition', () => {
    expect(() => buildEncodeArgs(job({ renditions: [] }))).toThrow(/rendition/);
  });
});

const UPLOAD = '/srv/stream/data/uploads/3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
const WHITELIST = AUDIO_DEMUXERS.join(',');
/** The graph of one rendition from a stereo source: the rendition and the analysis PCM. */
const ONE_RENDITION_STEREO_GRAPH = '[0:a:0]asplit=2[r0][an]';

const FLAC_PLAN: EncodingPlan = {
  codec: 'flac',
  profile: 'hi_res',
  bitrate: null,
  sampleRate: 96_000,
  channels: 2,
  bitDepth: 24,
  container: 'fmp4',
};
const MP3_PLAN: EncodingPlan = { ...aac('high', 320_000), codec: 'mp3' };
const OPUS_PLAN: EncodingPlan = { ...aac('high', 160_000), codec: 'opus', sampleRate: 48_000, container: 'fmp4' };

/** One rendition at the root with the worker's usual outputs: the waveform on, no download, no normalisation. */
function single(plan: EncodingPlan, encoder: string, overrides: Partial<EncodeJob> = {}): EncodeJob {
  return job({
    input: UPLOAD,
    renditions: [{ dir: null, plan, encoder }],
    sourceSampleRate: plan.sampleRate,
    ...overrides,
  });
}

// AAC into MPEG-TS is the first buildEncodeArgs case above.
describe('buildEncodeArgs: one rendition of each codec, full argv', () => {
  it('24-bit FLAC into fMP4 segments of 4 s, read with the flac demuxer', () => {
    expect(buildEncodeArgs(single(FLAC_PLAN, 'flac', { demuxer: 'flac', segmentSeconds: 4 }))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+info',
      '-y',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      WHITELIST,
      '-f',
      'flac',
      '-i',
      `file:${UPLOAD}`,
      '-filter_complex',
      ONE_RENDITION_STEREO_GRAPH,
      '-progress',
      'pipe:1',
      '-nostats',
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'flac',
      '-ar',
      '96000',
      '-ac',
      '2',
      '-sample_fmt',
      's32',
      '-bits_per_raw_sample',
      '24',
      '-t',
      '14400',
      '-strict',
      'experimental',
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'event',
      '-hls_list_size',
      '0',
      '-start_number',
      '1',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      'segment_%05d.m4s',
      'index.m3u8',
      '-map',
      '[an]',
      '-t',
      '14400',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '96000',
      '-ac',
      '2',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
  });

  it('Opus with the native encoder: -strict experimental for the encoder and again for the fMP4 muxer', () => {
    expect(buildEncodeArgs(single(OPUS_PLAN, 'opus', { demuxer: 'ogg' }))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+info',
      '-y',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      WHITELIST,
      '-f',
      'ogg',
      '-i',
      `file:${UPLOAD}`,
      '-filter_complex',
      ONE_RENDITION_STEREO_GRAPH,
      '-progress',
      'pipe:1',
      '-nostats',
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'opus',
      '-b:a',
      '160000',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-strict',
      'experimental',
      '-t',
      '14400',
      '-strict',
      'experimental',
      '-f',
      'hls',
      '-hls_time',
      '6',
      '-hls_playlist_type',
      'event',
      '-hls_list_size',
      '0',
      '-start_number',
      '1',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      'segment_%05d.m4s',
      'index.m3u8',
      '-map',
      '[an]',
      '-t',
      '14400',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
  });

  it('Opus with libopus: constrained VBR, -strict experimental only for the fMP4 muxer', () => {
    expect(buildEncodeArgs(single(OPUS_PLAN, 'libopus', { demuxer: 'mov' }))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+info',
      '-y',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      WHITELIST,
      '-f',
      'mov',
      '-i',
      `file:${UPLOAD}`,
      '-filter_complex',
      ONE_RENDITION_STEREO_GRAPH,
      '-progress',
      'pipe:1',
      '-nostats',
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'libopus',
      '-b:a',
      '160000',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-vbr',
      'constrained',
      '-t',
      '14400',
      '-strict',
      'experimental',
      '-f',
      'hls',
      '-hls_time',
      '6',
      '-hls_playlist_type',
      'event',
      '-hls_list_size',
      '0',
      '-start_number',
      '1',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      'segment_%05d.m4s',
      'index.m3u8',
      '-map',
      '[an]',
      '-t',
      '14400',
      '-c:a',
      'pcm_f32le',
      '-ar',
      '48000',
      '-ac',
      '2',
      '-flush_packets',
      '0',
      '-f',
      'f32le',
      'pipe:3',
    ]);
  });

  it('MP3 with libmp3lame into MPEG-TS segments', () => {
    expect(buildEncodeArgs(single(MP3_PLAN, 'libmp3lame', { demuxer: 'mp3' }))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'level+info',
      '-y',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      WHITELIST,
      '-f',
      'mp3',
      '-i',
      `file:${UPLOAD}`,
      '-filter_complex',
      ONE_RENDITION_STEREO_GRAPH,
      '-progress',
      'pipe:1',
      '-nostats',
      '-map',
      '[r0]',
      '-map_metadata',
      '-1',
      '-c:a',
      'libmp3lame',
      '-b:a',
      '320000',
      '-ar',
      '44100',
      '-ac',
      '2',
      '-t',
      '14400',
      '-f',
      'hls',
      '-hls_time',
      '6',
      '-hls_playlist_type',
      'event',
      '-hls_list_size',
      '0',
      '-start_number',
      '1',
      '-hls_segment_type',
      'mpegts',
      '-hls_segment_filename',
      'segment_%05d.ts',
      'index.m3u8',
      '-map',
      '[an]',
      '-t',
      '14400',
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
});

/** Index of `flag` followed by `value` in argv, or -1. */
function pairIndex(argv: readonly string[], flag: string, value: string): number {
  return argv.findIndex((arg, i) => arg === flag && argv[i + 1] === value);
}

/** The argv cut into one slice per output, each from its `-map` to the output's name. */
function outputSections(argv: readonly string[]): string[][] {
  const sections: string[][] = [];
  for (const arg of argv) {
    if (arg === '-map') sections.push([]);
    sections.at(-1)?.push(arg);
  }
  return sections;
}

/** Names of the filters in a filtergraph (pad labels dropped). */
function filterNames(graph: string): string[] {
  return graph.split(';').flatMap((chain) =>
    chain
      .replace(/^(\[[^\]]*\])+/, '')
      .replace(/(\[[^\]]*\])+$/, '')
      .split(',')
      .map((filter) => filter.split('=')[0] ?? ''),
  );
}

/** Filters the encode may run: none is a source, so none opens a file or URL (as movie and amovie would). */
const SAFE_FILTERS = ['asplit', 'ebur128', 'pan', 'aformat', 'volume', 'loudnorm', 'aresample'];

describe('buildEncodeArgs: untrusted-input invariants', () => {
  const rungs = (plan: (bitrate: number) => EncodingPlan, encoder: string): RenditionOutput[] => [
    { dir: 'low', plan: plan(64_000), encoder },
    { dir: 'medium', plan: plan(128_000), encoder },
    { dir: 'high', plan: plan(256_000), encoder },
  ];
  const aacRungs = rungs((bitrate) => aac('high', bitrate), 'aac');
  const opusRungs = rungs((bitrate) => ({ ...OPUS_PLAN, bitrate }), 'libopus');
  const download = { plan: aac('high', 256_000), encoder: 'aac', file: 'download.m4a' };
  const target = { integratedLufs: -14, truePeakDbtp: -1 };
  // Pass 1 figures that pass 2 meets with one gain (volume)…
  const quiet = {
    integratedLufs: -26.2,
    loudnessRangeLu: 0.1,
    truePeakDbtp: -17.7,
    thresholdLufs: -36.2,
    targetOffsetLu: 0,
  };
  // …and ones whose peaks need loudnorm's limiter.
  const peaky = { integratedLufs: -30, loudnessRangeLu: 14.2, truePeakDbtp: -2, thresholdLufs: -40, targetOffsetLu: 0 };

  const CASES: ReadonlyArray<[string, EncodeJob]> = [
    ['aac/aac, one rendition', single(aac('high', 256_000), 'aac')],
    ['mp3/libmp3lame, one rendition', single(MP3_PLAN, 'libmp3lame', { demuxer: 'mp3' })],
    ['opus/libopus, one rendition', single(OPUS_PLAN, 'libopus', { demuxer: 'ogg' })],
    ['opus/opus, one rendition', single(OPUS_PLAN, 'opus', { demuxer: 'mov' })],
    ['flac/flac, one rendition', single(FLAC_PLAN, 'flac', { demuxer: 'flac' })],
    [
      'aac ladder, no waveform',
      single(aac('high', 256_000), 'aac', { renditions: aacRungs, waveformSamplesPerPixel: null }),
    ],
    [
      'aac ladder with download, waveform and volume normalisation',
      single(aac('high', 256_000), 'aac', {
        renditions: aacRungs,
        download,
        normalize: { target, measured: quiet },
      }),
    ],
    [
      'opus ladder with download and waveform',
      single(OPUS_PLAN, 'libopus', { demuxer: 'ogg', renditions: opusRungs, download }),
    ],
    [
      '6-channel flac with download, waveform and loudnorm normalisation',
      single(FLAC_PLAN, 'flac', {
        demuxer: 'flac',
        sourceChannels: 6,
        download,
        normalize: { target, measured: peaky },
      }),
    ],
    [
      'an upload path that looks like a URL, ladder with every output',
      single(aac('high', 256_000), 'aac', {
        input: 'http://evil.example/x',
        renditions: aacRungs,
        download,
        normalize: { target, measured: quiet },
      }),
    ],
  ];

  it.each(CASES)('%s', (_name, encodeJob) => {
    const argv = buildEncodeArgs(encodeJob);
    const upload = `file:${encodeJob.input}`;
    const input = argv.indexOf('-i');
    expect(input).toBeGreaterThan(0);
    // Exactly one input.
    expect(argv.filter((arg) => arg === '-i')).toHaveLength(1);

    // Whitelists come before the input they apply to.
    const protocol = pairIndex(argv, '-protocol_whitelist', 'file');
    const format = pairIndex(argv, '-format_whitelist', WHITELIST);
    expect(protocol).toBeGreaterThanOrEqual(0);
    expect(protocol).toBeLessThan(input);
    expect(format).toBeGreaterThanOrEqual(0);
    expect(format).toBeLessThan(input);

    // The probed demuxer is forced right before -i.
    expect(argv.slice(input - 2, input)).toEqual(['-f', encodeJob.demuxer]);
    // The input is a file: URL of the upload path.
    expect(argv[input + 1]).toBe(upload);

    // Nothing that would loosen the demuxer (concat's -safe) or smuggle shell syntax;
    // `;` (between chains) and `|` (pan's channels) are filtergraph syntax, allowed in the graph only.
    expect(argv).not.toContain('-safe');
    expect(argv).not.toContain('concat');
    const graphAt = argv.indexOf('-filter_complex') + 1;
    expect(graphAt).toBeGreaterThan(input);
    argv.forEach((arg, i) => {
      expect(arg).not.toMatch(i === graphAt ? /[&`$<>\n]/ : /[;&|`$<>\n]/);
    });

    // The graph reads the upload's first audio stream only, and no filter in it opens anything.
    const graph = argv[graphAt] ?? '';
    expect(graph.startsWith('[0:a:0]')).toBe(true);
    expect(graph.match(/\[\d+:[^\]]*\]/g)).toEqual(['[0:a:0]']);
    for (const name of filterNames(graph)) expect(SAFE_FILTERS).toContain(name);

    // Progress on stdout; no network protocol: the only URLs are the upload's file: and the pipes.
    expect(pairIndex(argv, '-progress', 'pipe:1')).toBeGreaterThan(input);
    expect(argv.filter((arg) => /^[a-z][a-z0-9+.-]*:/i.test(arg))).toEqual([
      upload,
      'pipe:1',
      ...(writesAnalysisPcm(encodeJob) ? ['pipe:3'] : []),
    ]);

    // One output per rendition, then the download, the surround meter and the analysis PCM, all
    // relative: the manifests at the root or in their rendition's folder of the work dir.
    const sections = outputSections(argv);
    expect(sections.map((section) => section.at(-1))).toEqual([
      ...encodeJob.renditions.map((rendition) =>
        rendition.dir === null ? 'index.m3u8' : `${rendition.dir}/index.m3u8`,
      ),
      ...(encodeJob.download ? [encodeJob.download.file] : []),
      ...(metersInProcess(encodeJob.sourceChannels) ? [] : ['-']),
      ...(writesAnalysisPcm(encodeJob) ? ['pipe:3'] : []),
    ]);
    const folders = encodeJob.renditions.flatMap((rendition) => (rendition.dir === null ? [] : [`${rendition.dir}/`]));
    const inFolder = (arg: string) =>
      folders.some((folder) => arg.startsWith(folder) && !arg.slice(folder.length).includes('/'));
    expect(argv.filter((arg) => arg.includes('/') && arg !== upload && !inFolder(arg))).toEqual([]);
    expect(argv.filter((arg) => arg.includes('..'))).toEqual([]);

    for (const section of sections) {
      // Every output takes a branch of the graph, never a stream of the upload
      // (no cover art, video, subtitles or data), and is capped in length.
      expect(section[1]).toMatch(/^\[\w+\]$/);
      expect(graph).toContain(section[1]);
      expect(pairIndex(section, '-t', String(encodeJob.maxDurationSeconds))).toBeGreaterThan(0);
      // No metadata copied from the upload into a file.
      if (section.at(-1) !== '-' && section.at(-1) !== 'pipe:3') {
        expect(pairIndex(section, '-map_metadata', '-1')).toBeGreaterThan(0);
        expect(section.filter((_arg, i) => section[i - 1] === '-map_metadata')).toEqual(['-1']);
      }
    }
  });

  it('keeps an upload path that looks like a URL a local file', () => {
    const argv = buildEncodeArgs(
      single(aac('high', 256_000), 'aac', { input: 'http://evil.example/x', renditions: aacRungs, download }),
    );
    expect(argv[argv.indexOf('-i') + 1]).toBe('file:http://evil.example/x');
    expect(argv.filter((arg) => arg.includes('evil'))).toEqual(['file:http://evil.example/x']);
  });
});

describe('errorLinesOnly', () => {
  it('keeps error and fatal lines of a level+info log, without their tag', () => {
    const log = [
      '[info] Input #0, wav',
      "[hls @ 0x1] [info] Opening 'low/segment_00001.ts' for writing",
      '[mp3 @ 0x2] [error] Header missing',
      '{',
      '\t"input_i" : "-20.00",',
      '}',
      '[fatal] Conversion failed!',
    ].join('\n');
    expect(errorLinesOnly(log)).toBe('[mp3 @ 0x2] Header missing\nConversion failed!');
  });
});
