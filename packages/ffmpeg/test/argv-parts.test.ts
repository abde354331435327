import {
  AUDIO_DEMUXERS,
  HLS_INIT_SEGMENT,
  HLS_MANIFEST,
  buildCapabilityProbeArgs,
  encoderArgs,
  inputArgs,
} from '@stream-server/ffmpeg';
import type { Codec, EncodingPlan } from '@stream-server/profiles';

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

/** Index of `flag` followed by `value` in argv, or -1. */
function pairIndex(argv: readonly string[], flag: string, value: string): number {
  return argv.findIndex((arg, i) => arg === flag && argv[i + 1] === value);
}

describe('HLS output names', () => {
  it('are the manifest and init segment names every rendition uses', () => {
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
      '-c:a',
      'libmp3lame',
      '-b:a',
      '320000',
      '-ar',
      '48000',
      '-ac',
      '1',
    ]);
  });

  it('16-bit FLAC: s16, no bitrate, no raw-sample override', () => {
    expect(
      encoderArgs({ ...FLAC_PLAN, profile: 'high', sampleRate: 48_000, channels: 6, bitDepth: 16 }, 'flac'),
    ).toEqual(['-c:a', 'flac', '-ar', '48000', '-ac', '6', '-sample_fmt', 's16']);
  });

  it('24-bit FLAC: s32 samples holding 24 bits', () => {
    expect(encoderArgs(FLAC_PLAN, 'flac')).toEqual([
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
});

describe('inputArgs', () => {
  it('whitelists file protocol and audio demuxers, forces the demuxer, prefixes file:', () => {
    expect(inputArgs('/tmp/in', 'mov')).toEqual([
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      WHITELIST,
      '-f',
      'mov',
      '-i',
      'file:/tmp/in',
    ]);
  });

  it('keeps a path that looks like a URL a local file', () => {
    expect(inputArgs('http://evil.example/x', 'mp3').at(-1)).toBe('file:http://evil.example/x');
  });
});

describe('AUDIO_DEMUXERS, the -format_whitelist of inputArgs', () => {
  it('AUDIO_DEMUXERS holds no playlist, image, subtitle or raw-text demuxer', () => {
    for (const forbidden of [
      'hls',
      'applehttp',
      'concat',
      'image2',
      'image2pipe',
      'srt',
      'webvtt',
      'ass',
      'tty',
      'lavfi',
      'data',
      'rawvideo',
    ]) {
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
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=0.5',
      '-c:a',
      'aac',
      '-f',
      'hls',
      '-hls_time',
      '1',
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
    ]);
  });

  it('FLAC: a sine into fMP4 HLS, with -strict experimental for the muxer', () => {
    expect(buildCapabilityProbeArgs('flac', 'flac')).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=0.5',
      '-c:a',
      'flac',
      '-strict',
      'experimental',
      '-f',
      'hls',
      '-hls_time',
      '1',
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
