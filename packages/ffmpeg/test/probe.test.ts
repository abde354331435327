import {
  AUDIO_DEMUXERS,
  allowedDemuxer,
  buildProbeArgs,
  parseProbeOutput,
  type ProbeOutcome,
} from '@stream-server/ffmpeg';

/** What `ffprobe -print_format json -show_format -show_streams` prints for a 24-bit 96 kHz WAV. */
function wavProbe(): Record<string, unknown> {
  return {
    streams: [
      {
        index: 0,
        codec_name: 'pcm_s24le',
        codec_long_name: 'PCM signed 24-bit little-endian',
        codec_type: 'audio',
        codec_tag_string: '[1][0][0][0]',
        codec_tag: '0x0001',
        sample_fmt: 's32',
        sample_rate: '96000',
        channels: 2,
        channel_layout: 'stereo',
        bits_per_sample: 24,
        r_frame_rate: '0/0',
        avg_frame_rate: '0/0',
        time_base: '1/96000',
        start_pts: 0,
        start_time: '0.000000',
        duration_ts: 768000,
        duration: '8.000000',
        bit_rate: '4608000',
        disposition: { default: 0, attached_pic: 0 },
      },
    ],
    format: {
      filename: 'file:/data/uploads/3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65',
      nb_streams: 1,
      nb_programs: 0,
      format_name: 'wav',
      format_long_name: 'WAV / WAVE (Waveform Audio)',
      start_time: '0.000000',
      duration: '8.000000',
      size: '4608078',
      bit_rate: '4608078',
      probe_score: 99,
    },
  };
}

/** An AAC-in-M4A file, as the mov demuxer reports it. */
function m4aProbe(): Record<string, unknown> {
  return {
    streams: [
      {
        index: 0,
        codec_name: 'aac',
        profile: 'LC',
        codec_type: 'audio',
        sample_fmt: 'fltp',
        sample_rate: '44100',
        channels: 2,
        channel_layout: 'stereo',
        bits_per_sample: 0,
        duration: '183.204898',
        bit_rate: '256000',
        tags: { language: 'und', handler_name: 'SoundHandler' },
      },
    ],
    format: {
      format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: '183.205000',
      bit_rate: '259130',
      tags: { major_brand: 'M4A ', TITLE: 'Some Song', Artist: 'Some Band' },
    },
  };
}

/** An MP3 with embedded cover art: the picture comes first. */
function mp3WithCoverProbe(): Record<string, unknown> {
  return {
    streams: [
      {
        index: 0,
        codec_name: 'mjpeg',
        codec_type: 'video',
        width: 500,
        height: 500,
        disposition: { attached_pic: 1 },
        tags: { comment: 'Cover (front)' },
      },
      {
        index: 1,
        codec_name: 'mp3',
        codec_type: 'audio',
        sample_fmt: 'fltp',
        sample_rate: '44100',
        channels: 2,
        bits_per_sample: 0,
        duration: '215.940000',
        bit_rate: '320000',
      },
    ],
    format: {
      format_name: 'mp3',
      duration: '215.940000',
      bit_rate: '321245',
      tags: { title: 'Track', ARTIST: 'Artist', album: 'Album' },
    },
  };
}

function parse(data: unknown, exitCode: number | null = 0, stderr = ''): ProbeOutcome {
  return parseProbeOutput(JSON.stringify(data), exitCode, stderr);
}

function rejection(outcome: ProbeOutcome): string {
  if (outcome.ok) throw new Error('expected a rejection');
  return outcome.rejection.reason;
}

describe('buildProbeArgs', () => {
  it('whitelists file and audio demuxers and prints JSON', () => {
    expect(buildProbeArgs('/data/uploads/x')).toEqual([
      '-hide_banner',
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      AUDIO_DEMUXERS.join(','),
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      'file:/data/uploads/x',
    ]);
  });

  it('keeps a protocol-looking name a file', () => {
    expect(buildProbeArgs('concat:a|b').at(-1)).toBe('file:concat:a|b');
  });
});

describe('allowedDemuxer', () => {
  it.each<[string, string | null]>([
    ['wav', 'wav'],
    ['mp3', 'mp3'],
    ['flac', 'flac'],
    ['mov,mp4,m4a,3gp,3g2,mj2', 'mov'],
    ['matroska,webm', 'matroska'],
    ['ogg', 'ogg'],
    ['hls', null],
    ['hls,applehttp', null],
    ['concat', null],
    ['image2', null],
    ['srt', null],
    ['tty', null],
    ['mp4,mov', null],
    ['', null],
    [',wav', null],
    ['WAV', null],
  ])('%j → %j', (formatName, demuxer) => {
    expect(allowedDemuxer(formatName)).toBe(demuxer);
  });
});

describe('parseProbeOutput: accepted files', () => {
  it('a 24-bit 96 kHz WAV', () => {
    expect(parse(wavProbe())).toEqual({
      ok: true,
      result: {
        demuxer: 'wav',
        audio: {
          codec: 'pcm_s24le',
          sampleRate: 96_000,
          channels: 2,
          bitsPerSample: 24,
          durationSeconds: 8,
          bitrate: 4_608_000,
        },
        tags: {},
      },
    });
  });

  it('an M4A: demuxer mov, lossy source has no bit depth, tags lower-cased and merged', () => {
    expect(parse(m4aProbe())).toEqual({
      ok: true,
      result: {
        demuxer: 'mov',
        audio: {
          codec: 'aac',
          sampleRate: 44_100,
          channels: 2,
          bitsPerSample: null,
          durationSeconds: 183.204898,
          bitrate: 256_000,
        },
        tags: {
          major_brand: 'M4A ',
          title: 'Some Song',
          artist: 'Some Band',
          language: 'und',
          handler_name: 'SoundHandler',
        },
      },
    });
  });

  it('an MP3 with cover art: the audio stream is picked', () => {
    const outcome = parse(mp3WithCoverProbe());
    expect(outcome).toEqual({
      ok: true,
      result: {
        demuxer: 'mp3',
        audio: {
          codec: 'mp3',
          sampleRate: 44_100,
          channels: 2,
          bitsPerSample: null,
          durationSeconds: 215.94,
          bitrate: 320_000,
        },
        tags: { title: 'Track', artist: 'Artist', album: 'Album' },
      },
    });
  });

  it('a 24-bit FLAC reports its depth in bits_per_raw_sample', () => {
    const data = wavProbe();
    data['format'] = { format_name: 'flac', duration: '8.000000' };
    data['streams'] = [
      {
        codec_type: 'audio',
        codec_name: 'flac',
        sample_rate: '96000',
        channels: 2,
        bits_per_sample: 0,
        bits_per_raw_sample: '24',
      },
    ];
    const outcome = parse(data);
    expect(outcome.ok && outcome.result.audio).toEqual({
      codec: 'flac',
      sampleRate: 96_000,
      channels: 2,
      bitsPerSample: 24,
      durationSeconds: 8,
      bitrate: null,
    });
  });

  it('falls back to the format duration and bitrate when the stream has none', () => {
    const data = wavProbe();
    data['streams'] = [
      { codec_type: 'audio', codec_name: 'vorbis', sample_rate: '48000', channels: 2, duration: 'N/A' },
    ];
    data['format'] = { format_name: 'ogg', duration: '12.500000', bit_rate: '160000' };
    const outcome = parse(data);
    expect(outcome.ok && outcome.result.audio).toEqual({
      codec: 'vorbis',
      sampleRate: 48_000,
      channels: 2,
      bitsPerSample: null,
      durationSeconds: 12.5,
      bitrate: 160_000,
    });
  });

  it('accepts numbers where ffprobe usually prints strings', () => {
    const data = {
      format: { format_name: 'wav', duration: 3 },
      streams: [{ codec_type: 'audio', sample_rate: 44100, channels: '1' }],
    };
    const outcome = parse(data);
    expect(outcome.ok && outcome.result.audio).toEqual({
      codec: 'unknown',
      sampleRate: 44_100,
      channels: 1,
      bitsPerSample: null,
      durationSeconds: 3,
      bitrate: null,
    });
  });

  it('keeps only string tags and bounds their length', () => {
    const data = wavProbe();
    data['format'] = {
      format_name: 'wav',
      duration: '8',
      tags: { COMMENT: 'c'.repeat(2000), track: 3, nested: { a: 'b' }, empty: null },
    };
    const outcome = parse(data);
    if (!outcome.ok) throw new Error('expected ok');
    expect(Object.keys(outcome.result.tags)).toEqual(['comment']);
    expect(outcome.result.tags['comment']).toBe('c'.repeat(500));
  });

  it('a "__proto__" tag does not pollute anything', () => {
    const stdout =
      '{"format":{"format_name":"wav","duration":"8","tags":{"__proto__":{"polluted":"yes"},"title":"t"}},' +
      '"streams":[{"codec_type":"audio","sample_rate":"44100","channels":2}]}';
    const outcome = parseProbeOutput(stdout, 0, '');
    expect(outcome.ok).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (outcome.ok) expect(outcome.result.tags['title']).toBe('t');
  });
});

describe('parseProbeOutput: rejections', () => {
  it('non-zero exit → unreadable, with the first stderr line', () => {
    const outcome = parseProbeOutput('', 1, '\nfile:/x: Invalid data found when processing input\nmore\n');
    expect(outcome).toEqual({
      ok: false,
      rejection: { reason: 'unreadable', detail: 'file:/x: Invalid data found when processing input' },
    });
  });

  it('a killed ffprobe (null exit code) → unreadable, even with valid JSON', () => {
    expect(rejection(parseProbeOutput(JSON.stringify(wavProbe()), null, ''))).toBe('unreadable');
  });

  it.each(['', 'not json', '{"format":', 'null', '[]', '42', '"wav"'])('stdout %j → unreadable', (stdout) => {
    expect(rejection(parseProbeOutput(stdout, 0, ''))).toBe('unreadable');
  });

  it.each(['hls', 'concat', 'image2', 'srt', 'webvtt', 'tty', 'hls,applehttp'])(
    'format %j → not-allowed-format',
    (formatName) => {
      const data = wavProbe();
      (data['format'] as Record<string, unknown>)['format_name'] = formatName;
      expect(rejection(parse(data))).toBe('not-allowed-format');
    },
  );

  it('no audio stream → no-audio', () => {
    const data = mp3WithCoverProbe();
    data['streams'] = [(data['streams'] as unknown[])[0]];
    expect(rejection(parse(data))).toBe('no-audio');
  });

  it('only video, subtitle and data streams → no-audio', () => {
    const data = wavProbe();
    data['streams'] = [
      { index: 0, codec_type: 'video', codec_name: 'png', disposition: { attached_pic: 1 } },
      { index: 1, codec_type: 'subtitle', codec_name: 'subrip' },
      { index: 2, codec_type: 'data', codec_name: 'bin_data', sample_rate: '44100', channels: 2, duration: '8' },
    ];
    expect(rejection(parse(data))).toBe('no-audio');
  });

  it('picks the audio stream after a data stream', () => {
    const data = wavProbe();
    const audio = (data['streams'] as unknown[])[0];
    data['streams'] = [
      { index: 0, codec_type: 'data', codec_name: 'bin_data', sample_rate: '8000', channels: 1, duration: '1' },
      audio,
    ];
    const outcome = parse(data);
    expect(outcome.ok && outcome.result.audio.sampleRate).toBe(96_000);
  });

  it('no streams at all → no-audio', () => {
    const data = wavProbe();
    data['streams'] = [];
    expect(rejection(parse(data))).toBe('no-audio');
    delete data['streams'];
    expect(rejection(parse(data))).toBe('no-audio');
  });

  it.each<[string, unknown]>([
    ['sample_rate "0"', { sample_rate: '0' }],
    ['sample_rate missing', { sample_rate: undefined }],
    ['sample_rate "N/A"', { sample_rate: 'N/A' }],
    ['sample_rate negative', { sample_rate: '-44100' }],
    ['channels 0', { channels: 0 }],
    ['channels missing', { channels: undefined }],
  ])('%s → no-audio', (_name, patch) => {
    const data = wavProbe();
    const stream = (data['streams'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    Object.assign(stream, patch);
    expect(rejection(parse(data))).toBe('no-audio');
  });

  it.each<[string, unknown, unknown]>([
    ['missing everywhere', undefined, undefined],
    ['"N/A" everywhere', 'N/A', 'N/A'],
    ['0', '0.000000', '0.000000'],
    ['negative', '-1.5', undefined],
    ['infinite', 'Infinity', undefined],
    ['empty', '', ''],
  ])('duration %s → no-duration', (_name, streamDuration, formatDuration) => {
    const data = wavProbe();
    const stream = (data['streams'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    const format = data['format'] as Record<string, unknown>;
    stream['duration'] = streamDuration;
    format['duration'] = formatDuration;
    expect(rejection(parse(data))).toBe('no-duration');
  });
});

describe('parseProbeOutput: per-stream zeros fall back to the container', () => {
  it('takes the format duration and bitrate when the stream says 0', () => {
    const data = wavProbe();
    const stream = (data['streams'] as Record<string, unknown>[])[0] as Record<string, unknown>;
    const format = data['format'] as Record<string, unknown>;
    stream['duration'] = '0.000000';
    stream['bit_rate'] = '0';
    format['duration'] = '12.500000';
    format['bit_rate'] = '320000';
    const outcome = parse(data);
    expect(outcome.ok && outcome.result.audio.durationSeconds).toBe(12.5);
    expect(outcome.ok && outcome.result.audio.bitrate).toBe(320_000);
  });
});

describe('parseProbeOutput: hostile or odd JSON never throws', () => {
  it.each<[string, unknown]>([
    ['streams null', { format: { format_name: 'wav', duration: '1' }, streams: null }],
    ['streams an object', { format: { format_name: 'wav', duration: '1' }, streams: { 0: { codec_type: 'audio' } } }],
    [
      'stream entries of every type',
      { format: { format_name: 'wav', duration: '1' }, streams: [null, 5, 'audio', [], true] },
    ],
    ['format null', { format: null, streams: [] }],
    ['format an array', { format: ['wav'], streams: [] }],
    ['format_name a number', { format: { format_name: 42 }, streams: [] }],
    ['format_name an array', { format: { format_name: ['wav'] }, streams: [] }],
    ['codec_type a number', { format: { format_name: 'wav', duration: '1' }, streams: [{ codec_type: 1 }] }],
    [
      'sample_rate an object',
      {
        format: { format_name: 'wav', duration: '1' },
        streams: [{ codec_type: 'audio', sample_rate: {}, channels: 2 }],
      },
    ],
    [
      'tags a string',
      {
        format: { format_name: 'wav', duration: '1', tags: 'x' },
        streams: [{ codec_type: 'audio', sample_rate: '1', channels: 1 }],
      },
    ],
    [
      'duration an array',
      {
        format: { format_name: 'wav', duration: [1] },
        streams: [{ codec_type: 'audio', sample_rate: '1', channels: 1 }],
      },
    ],
  ])('%s', (_name, data) => {
    let outcome: ProbeOutcome | undefined;
    expect(() => {
      outcome = parse(data);
    }).not.toThrow();
    expect(outcome).toBeDefined();
  });

  it('garbage types give the expected reasons', () => {
    expect(rejection(parse({ format: null, streams: [] }))).toBe('unreadable');
    expect(rejection(parse({ format: { format_name: 42 } }))).toBe('unreadable');
    expect(rejection(parse({ format: { format_name: 'wav', duration: '1' }, streams: null }))).toBe('no-audio');
    expect(rejection(parse({ format: { format_name: 'wav', duration: '1' }, streams: [null, 5, 'audio'] }))).toBe(
      'no-audio',
    );
    expect(
      rejection(
        parse({
          format: { format_name: 'wav', duration: [1] },
          streams: [{ codec_type: 'audio', sample_rate: '1', channels: 1 }],
        }),
      ),
    ).toBe('no-duration');
  });
});
