import { InvalidInputError } from '@stream-server/errors';
import {
  checkOutputRequest,
  pickSampleRate,
  resolveEncodingPlan,
  type Codec,
  type OutputRequest,
  type QualityProfile,
  type SourceAudio,
} from '@stream-server/profiles';

/** A CD-quality stereo WAV, overridable per test. */
function source(overrides: Partial<SourceAudio> = {}): SourceAudio {
  return {
    codec: 'pcm_s16le',
    sampleRate: 44_100,
    channels: 2,
    bitsPerSample: 16,
    durationSeconds: 8,
    bitrate: 1_411_200,
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw (fails the test when nothing is thrown). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got none');
}

function expectInvalidBitrate(request: OutputRequest): void {
  const err = thrown(() => checkOutputRequest(request));
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as InvalidInputError).code).toBe('INVALID_BITRATE');
  // resolveEncodingPlan refuses the same request the same way.
  const planErr = thrown(() => resolveEncodingPlan(request, source()));
  expect(planErr).toBeInstanceOf(InvalidInputError);
  expect((planErr as InvalidInputError).code).toBe('INVALID_BITRATE');
}

describe('default codec per profile', () => {
  it.each<[QualityProfile, Codec]>([
    ['hi_res', 'flac'],
    ['high', 'aac'],
    ['medium', 'aac'],
    ['low', 'aac'],
  ])('%s without a codec encodes %s', (profile, codec) => {
    expect(checkOutputRequest({ profile }).codec).toBe(codec);
    expect(resolveEncodingPlan({ profile }, source()).codec).toBe(codec);
  });

  it('an explicit codec overrides the profile default', () => {
    expect(checkOutputRequest({ profile: 'hi_res', codec: 'aac' }).codec).toBe('aac');
    expect(checkOutputRequest({ profile: 'low', codec: 'flac' })).toEqual({ codec: 'flac', bitrate: null });
  });
});

describe('profile bitrates', () => {
  it.each<[Codec, QualityProfile, number]>([
    ['aac', 'low', 64_000],
    ['aac', 'medium', 128_000],
    ['aac', 'high', 256_000],
    ['mp3', 'low', 96_000],
    ['mp3', 'medium', 160_000],
    ['mp3', 'high', 320_000],
    ['opus', 'low', 48_000],
    ['opus', 'medium', 96_000],
    ['opus', 'high', 160_000],
  ])('%s %s → %d bps', (codec, profile, bitrate) => {
    expect(checkOutputRequest({ profile, codec })).toEqual({ codec, bitrate });
    expect(resolveEncodingPlan({ profile, codec }, source()).bitrate).toBe(bitrate);
  });

  it('AAC without a codec uses the AAC table', () => {
    expect(checkOutputRequest({ profile: 'medium' })).toEqual({ codec: 'aac', bitrate: 128_000 });
  });

  it('FLAC has no bitrate', () => {
    expect(checkOutputRequest({ profile: 'hi_res' })).toEqual({ codec: 'flac', bitrate: null });
    expect(resolveEncodingPlan({ profile: 'high', codec: 'flac' }, source()).bitrate).toBeNull();
  });
});

describe('explicit bitrates', () => {
  it('an explicit bitrate wins over the profile', () => {
    expect(checkOutputRequest({ profile: 'low', codec: 'aac', bitrate: 192_000 })).toEqual({
      codec: 'aac',
      bitrate: 192_000,
    });
    expect(resolveEncodingPlan({ profile: 'high', codec: 'mp3', bitrate: 128_000 }, source()).bitrate).toBe(128_000);
    expect(resolveEncodingPlan({ profile: 'medium', codec: 'opus', bitrate: 64_000 }, source()).bitrate).toBe(64_000);
  });

  it('a bitrate with FLAC (explicit or hi_res default) is INVALID_BITRATE', () => {
    expectInvalidBitrate({ profile: 'high', codec: 'flac', bitrate: 192_000 });
    expectInvalidBitrate({ profile: 'hi_res', bitrate: 320_000 });
  });

  it('rejects bitrates above the codec maximum', () => {
    expectInvalidBitrate({ profile: 'high', codec: 'mp3', bitrate: 900_000 });
    expectInvalidBitrate({ profile: 'high', codec: 'mp3', bitrate: 320_001 });
    expectInvalidBitrate({ profile: 'high', codec: 'aac', bitrate: 512_001 });
    expectInvalidBitrate({ profile: 'high', codec: 'opus', bitrate: 510_001 });
  });

  it('rejects bitrates below the codec minimum', () => {
    expectInvalidBitrate({ profile: 'low', codec: 'mp3', bitrate: 31_999 });
    expectInvalidBitrate({ profile: 'low', codec: 'aac', bitrate: 16_000 });
    expectInvalidBitrate({ profile: 'low', codec: 'opus', bitrate: 5_999 });
    expectInvalidBitrate({ profile: 'low', codec: 'aac', bitrate: 1 });
  });

  it('accepts the range boundaries', () => {
    expect(checkOutputRequest({ profile: 'low', codec: 'mp3', bitrate: 32_000 }).bitrate).toBe(32_000);
    expect(checkOutputRequest({ profile: 'low', codec: 'mp3', bitrate: 320_000 }).bitrate).toBe(320_000);
    expect(checkOutputRequest({ profile: 'low', codec: 'opus', bitrate: 6_000 }).bitrate).toBe(6_000);
    expect(checkOutputRequest({ profile: 'low', codec: 'aac', bitrate: 512_000 }).bitrate).toBe(512_000);
  });

  it('the out-of-range message names the codec and its range', () => {
    const err = thrown(() => checkOutputRequest({ profile: 'high', codec: 'mp3', bitrate: 900_000 })) as Error;
    expect(err.message).toContain('mp3');
    expect(err.message).toContain('32000');
    expect(err.message).toContain('320000');
  });
});

describe('sample rate', () => {
  it.each<[Codec, number, number]>([
    ['aac', 44_100, 44_100],
    ['aac', 48_000, 48_000],
    ['aac', 96_000, 96_000],
    ['aac', 88_200, 88_200],
    ['mp3', 88_200, 44_100],
    ['mp3', 96_000, 48_000],
    ['mp3', 176_400, 44_100],
    ['mp3', 192_000, 48_000],
    ['mp3', 22_050, 22_050],
    ['mp3', 7_000, 8_000],
    ['aac', 7_000, 8_000],
    ['aac', 176_400, 88_200],
    ['aac', 192_000, 96_000],
    ['opus', 44_100, 48_000],
    ['opus', 96_000, 48_000],
    ['opus', 88_200, 48_000],
    ['opus', 8_000, 48_000],
    ['opus', 48_000, 48_000],
  ])('%s from a %d Hz source → %d Hz', (codec, from, to) => {
    expect(resolveEncodingPlan({ profile: 'high', codec }, source({ sampleRate: from })).sampleRate).toBe(to);
  });

  it('hi_res FLAC keeps the source rate, even 192 kHz', () => {
    const plan = resolveEncodingPlan({ profile: 'hi_res' }, source({ sampleRate: 192_000, bitsPerSample: 24 }));
    expect(plan.sampleRate).toBe(192_000);
  });

  it.each<[number, number]>([
    [96_000, 48_000],
    [88_200, 44_100],
    [192_000, 48_000],
    [176_400, 44_100],
    [48_000, 48_000],
    [44_100, 44_100],
    [32_000, 32_000],
  ])('non-hi_res FLAC from %d Hz → %d Hz (standard lossless, same family)', (from, to) => {
    const plan = resolveEncodingPlan(
      { profile: 'high', codec: 'flac' },
      source({ sampleRate: from, bitsPerSample: 24 }),
    );
    expect(plan.sampleRate).toBe(to);
  });
});

describe('pickSampleRate', () => {
  const mp3 = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000];

  it('keeps an allowed rate', () => {
    expect(pickSampleRate(32_000, mp3)).toBe(32_000);
  });

  it('goes to the next rate up below the maximum', () => {
    expect(pickSampleRate(7_000, mp3)).toBe(8_000);
    expect(pickSampleRate(40_000, mp3)).toBe(44_100);
    expect(pickSampleRate(45_000, mp3)).toBe(48_000);
  });

  it('picks the highest same-family rate above the maximum', () => {
    expect(pickSampleRate(88_200, mp3)).toBe(44_100);
    expect(pickSampleRate(96_000, mp3)).toBe(48_000);
  });

  it('falls back to the maximum when no rate divides the source', () => {
    expect(pickSampleRate(100_000, mp3)).toBe(48_000);
  });

  it('does not depend on the order of the allowed list', () => {
    expect(pickSampleRate(7_000, [48_000, 8_000, 44_100])).toBe(8_000);
    expect(pickSampleRate(88_200, [48_000, 44_100])).toBe(44_100);
  });

  it('throws on an empty list', () => {
    expect(() => pickSampleRate(44_100, [])).toThrow();
  });
});

describe('channels', () => {
  it.each<[Codec, number, number]>([
    ['aac', 6, 2],
    ['mp3', 6, 2],
    ['opus', 6, 2],
    ['aac', 1, 1],
    ['aac', 2, 2],
    ['flac', 6, 6],
    ['flac', 8, 8],
    ['flac', 10, 8],
    ['flac', 1, 1],
  ])('%s from %d channels → %d', (codec, from, to) => {
    expect(resolveEncodingPlan({ profile: 'high', codec }, source({ channels: from })).channels).toBe(to);
  });
});

describe('FLAC bit depth', () => {
  it.each<[QualityProfile, number | null, 16 | 24]>([
    ['hi_res', 24, 24],
    ['hi_res', 32, 24],
    ['hi_res', 16, 16],
    ['hi_res', null, 16],
    ['high', 24, 16],
    ['low', 24, 16],
  ])('%s FLAC with a %s-bit source → %d bits', (profile, bits, depth) => {
    const plan = resolveEncodingPlan({ profile, codec: 'flac' }, source({ bitsPerSample: bits, sampleRate: 96_000 }));
    expect(plan.bitDepth).toBe(depth);
  });

  it('lossy codecs have no bit depth', () => {
    for (const codec of ['aac', 'mp3', 'opus'] as const) {
      expect(resolveEncodingPlan({ profile: 'hi_res', codec }, source({ bitsPerSample: 24 })).bitDepth).toBeNull();
    }
  });
});

describe('container', () => {
  it.each<[Codec, 'mpegts' | 'fmp4']>([
    ['aac', 'mpegts'],
    ['mp3', 'mpegts'],
    ['opus', 'fmp4'],
    ['flac', 'fmp4'],
  ])('%s → %s', (codec, container) => {
    expect(resolveEncodingPlan({ profile: 'high', codec }, source()).container).toBe(container);
  });
});

describe('whole plans', () => {
  it('hi_res default from a 24-bit 96 kHz 6-channel source', () => {
    expect(
      resolveEncodingPlan(
        { profile: 'hi_res' },
        source({ codec: 'pcm_s24le', sampleRate: 96_000, channels: 6, bitsPerSample: 24 }),
      ),
    ).toEqual({
      codec: 'flac',
      profile: 'hi_res',
      bitrate: null,
      sampleRate: 96_000,
      channels: 6,
      bitDepth: 24,
      container: 'fmp4',
    });
  });

  it('medium default from a 24-bit 88.2 kHz stereo source', () => {
    expect(resolveEncodingPlan({ profile: 'medium' }, source({ sampleRate: 88_200, bitsPerSample: 24 }))).toEqual({
      codec: 'aac',
      profile: 'medium',
      bitrate: 128_000,
      sampleRate: 88_200,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    });
  });

  it('mp3 low from a 5.1 96 kHz source', () => {
    expect(resolveEncodingPlan({ profile: 'low', codec: 'mp3' }, source({ sampleRate: 96_000, channels: 6 }))).toEqual({
      codec: 'mp3',
      profile: 'low',
      bitrate: 96_000,
      sampleRate: 48_000,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    });
  });

  it('is pure: the same inputs give equal plans and the inputs are untouched', () => {
    const src = source({ sampleRate: 88_200, channels: 6 });
    const copy = { ...src };
    const request: OutputRequest = { profile: 'high', codec: 'opus', bitrate: 128_000 };
    expect(resolveEncodingPlan(request, src)).toEqual(resolveEncodingPlan(request, src));
    expect(src).toEqual(copy);
  });
});
