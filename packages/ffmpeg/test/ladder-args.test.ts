import { AUDIO_DEMUXERS, buildEncodeArgs, errorLinesOnly, type EncodeJob } from '@stream-server/ffmpeg';
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

const INPUT = ['-protocol_whitelist', 'file', '-format_whitelist', AUDIO_DEMUXERS.join(','), '-f', 'wav', '-i', 'file:/data/uploads/u'];
const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'level+info', '-y', ...INPUT];
const PROGRESS = ['-progress', 'pipe:1', '-nostats'];
const HLS = (dir: string, ext = 'ts') => [
  '-f', 'hls',
  '-hls_time', '6',
  '-hls_playlist_type', 'vod',
  '-hls_list_size', '0',
  '-start_number', '1',
  '-hls_segment_type', ext === 'ts' ? 'mpegts' : 'fmp4',
  ...(ext === 'ts' ? [] : ['-hls_fmp4_init_filename', 'init.mp4']),
  '-hls_segment_filename', `${dir}segment_%05d.${ext}`,
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
    waveform: true,
    download: null,
    ...overrides,
  };
}

describe('buildEncodeArgs', () => {
  it('one rendition at the root: same HLS options as ever, plus loudness and waveform branches', () => {
    expect(buildEncodeArgs(job())).toEqual([
      ...HEAD,
      '-filter_complex',
      '[0:a:0]asplit=3[r0][ld][wf];[ld]ebur128=peak=true:framelog=verbose[ldo];[wf]pan=mono|c0=0.500000*c0+0.500000*c1,aformat=sample_fmts=s16[wfo]',
      ...PROGRESS,
      '-map', '[r0]', '-map_metadata', '-1', '-c:a', 'aac', '-b:a', '256000', '-ar', '44100', '-ac', '2', '-t', '14400',
      ...HLS(''), 'index.m3u8',
      '-map', '[ldo]', '-t', '14400', '-f', 'null', '-',
      '-map', '[wfo]', '-t', '14400', '-c:a', 'pcm_s16le', '-ar', '44100', '-f', 's16le', 'pipe:3',
    ]);
  });

  it('a three-rung ladder with download: one asplit, one output per rung in its folder', () => {
    const args = buildEncodeArgs(
      job({
        renditions: [
          { dir: 'low', plan: aac('low', 64_000), encoder: 'aac' },
          { dir: 'medium', plan: aac('medium', 128_000), encoder: 'aac' },
          { dir: 'high', plan: aac('high', 256_000), encoder: 'aac' },
        ],
        waveform: false,
        download: { plan: aac('high', 256_000), encoder: 'aac', file: 'download.m4a' },
      }),
    );
    const rung = (index: number, dir: string, bitrate: number) => [
      '-map', `[r${index}]`, '-map_metadata', '-1', '-c:a', 'aac', '-b:a', String(bitrate), '-ar', '44100', '-ac', '2', '-t', '14400',
      ...HLS(`${dir}/`), `${dir}/index.m3u8`,
    ];
    expect(args).toEqual([
      ...HEAD,
      '-filter_complex', '[0:a:0]asplit=5[r0][r1][r2][dl][ld];[ld]ebur128=peak=true:framelog=verbose[ldo]',
      ...PROGRESS,
      ...rung(0, 'low', 64_000),
      ...rung(1, 'medium', 128_000),
      ...rung(2, 'high', 256_000),
      '-map', '[dl]', '-map_metadata', '-1', '-c:a', 'aac', '-b:a', '256000', '-ar', '44100', '-ac', '2', '-t', '14400',
      '-movflags', '+faststart', '-f', 'mp4', 'download.m4a',
      '-map', '[ldo]', '-t', '14400', '-f', 'null', '-',
    ]);
  });

  it('Opus rungs are fMP4 with init.mp4 beside their playlist', () => {
    const opus: EncodingPlan = { ...aac('low', 48_000), codec: 'opus', sampleRate: 48_000, container: 'fmp4' };
    const args = buildEncodeArgs(job({ renditions: [{ dir: 'low', plan: opus, encoder: 'libopus' }], waveform: false }));
    const start = args.indexOf('[r0]') - 1;
    expect(args.slice(start, args.indexOf('low/index.m3u8') + 1)).toEqual([
      '-map', '[r0]', '-map_metadata', '-1', '-c:a', 'libopus', '-b:a', '48000', '-ar', '48000', '-ac', '2', '-vbr', 'constrained',
      '-t', '14400', '-strict', 'experimental', ...HLS('low/', 'm4s'), 'low/index.m3u8',
    ]);
  });

  it('normalize: the pass 1 gain goes before the split, so every branch hears the same audio', () => {
    const args = buildEncodeArgs(
      job({
        waveform: false,
        normalize: {
          target: { integratedLufs: -14, truePeakDbtp: -1 },
          measured: { integratedLufs: -26.2, loudnessRangeLu: 0.1, truePeakDbtp: -17.7, thresholdLufs: -36.2, targetOffsetLu: 0 },
        },
      }),
    );
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:a:0]volume=12.20dB,asplit=2[r0][ld];[ld]ebur128=peak=true:framelog=verbose[ldo]',
    );
  });

  it('mixes any channel count to mono for the waveform', () => {
    const args = buildEncodeArgs(job({ sourceChannels: 1 }));
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('[wf]pan=mono|c0=c0,aformat=sample_fmts=s16[wfo]');
  });

  it('refuses a job with no rendition', () => {
    expect(() => buildEncodeArgs(job({ renditions: [] }))).toThrow(/rendition/);
  });
});

describe('errorLinesOnly', () => {
  it('keeps error and fatal lines of a level+info log, without their tag', () => {
    const log = [
      '[info] Input #0, wav',
      '[hls @ 0x1] [info] Opening \'low/segment_00001.ts\' for writing',
      '[mp3 @ 0x2] [error] Header missing',
      '{',
      '\t"input_i" : "-20.00",',
      '}',
      '[fatal] Conversion failed!',
    ].join('\n');
    expect(errorLinesOnly(log)).toBe('[mp3 @ 0x2] Header missing\nConversion failed!');
  });
});
