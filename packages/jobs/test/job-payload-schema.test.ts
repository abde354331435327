/** The transcode payload schema: what a worker accepts before executing a job. */
import { isJobData, parseTranscodeJobData, type TranscodeJobData } from '../src';

const plan = {
  codec: 'aac',
  profile: 'high',
  bitrate: 256_000,
  sampleRate: 44_100,
  channels: 2,
  bitDepth: null,
  container: 'mpegts',
} as const;

const outputs = { segmentSeconds: 6, waveform: { samplesPerPixel: 512 }, loudnessTarget: null };
const target = { integratedLufs: -14, truePeakDbtp: -1 };

const valid: TranscodeJobData = {
  version: 1,
  jobId: '00000000-0000-4000-8000-000000000001',
  trackId: 'track',
  uploadId: '00000000-0000-4000-8000-000000000002',
  demuxer: 'wav',
  source: {
    codec: 'pcm_s16le',
    sampleRate: 44_100,
    channels: 2,
    bitsPerSample: 16,
    durationSeconds: 30,
    bitrate: null,
  },
  plan,
  priority: 'normal',
  submittedAt: new Date(0).toISOString(),
  outputs,
};

/** `valid` with one field replaced (undefined: left out). */
function withField(key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...valid };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

describe('parseTranscodeJobData', () => {
  it('accepts a minimal payload', () => {
    expect(parseTranscodeJobData(valid)).toEqual(valid);
    expect(isJobData(valid)).toBe(true);
  });

  it('accepts every optional field', () => {
    const full: TranscodeJobData = {
      ...valid,
      plan: { ...plan, profile: 'medium', bitrate: 128_000 },
      renditions: [
        { name: 'low', plan: { ...plan, profile: 'low', bitrate: 64_000 } },
        { name: 'medium', plan: { ...plan, profile: 'medium', bitrate: 128_000 } },
      ],
      normalize: true,
      outputs: { ...outputs, segmentSeconds: 2.5, loudnessTarget: target },
      download: true,
      downloadPlan: plan,
      tags: { title: 'Song', artist: 'Band' },
      callbackUrl: 'https://example.com/hook',
    };
    expect(parseTranscodeJobData(full)).toEqual(full);
  });

  it('accepts a lossless plan with its bit depth', () => {
    const flac = {
      codec: 'flac',
      profile: 'hi_res',
      bitrate: null,
      sampleRate: 96_000,
      channels: 2,
      bitDepth: 24,
      container: 'fmp4',
    };
    expect(isJobData(withField('plan', flac))).toBe(true);
  });

  it.each<[string, string, unknown]>([
    ['another version', 'version', 2],
    ['no version', 'version', undefined],
    ['an empty job id', 'jobId', ''],
    ['a numeric job id', 'jobId', 42],
    ['no upload id', 'uploadId', undefined],
    ['no demuxer', 'demuxer', undefined],
    ['an unknown priority', 'priority', 'asap'],
    ['a submit time that is not ISO-8601', 'submittedAt', 'yesterday'],
    ['a source without a duration', 'source', { ...valid.source, durationSeconds: undefined }],
    ['an unknown codec', 'plan', { ...plan, codec: 'vorbis' }],
    ['an unknown profile', 'plan', { ...plan, profile: 'ultra' }],
    ['a fractional bitrate', 'plan', { ...plan, bitrate: 1.5 }],
    ['a 20-bit depth', 'plan', { ...plan, bitDepth: 20 }],
    ['an unknown container', 'plan', { ...plan, container: 'mkv' }],
    ['a rung with an unknown name', 'renditions', [{ name: 'ultra', plan }]],
    ['a non-boolean normalize', 'normalize', 'yes'],
    ['a numeric tag', 'tags', { title: 7 }],
    ['a zero segment length', 'outputs', { ...outputs, segmentSeconds: 0 }],
    ['a fractional waveform resolution', 'outputs', { ...outputs, waveform: { samplesPerPixel: 1.5 } }],
    ['outputs without a waveform', 'outputs', { segmentSeconds: 6, loudnessTarget: null }],
    ['a loudness target without its true peak', 'outputs', { ...outputs, loudnessTarget: { integratedLufs: -14 } }],
  ])('refuses %s', (_label, key, value) => {
    const payload = withField(key, value);
    expect(isJobData(payload)).toBe(false);
    expect(() => parseTranscodeJobData(payload)).toThrow(key);
  });

  it('refuses a download without its download plan', () => {
    expect(() => parseTranscodeJobData({ ...valid, download: true })).toThrow(
      /downloadPlan: downloadPlan must be present exactly when download is true/,
    );
  });

  it('refuses a download plan the job did not ask for', () => {
    expect(isJobData({ ...valid, downloadPlan: plan })).toBe(false);
    expect(isJobData({ ...valid, download: false, downloadPlan: plan })).toBe(false);
  });

  it('refuses a payload without outputs, which a stored record may lack', () => {
    const older = withField('outputs', undefined);
    expect(() => parseTranscodeJobData(older)).toThrow(/^outputs: /);
    expect(isJobData(older)).toBe(true);
    expect(isJobData({ ...older, normalize: true })).toBe(true);
    expect(isJobData({ ...older, outputs: { ...outputs, segmentSeconds: -1 } })).toBe(false);
  });

  it('refuses a normalisation without its loudness target', () => {
    const payload = { ...valid, normalize: true };
    expect(() => parseTranscodeJobData(payload)).toThrow(
      /^outputs\.loudnessTarget: loudnessTarget must be set exactly when normalize is true$/,
    );
    expect(isJobData(payload)).toBe(false);
  });

  it('refuses a loudness target the job does not normalise to', () => {
    const aimed = { ...outputs, loudnessTarget: target };
    expect(() => parseTranscodeJobData({ ...valid, outputs: aimed })).toThrow(/^outputs\.loudnessTarget: /);
    expect(isJobData({ ...valid, normalize: false, outputs: aimed })).toBe(false);
    expect(isJobData({ ...valid, normalize: true, outputs: aimed })).toBe(true);
  });

  it('refuses what is not an object', () => {
    expect(() => parseTranscodeJobData(null)).toThrow(/^payload: /);
    expect(isJobData('{"version":1}')).toBe(false);
  });
});
