import { InvalidInputError } from '@stream-server/errors';
import {
  checkLadderRequest,
  DEFAULT_LADDER,
  parseTranscodeOptions,
  resolveDownloadPlan,
  resolveLadder,
  type SourceAudio,
} from '@stream-server/profiles';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.code;
    throw err;
  }
  throw new Error('expected a throw, got none');
}

const CD: SourceAudio = {
  codec: 'pcm_s16le',
  sampleRate: 44_100,
  channels: 2,
  bitsPerSample: 16,
  durationSeconds: 10,
  bitrate: 1_411_200,
};

describe('parseTranscodeOptions: renditions, abr, normalize, download', () => {
  it('a list of profiles becomes a ladder, lowest first', () => {
    expect(parseTranscodeOptions({ renditions: ' high, low ,medium' }).renditions).toEqual(['low', 'medium', 'high']);
  });

  it('abr=true alone is the default ladder; renditions win over it', () => {
    expect(parseTranscodeOptions({ abr: 'true' }).renditions).toEqual(DEFAULT_LADDER);
    expect(parseTranscodeOptions({ abr: '1', renditions: 'low,hi_res' }).renditions).toEqual(['low', 'hi_res']);
    expect(parseTranscodeOptions({ abr: 'false' }).renditions).toBeUndefined();
  });

  it('a one-profile list is a plain job of that profile', () => {
    const options = parseTranscodeOptions({ renditions: 'medium', quality_profile: 'high' });
    expect(options.renditions).toBeUndefined();
    expect(options.profile).toBe('medium');
  });

  it.each([
    [{ renditions: 'low,low' }],
    [{ renditions: 'low,,high' }],
    [{ renditions: 'low,ultra' }],
    [{ renditions: 'LOW,high' }],
    [{ renditions: 'low,medium,high,hi_res,low' }],
    [{ renditions: 'low,high', bitrate: '128000' }],
    [{ abr: 'true', bitrate: '128000' }],
    [{ renditions: ['low', 'high'] }],
  ])('%p → INVALID_RENDITIONS', (fields) => {
    expect(codeOf(() => parseTranscodeOptions(fields))).toBe('INVALID_RENDITIONS');
  });

  it('all four profiles are allowed', () => {
    expect(parseTranscodeOptions({ renditions: 'hi_res,high,medium,low' }).renditions).toEqual([
      'low',
      'medium',
      'high',
      'hi_res',
    ]);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('normalize/download=%p → %p', (value, expected) => {
    const options = parseTranscodeOptions({ normalize: value, download: value });
    expect(options.normalize).toBe(expected);
    expect(options.download).toBe(expected);
  });

  it.each(['yes', 'on', '2', 'truee'])('normalize=%p → INVALID_BOOLEAN', (value) => {
    expect(codeOf(() => parseTranscodeOptions({ normalize: value }))).toBe('INVALID_BOOLEAN');
    expect(codeOf(() => parseTranscodeOptions({ download: value }))).toBe('INVALID_BOOLEAN');
  });

  it('absent flags stay absent', () => {
    expect(parseTranscodeOptions({})).toEqual({ profile: 'high', priority: 'normal' });
  });
});

describe('resolveLadder', () => {
  it('one plan per rung, AAC by default (even for hi_res), lowest bitrate first', () => {
    const ladder = resolveLadder({ renditions: ['hi_res', 'low'] }, CD);
    expect(ladder.map((rung) => [rung.name, rung.plan.codec, rung.plan.bitrate])).toEqual([
      ['low', 'aac', 64_000],
      ['hi_res', 'aac', 320_000],
    ]);
  });

  it('uses the named codec for every rung', () => {
    const ladder = resolveLadder({ renditions: ['low', 'medium', 'high'], codec: 'opus' }, CD);
    expect(
      ladder.every(
        (rung) => rung.plan.codec === 'opus' && rung.plan.container === 'fmp4' && rung.plan.sampleRate === 48_000,
      ),
    ).toBe(true);
  });

  it('refuses a lossless ladder', () => {
    expect(codeOf(() => checkLadderRequest({ renditions: ['low', 'high'], codec: 'flac' }))).toBe('INVALID_RENDITIONS');
  });
});

describe('resolveDownloadPlan', () => {
  it('is AAC at the high profile, the source rate up to 48 kHz, stereo at most', () => {
    expect(resolveDownloadPlan(CD).sampleRate).toBe(44_100);
    expect(resolveDownloadPlan({ ...CD, sampleRate: 88_200 }).sampleRate).toBe(44_100);
    expect(resolveDownloadPlan({ ...CD, sampleRate: 96_000, channels: 6 })).toEqual({
      codec: 'aac',
      profile: 'high',
      bitrate: 256_000,
      sampleRate: 48_000,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    });
  });
});
