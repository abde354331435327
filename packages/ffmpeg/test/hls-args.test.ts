import {
  AUDIO_DEMUXERS,
  HLS_INIT_SEGMENT,
  HLS_MANIFEST,
  buildCapabilityProbeArgs,
  buildHlsArgs,
  encoderArgs,
  inputArgs,
  type HlsJob,
} from '@stream-server/ffmpeg';
import type { Codec, EncodingPlan } from '@stream-server/profiles';

const INPUT = '/srv/stream/data/uploads/3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
const WHITELIST = AUDIO_DEMUXERS.join(',');

const AAC_PLAN: EncodingPlan = {
  codec: 'aac',
  profile: 'high',
  bitrate: 256_000,
  sampleRate: 44_100,
  channels: 2,
  bitDepth: null,
  container: 'mpegts',
};

const FLAC_PLAN: EncodingPlan = {
  codec: 'flac',
  profile: 'hi_res',
  bitrate: null,
  sampleRate: 96_000,
  channels: 2,
  bitDepth: 24,
  container: 'fmp4',
};

const MP3_PLAN: EncodingPlan = { ...AAC_PLAN, codec: 'mp3', bitrate: 320_000 };
const OPUS_PLAN: EncodingPlan = { ...AAC_PLAN, codec: 'opus', bitrate: 160_000, sampleRate: 48_000, container: 'fmp4' };

function job(plan: EncodingPlan, encoder: string, overrides: Partial<HlsJob> = {}): HlsJob {
  return { input: INPUT, demuxer: 'wav', plan, encoder, segmentSeconds: 6, durationSeconds: 8, maxDurationSeconds: 14_400, ...overrides };
}

/** Every codec with each encoder we may pick for it. */
const ALL_JOBS: ReadonlyArray<[string, HlsJob]> = [
  ['aac/aac', job(AAC_PLAN, 'aac')],
  ['mp3/libmp3lame', job(MP3_PLAN, 'libmp3lame', { demuxer: 'mp3' })],
  ['opus/libopus', job(OPUS_PLAN, 'libopus', { demuxer: 'ogg' })],
  ['opus/opus', job(OPUS_PLAN, 'opus', { demuxer: 'mov' })],
  ['flac/flac', job(FLAC_PLAN, 'flac', { demuxer: 'flac' })],
];

/** Index of `flag` followed by `value` in argv, or -1. */
function pairIndex(argv: readonly string[], flag: string, value: string): number {
  return argv.findIndex((arg, i) => arg === flag && argv[i + 1] === value);
}

describe('buildHlsArgs: full argv', () => {
  it('AAC into MPEG-TS segments', () => {
    expect(buildHlsArgs(job(AAC_PLAN, 'aac'))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel', 'error',
      '-y',
      '-protocol_whitelist', 'file',
      '-format_whitelist', WHITELIST,
      '-f', 'wav',
      '-i', `file:${INPUT}`,
      '-map', '0:a:0',
      '-vn', '-sn', '-dn',
      '-map_metadata', '-1',
      '-c:a', 'aac',
      '-b:a', '256000',
      '-ar', '44100',
      '-ac', '2',
      '-t', '14400',
      '-f', 'hls',
      '-hls_time', '6',
      '-hls_playlist_type', 'vod',
      '-hls_list_size', '0',
      '-start_number', '1',
      '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', 'segment_%05d.ts',
      '-progress', 'pipe:1',
      '-nostats',
      'index.m3u8',
    ]);
  });

  it('24-bit FLAC into fMP4 segments', () => {
    expect(buildHlsArgs(job(FLAC_PLAN, 'flac', { demuxer: 'flac', segmentSeconds: 4 }))).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel', 'error',
      '-y',
      '-protocol_whitelist', 'file',
      '-format_whitelist', WHITELIST,
      '-f', 'flac',
      '-i', `file:${INPUT}`,
      '-map', '0:a:0',
      '-vn', '-sn', '-dn',
      '-map_metadata', '-1',
      '-c:a', 'flac',
      '-ar', '96000',
      '-ac', '2',
      '-sample_fmt', 's32',
      '-bits_per_raw_sample', '24',
      '-t', '14400',
      '-strict', 'experimental',
      '-f', 'hls',
      '-hls_time', '4',
      '-hls_playlist_type', 'vod',
      '-hls_list_size', '0',
      '-start_number', '1',
      '-hls_segment_type', 'fmp4',
      '-hls_fmp4_init_filename', 'init.mp4',
      '-hls_segment_filename', 'segment_%05d.m4s',
      '-progress', 'pipe:1',
      '-nostats',
      'index.m3u8',
    ]);
  });

  it('exports the manifest and init segment names it writes', () => {
    expect(HLS_MANIFEST).toBe('index.m3u8');
    expect(HLS_INIT_SEGMENT).toBe('init.mp4');
  });
});

describe('encoderArgs', () => {
  it('AAC: encoder, bitrate, rate, channels only', () => {
    expect(encoderArgs(AAC_PLAN, 'aac')).toEqual(['-c:a', 'aac', '-b:a', '256000', '-ar', '44100', '-ac', '2']);
  });

  it('MP3 with libmp3lame', () => {
    expect(encoderArgs({ ...MP3_PLAN, sampleRate: 48_000, channels: 1 }, 'libmp3lame')).toEqual([
      '-c:a', 'libmp3lame', '-b:a', '320000', '-ar', '48000', '-ac', '1',
    ]);
  });

  it('16-bit FLAC: s16, no bitrate, no raw-sample override', () => {
    expect(encoderArgs({ ...FLAC_PLAN, profile: 'high', sampleRate: 48_000, channels: 6, bitDepth: 16 }, 'flac')).toEqual([
      '-c:a', 'flac', '-ar', '48000', '-ac', '6', '-sample_fmt', 's16',
    ]);
  });

  it('24-bit FLAC: s32 samples holding 24 bits', () => {
    expect(encoderArgs(FLAC_PLAN, 'flac')).toEqual([
      '-c:a', 'flac', '-ar', '96000', '-ac', '2', '-sample_fmt', 's32', '-bits_per_raw_sample', '24',
    ]);
  });

  it('the native opus encoder gets -strict experimental', () => {
    const args = encoderArgs(OPUS_PLAN, 'opus');
    expect(args.slice(0, 8)).toEqual(['-c:a', 'opus', '-b:a', '160000', '-ar', '48000', '-ac', '2']);
    expect(pairIndex(args, '-strict', 'experimental')).toBeGreaterThanOrEqual(0);
  });

  it('libopus needs no -strict', () => {
    const args = encoderArgs(OPUS_PLAN, 'libopus');
    expect(args.slice(0, 8)).toEqual(['-c:a', 'libopus', '-b:a', '160000', '-ar', '48000', '-ac', '2']);
    expect(args).not.toContain('-strict');
  });

  it('the full opus job with the native encoder carries -strict experimental before the output', () => {
    const argv = buildHlsArgs(job(OPUS_PLAN, 'opus', { demuxer: 'ogg' }));
    const strict = pairIndex(argv, '-strict', 'experimental');
    expect(strict).toBeGreaterThan(argv.indexOf('-c:a'));
    expect(strict).toBeLessThan(argv.indexOf('index.m3u8'));
    expect(argv).toContain('-hls_fmp4_init_filename');
    expect(argv[argv.indexOf('-hls_segment_filename') + 1]).toBe('segment_%05d.m4s');
  });
});

describe('inputArgs', () => {
  it('whitelists file protocol and audio demuxers, forces the demuxer, prefixes file:', () => {
    expect(inputArgs('/tmp/in', 'mov')).toEqual([
      '-protocol_whitelist', 'file',
      '-format_whitelist', WHITELIST,
      '-f', 'mov',
      '-i', 'file:/tmp/in',
    ]);
  });

  it('keeps a path that looks like a URL a local file', () => {
    expect(inputArgs('http://evil.example/x', 'mp3').at(-1)).toBe('file:http://evil.example/x');
  });
});

describe('security invariants, for every codec', () => {
  it.each(ALL_JOBS)('%s', (_name, hlsJob) => {
    const argv = buildHlsArgs(hlsJob);
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
    expect(argv.slice(input - 2, input)).toEqual(['-f', hlsJob.demuxer]);
    // The input is a file: URL of the upload path.
    expect(argv[input + 1]).toBe(`file:${hlsJob.input}`);

    // Nothing that would loosen the demuxer (concat's -safe) or smuggle shell syntax.
    expect(argv).not.toContain('-safe');
    expect(argv).not.toContain('concat');
    for (const arg of argv) {
      expect(arg).not.toMatch(/[;&|`$<>\n]/);
    }

    // Progress on stdout, and the relative manifest last.
    expect(pairIndex(argv, '-progress', 'pipe:1')).toBeGreaterThan(input);
    expect(argv.at(-1)).toBe('index.m3u8');
    expect(argv.filter((arg) => arg.includes('/') && arg !== `file:${hlsJob.input}`)).toEqual([]);

    // Only the first audio stream; no metadata copied from the upload.
    expect(pairIndex(argv, '-map', '0:a:0')).toBeGreaterThan(input);
    expect(pairIndex(argv, '-map_metadata', '-1')).toBeGreaterThan(input);
  });

  it('AUDIO_DEMUXERS holds no playlist, image, subtitle or raw-text demuxer', () => {
    for (const forbidden of ['hls', 'applehttp', 'concat', 'image2', 'image2pipe', 'srt', 'webvtt', 'ass', 'tty', 'lavfi', 'data', 'rawvideo']) {
      expect(AUDIO_DEMUXERS).not.toContain(forbidden);
    }
  });

  it('AUDIO_DEMUXERS holds the common audio containers', () => {
    for (const demuxer of ['wav', 'mp3', 'flac', 'mov', 'ogg', 'matroska', 'aiff', 'aac']) {
      expect(AUDIO_DEMUXERS).toContain(demuxer);
    }
  });

  it('AUDIO_DEMUXERS entries are single plain names (a comma would widen the whitelist)', () => {
    for (const demuxer of AUDIO_DEMUXERS) expect(demuxer).toMatch(/^[a-z0-9_]+$/);
  });
});

describe('buildCapabilityProbeArgs', () => {
  it('AAC: a sine into MPEG-TS HLS', () => {
    expect(buildCapabilityProbeArgs('aac', 'aac')).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel', 'error',
      '-y',
      '-f', 'lavfi',
      '-i', 'sine=frequency=440:sample_rate=48000:duration=0.5',
      '-c:a', 'aac',
      '-f', 'hls',
      '-hls_time', '1',
      '-hls_playlist_type', 'vod',
      '-hls_list_size', '0',
      '-start_number', '1',
      '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', 'segment_%05d.ts',
      'index.m3u8',
    ]);
  });

  it('FLAC: a sine into fMP4 HLS, with -strict experimental for the muxer', () => {
    expect(buildCapabilityProbeArgs('flac', 'flac')).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel', 'error',
      '-y',
      '-f', 'lavfi',
      '-i', 'sine=frequency=440:sample_rate=48000:duration=0.5',
      '-c:a', 'flac',
      '-strict', 'experimental',
      '-f', 'hls',
      '-hls_time', '1',
      '-hls_playlist_type', 'vod',
      '-hls_list_size', '0',
      '-start_number', '1',
      '-hls_segment_type', 'fmp4',
      '-hls_fmp4_init_filename', 'init.mp4',
      '-hls_segment_filename', 'segment_%05d.m4s',
      'index.m3u8',
    ]);
  });

  it.each<[Codec, string, 'mpegts' | 'fmp4']>([
    ['aac', 'aac', 'mpegts'],
    ['mp3', 'libmp3lame', 'mpegts'],
    ['opus', 'libopus', 'fmp4'],
    ['opus', 'opus', 'fmp4'],
    ['flac', 'flac', 'fmp4'],
  ])('%s with %s uses %s segments and the manifest last', (codec, encoder, container) => {
    const argv = buildCapabilityProbeArgs(codec, encoder);
    expect(argv[argv.indexOf('-c:a') + 1]).toBe(encoder);
    expect(argv[argv.indexOf('-hls_segment_type') + 1]).toBe(container);
    expect(argv.includes('-hls_fmp4_init_filename')).toBe(container === 'fmp4');
    expect(argv.includes('-strict')).toBe(container === 'fmp4');
    expect(argv.at(-1)).toBe('index.m3u8');
    // The only input is the generated sine, never a file.
    expect(argv.filter((arg) => arg === '-i')).toHaveLength(1);
    expect(argv[argv.indexOf('-i') - 1]).toBe('lavfi');
  });
});
