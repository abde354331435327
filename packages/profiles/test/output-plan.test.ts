import { InvalidInputError } from '@stream-server/errors';
import {
  CODEC_TRAITS,
  CODECS,
  QUALITY_PROFILES,
  checkTranscodeOptions,
  codecsOf,
  parseTranscodeOptions,
  resolveOutputPlan,
  type SourceAudio,
  type TranscodeRequest,
} from '@stream-server/profiles';

const CD: SourceAudio = {
  codec: 'pcm_s16le',
  sampleRate: 44_100,
  channels: 2,
  bitsPerSample: 16,
  durationSeconds: 10,
  bitrate: 1_411_200,
};
const HI_RES: SourceAudio = { ...CD, codec: 'pcm_s24le', sampleRate: 96_000, channels: 6, bitsPerSample: 24 };

function request(fields: Record<string, unknown>): TranscodeRequest {
  return checkTranscodeOptions(parseTranscodeOptions(fields));
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.code;
    throw err;
  }
  throw new Error('expected a throw, got none');
}

describe('checkTranscodeOptions', () => {
  it('no fields: one AAC rendition at the high profile, nothing else', () => {
    expect(request({})).toEqual({
      output: { kind: 'single', profile: 'high', codec: 'aac', bitrate: 256_000 },
      priority: 'normal',
      trackId: undefined,
      normalize: false,
      download: false,
    });
  });

  it('a ladder: one codec, each rung at its profile bitrate, lowest first', () => {
    expect(request({ renditions: 'high,low', codec: 'opus', download: 'true', normalize: '1', track_id: 't' })).toEqual(
      {
        output: {
          kind: 'ladder',
          codec: 'opus',
          rungs: [
            { name: 'low', bitrate: 48_000 },
            { name: 'high', bitrate: 160_000 },
          ],
        },
        priority: 'normal',
        trackId: 't',
        normalize: true,
        download: true,
      },
    );
  });

  it.each([
    [{ codec: 'flac', bitrate: '192000' }, 'INVALID_BITRATE'],
    [{ quality_profile: 'hi_res', bitrate: '192000' }, 'INVALID_BITRATE'],
    [{ codec: 'mp3', bitrate: '900000' }, 'INVALID_BITRATE'],
    [{ renditions: 'low,high', codec: 'flac' }, 'INVALID_RENDITIONS'],
  ])('%j → %s', (fields, code) => {
    const options = parseTranscodeOptions(fields);
    expect(codeOf(() => checkTranscodeOptions(options))).toBe(code);
  });

  // Ladder rungs take the table's bitrates unchecked: this is why they may.
  it('every profile bitrate of every lossy codec lies within that codec range', () => {
    for (const codec of CODECS) {
      const { profileBitrates, bitrateRange } = CODEC_TRAITS[codec];
      if (profileBitrates === null || bitrateRange === null) {
        expect(CODEC_TRAITS[codec].lossless).toBe(true);
        continue;
      }
      for (const profile of QUALITY_PROFILES) {
        expect(profileBitrates[profile]).toBeGreaterThanOrEqual(bitrateRange[0]);
        expect(profileBitrates[profile]).toBeLessThanOrEqual(bitrateRange[1]);
      }
    }
  });
});

describe('codecsOf', () => {
  it.each([
    [{}, ['aac']],
    [{ codec: 'opus' }, ['opus']],
    [{ codec: 'opus', download: 'true' }, ['opus', 'aac']],
    [{ download: 'true' }, ['aac']],
    [{ renditions: 'low,high', codec: 'mp3', download: 'true' }, ['mp3', 'aac']],
  ])('%j needs %j', (fields, codecs) => {
    expect(codecsOf(request(fields))).toEqual(codecs);
  });
});

describe('resolveOutputPlan', () => {
  it('one rendition', () => {
    expect(resolveOutputPlan(request({ quality_profile: 'hi_res' }), HI_RES)).toEqual({
      plan: {
        codec: 'flac',
        profile: 'hi_res',
        bitrate: null,
        sampleRate: 96_000,
        channels: 6,
        bitDepth: 24,
        container: 'fmp4',
      },
    });
  });

  it('one rendition with an explicit bitrate', () => {
    expect(resolveOutputPlan(request({ codec: 'mp3', bitrate: '192000', quality_profile: 'low' }), HI_RES)).toEqual({
      plan: {
        codec: 'mp3',
        profile: 'low',
        bitrate: 192_000,
        sampleRate: 48_000,
        channels: 2,
        bitDepth: null,
        container: 'mpegts',
      },
    });
  });

  it('a ladder: every rung planned, lowest first, the top rung as the plan', () => {
    const low = {
      codec: 'aac',
      profile: 'low',
      bitrate: 64_000,
      sampleRate: 44_100,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    };
    const medium = { ...low, profile: 'medium', bitrate: 128_000 };
    const hiRes = { ...low, profile: 'hi_res', bitrate: 320_000 };
    expect(resolveOutputPlan(request({ renditions: 'hi_res,medium,low' }), CD)).toEqual({
      plan: hiRes,
      renditions: [
        { name: 'low', plan: low },
        { name: 'medium', plan: medium },
        { name: 'hi_res', plan: hiRes },
      ],
      parts: [
        { rungs: ['hi_res'], extras: true, cost: 3.75 },
        { rungs: ['low', 'medium'], extras: false, cost: 3.5 },
      ],
    });
  });

  it('a download beside an Opus rendition is AAC, at most 48 kHz and stereo', () => {
    expect(resolveOutputPlan(request({ codec: 'opus', quality_profile: 'medium', download: 'true' }), HI_RES)).toEqual({
      plan: {
        codec: 'opus',
        profile: 'medium',
        bitrate: 96_000,
        sampleRate: 48_000,
        channels: 2,
        bitDepth: null,
        container: 'fmp4',
      },
      download: {
        codec: 'aac',
        profile: 'high',
        bitrate: 256_000,
        sampleRate: 48_000,
        channels: 2,
        bitDepth: null,
        container: 'mpegts',
      },
    });
  });

  it('a ladder with a download', () => {
    const plan = resolveOutputPlan(request({ abr: 'true', codec: 'mp3', download: 'true' }), CD);
    expect(plan.renditions?.map((rung) => [rung.name, rung.plan.bitrate])).toEqual([
      ['low', 96_000],
      ['medium', 160_000],
      ['high', 320_000],
    ]);
    expect(plan.plan).toBe(plan.renditions?.[2]?.plan);
    expect(plan.download).toEqual({
      codec: 'aac',
      profile: 'high',
      bitrate: 256_000,
      sampleRate: 44_100,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    });
  });

  it('is pure: the same inputs give equal plans and leave the inputs untouched', () => {
    const checked = request({ renditions: 'low,high', download: 'true' });
    const copy = structuredClone(checked);
    const source = { ...HI_RES };
    expect(resolveOutputPlan(checked, source)).toEqual(resolveOutputPlan(checked, source));
    expect(checked).toEqual(copy);
    expect(source).toEqual(HI_RES);
  });
});
