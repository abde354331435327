import { InvalidInputError } from '@stream-server/errors';
import { parseTranscodeOptions } from '@stream-server/profiles';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw, got none');
}

function expectInvalid(fields: Record<string, unknown>, code: string): InvalidInputError {
  const err = thrown(() => parseTranscodeOptions(fields));
  expect(err).toBeInstanceOf(InvalidInputError);
  expect((err as InvalidInputError).code).toBe(code);
  return err as InvalidInputError;
}

describe('parseTranscodeOptions: defaults', () => {
  it('no fields → profile high, priority normal, nothing else', () => {
    const options = parseTranscodeOptions({});
    expect(options).toEqual({ profile: 'high', priority: 'normal' });
    expect(options.codec).toBeUndefined();
    expect(options.bitrate).toBeUndefined();
    expect(options.trackId).toBeUndefined();
  });

  it('empty strings count as absent', () => {
    const options = parseTranscodeOptions({ codec: '', quality_profile: '', priority: '', bitrate: '', track_id: '' });
    expect(options).toEqual({ profile: 'high', priority: 'normal' });
    expect(options.codec).toBeUndefined();
    expect(options.bitrate).toBeUndefined();
    expect(options.trackId).toBeUndefined();
  });

  it('whitespace-only strings count as absent too', () => {
    const options = parseTranscodeOptions({
      codec: '  ',
      quality_profile: '\t',
      priority: ' ',
      bitrate: ' ',
      track_id: '   ',
    });
    expect(options.codec).toBeUndefined();
    expect(options.profile).toBe('high');
    expect(options.priority).toBe('normal');
    expect(options.bitrate).toBeUndefined();
    expect(options.trackId).toBeUndefined();
  });

  it('null counts as absent', () => {
    expect(parseTranscodeOptions({ codec: null, bitrate: null })).toEqual({ profile: 'high', priority: 'normal' });
  });

  it('ignores unknown fields', () => {
    expect(parseTranscodeOptions({ foo: 'bar', codec_name: 'wav', __proto__x: 1, quality: ['x', 'y'] })).toEqual({
      profile: 'high',
      priority: 'normal',
    });
  });
});

describe('parseTranscodeOptions: enumerations', () => {
  it.each(['aac', 'mp3', 'opus', 'flac'])('codec %s is accepted', (codec) => {
    expect(parseTranscodeOptions({ codec }).codec).toBe(codec);
  });

  it.each(['hi_res', 'high', 'medium', 'low'])('quality_profile %s is accepted', (profile) => {
    expect(parseTranscodeOptions({ quality_profile: profile }).profile).toBe(profile);
  });

  it.each(['urgent', 'normal', 'background'])('priority %s is accepted', (priority) => {
    expect(parseTranscodeOptions({ priority }).priority).toBe(priority);
  });

  it('trims enumerated values', () => {
    expect(parseTranscodeOptions({ codec: ' opus ', quality_profile: ' low', priority: 'urgent\n' })).toEqual({
      codec: 'opus',
      profile: 'low',
      priority: 'urgent',
    });
  });

  it('a whole request', () => {
    expect(
      parseTranscodeOptions({
        codec: 'mp3',
        bitrate: '192000',
        quality_profile: 'medium',
        priority: 'background',
        track_id: 'track-42',
      }),
    ).toEqual({ codec: 'mp3', bitrate: 192_000, profile: 'medium', priority: 'background', trackId: 'track-42' });
  });

  it('an invalid codec → INVALID_CODEC naming the allowed values', () => {
    const err = expectInvalid({ codec: 'wav' }, 'INVALID_CODEC');
    for (const codec of ['aac', 'mp3', 'opus', 'flac']) expect(err.message).toContain(codec);
    expect(err.message).toContain('codec');
  });

  it('an invalid quality_profile → INVALID_QUALITY_PROFILE naming the allowed values', () => {
    const err = expectInvalid({ quality_profile: 'ultra' }, 'INVALID_QUALITY_PROFILE');
    for (const profile of ['hi_res', 'high', 'medium', 'low']) expect(err.message).toContain(profile);
    expect(err.message).toContain('quality_profile');
  });

  it('an invalid priority → INVALID_PRIORITY naming the allowed values', () => {
    const err = expectInvalid({ priority: 'asap' }, 'INVALID_PRIORITY');
    for (const priority of ['urgent', 'normal', 'background']) expect(err.message).toContain(priority);
    expect(err.message).toContain('priority');
  });

  it('a near miss is still invalid', () => {
    expectInvalid({ codec: 'aacc' }, 'INVALID_CODEC');
    expectInvalid({ quality_profile: 'hi-res' }, 'INVALID_QUALITY_PROFILE');
    expectInvalid({ priority: 'normal2' }, 'INVALID_PRIORITY');
  });

  it('does not echo a huge invalid value in full', () => {
    const err = expectInvalid({ codec: 'x'.repeat(5000) }, 'INVALID_CODEC');
    expect(err.message.length).toBeLessThan(300);
  });
});

describe('parseTranscodeOptions: bitrate', () => {
  it('"192000" → 192000', () => {
    expect(parseTranscodeOptions({ bitrate: '192000' }).bitrate).toBe(192_000);
  });

  it('trims around the number', () => {
    expect(parseTranscodeOptions({ bitrate: ' 128000 ' }).bitrate).toBe(128_000);
  });

  it.each(['192k', '-1', '0', '000', '1.5', '1e5', '123456789012', '0x100', '+192000', '192 000', 'NaN', 'Infinity'])(
    '%j → INVALID_BITRATE',
    (bitrate) => {
      expectInvalid({ bitrate }, 'INVALID_BITRATE');
    },
  );

  it('a blank bitrate means absent', () => {
    expect(parseTranscodeOptions({ bitrate: ' ' }).bitrate).toBeUndefined();
  });

  it('a non-text bitrate is refused', () => {
    expectInvalid({ bitrate: 192_000 }, 'INVALID_BITRATE');
  });
});

describe('parseTranscodeOptions: repeated fields', () => {
  it.each<[string, string]>([
    ['codec', 'INVALID_CODEC'],
    ['quality_profile', 'INVALID_QUALITY_PROFILE'],
    ['priority', 'INVALID_PRIORITY'],
    ['bitrate', 'INVALID_BITRATE'],
    ['track_id', 'INVALID_TRACK_ID'],
  ])('%s sent twice (an array) → %s', (field, code) => {
    const values: Record<string, [string, string]> = {
      codec: ['aac', 'mp3'],
      quality_profile: ['high', 'low'],
      priority: ['urgent', 'normal'],
      bitrate: ['128000', '192000'],
      track_id: ['a', 'b'],
    };
    const err = expectInvalid({ [field]: values[field] }, code);
    expect(err.message).toContain(field);
  });
});

describe('parseTranscodeOptions: track_id', () => {
  it('is trimmed', () => {
    expect(parseTranscodeOptions({ track_id: '  album-1/track 03  ' }).trackId).toBe('album-1/track 03');
  });

  it('keeps printable Unicode', () => {
    expect(parseTranscodeOptions({ track_id: 'Björk – Jóga ♪' }).trackId).toBe('Björk – Jóga ♪');
  });

  it.each(['abc\u0000def', 'line1\nline2', 'tab\there', 'bell\u0007', 'esc\u001b[31m', 'del\u007f', 'c1\u0085'])(
    '%j (control character) → INVALID_TRACK_ID',
    (trackId) => {
      expectInvalid({ track_id: trackId }, 'INVALID_TRACK_ID');
    },
  );

  it('accepts 200 characters and refuses 201', () => {
    expect(parseTranscodeOptions({ track_id: 'a'.repeat(200) }).trackId).toBe('a'.repeat(200));
    expectInvalid({ track_id: 'a'.repeat(201) }, 'INVALID_TRACK_ID');
  });

  it('measures the length after trimming', () => {
    expect(parseTranscodeOptions({ track_id: ` ${'a'.repeat(200)} ` }).trackId).toBe('a'.repeat(200));
  });
});
