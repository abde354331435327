import { InvalidInputError, UnavailableError, UnsupportedError } from '@stream-server/errors';
import type { ProbeOutcome, ProbeRejection, ProbeResult } from '@stream-server/ffmpeg';
import type { TranscodeJobData } from '@stream-server/jobs';
import { silentLogger } from '@stream-server/logger';
import type { Codec, SourceAudio } from '@stream-server/profiles';
import { StorageLayout } from '@stream-server/storage';
import { TranscodeService, type StoredUpload } from '../src/services/transcode-service';

const layout = new StorageLayout('/srv/media');
const UPLOAD_ID = '9b1e2f3a-4c5d-4e6f-8a7b-1c2d3e4f5a6b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LIMITS = { maxDurationSeconds: 600, maxChannels: 8, maxSampleRate: 192_000 };
const OUTPUT_SETTINGS = {
  hlsSegmentSeconds: 4,
  waveformSamplesPerPixel: 1024,
  loudnessTargetLufs: -16,
  loudnessTruePeakDb: -1.5,
};
const CD: SourceAudio = {
  codec: 'pcm_s16le',
  sampleRate: 44_100,
  channels: 2,
  bitsPerSample: 16,
  durationSeconds: 8,
  bitrate: 1_411_200,
};

function upload(overrides: Partial<StoredUpload> = {}): StoredUpload {
  return {
    uploadId: UPLOAD_ID,
    path: layout.uploadPath(UPLOAD_ID),
    size: 1_000,
    originalName: 'My Song.final.wav',
    ...overrides,
  };
}

function probed(audio: SourceAudio = CD, tags: Record<string, string> = {}): ProbeOutcome {
  const result: ProbeResult = { demuxer: 'wav', audio, tags };
  return { ok: true, result };
}

/** A service over fakes; each records what the service asked of it. */
function setUp(
  options: {
    probe?: ProbeOutcome;
    codecs?: readonly Codec[];
    webhookSecret?: string;
    outputs?: typeof OUTPUT_SETTINGS;
  } = {},
) {
  const removed: string[] = [];
  const probes: string[] = [];
  const queued: TranscodeJobData[] = [];
  const committed: string[] = [];
  const service = new TranscodeService(
    {
      layout,
      commitUpload: async (file) => void committed.push(file),
      remove: async (file) => void removed.push(file),
    },
    {
      probe: async (file) => {
        probes.push(file);
        return options.probe ?? probed();
      },
    },
    { add: async (data) => void queued.push(data) },
    { available: async () => options.codecs ?? ['aac', 'mp3', 'opus', 'flac'] },
    LIMITS,
    options.outputs ?? OUTPUT_SETTINGS,
    silentLogger,
    { webhookSecret: options.webhookSecret, webhookAllowPrivate: true },
  );
  return { service, removed, probes, queued, committed };
}

async function refusal(promise: Promise<unknown>): Promise<{ name: string; code: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof InvalidInputError || err instanceof UnsupportedError)
      return { name: err.constructor.name, code: err.code };
    throw err;
  }
  throw new Error('expected a refusal, got none');
}

describe('TranscodeService: refusals', () => {
  it('an empty file is EMPTY_FILE, without a probe, and the upload is deleted', async () => {
    const { service, removed, probes, queued } = setUp();
    expect(await refusal(service.submit(upload({ size: 0 }), {}))).toEqual({
      name: 'InvalidInputError',
      code: 'EMPTY_FILE',
    });
    expect(probes).toEqual([]);
    expect(queued).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('a field error wins over an empty file (the fields are read first)', async () => {
    const { service } = setUp();
    expect(await refusal(service.submit(upload({ size: 0 }), { codec: 'vorbis' }))).toMatchObject({
      code: 'INVALID_CODEC',
    });
  });

  it.each([
    [{ codec: 'vorbis' }, 'INVALID_CODEC'],
    [{ codec: 'flac', bitrate: '192000' }, 'INVALID_BITRATE'],
    [{ codec: 'mp3', bitrate: '900000' }, 'INVALID_BITRATE'],
    [{ renditions: 'low,high', codec: 'flac' }, 'INVALID_RENDITIONS'],
    [{ callback_url: 'https://example.com/hook' }, 'WEBHOOKS_DISABLED'],
  ])('%j → %s before any probe, and the upload is deleted', async (fields, code) => {
    const { service, removed, probes } = setUp();
    expect(await refusal(service.submit(upload(), fields))).toMatchObject({ code });
    expect(probes).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('a codec no worker can write is CODEC_UNAVAILABLE naming it, before the probe', async () => {
    const { service, probes, removed } = setUp({ codecs: ['aac', 'mp3'] });
    const err = await service.submit(upload(), { codec: 'opus' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect(err).toMatchObject({ code: 'CODEC_UNAVAILABLE', message: expect.stringContaining('opus') });
    expect(probes).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('download=true also needs AAC, whatever the HLS codec', async () => {
    const { service } = setUp({ codecs: ['opus'] });
    const err = await service.submit(upload(), { codec: 'opus', download: 'true' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CODEC_UNAVAILABLE', message: expect.stringContaining('cannot write aac') });
    await expect(setUp({ codecs: ['opus'] }).service.submit(upload(), { codec: 'opus' })).resolves.toEqual({
      jobId: expect.stringMatching(UUID),
    });
  });

  it.each<[ProbeRejection['reason'], string]>([
    ['not-allowed-format', 'UNSUPPORTED_FORMAT'],
    ['no-audio', 'NO_AUDIO_STREAM'],
    ['no-duration', 'INVALID_AUDIO'],
    ['unreadable', 'INVALID_AUDIO'],
  ])('a probe rejection %s is %s, and the upload is deleted', async (reason, code) => {
    const { service, removed, queued } = setUp({ probe: { ok: false, rejection: { reason, detail: 'detail' } } });
    expect(await refusal(service.submit(upload(), {}))).toEqual({ name: 'InvalidInputError', code });
    expect(queued).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it("a probe that timed out is the server's PROBE_TIMEOUT (503), not the client's INVALID_AUDIO", async () => {
    const { service, removed, queued } = setUp({
      probe: { ok: false, rejection: { reason: 'timeout', detail: 'ffprobe did not finish' } },
    });
    const err = await service.submit(upload(), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ code: 'PROBE_TIMEOUT', kind: 'unavailable' });
    expect(queued).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('queues nothing once the request is abandoned during the probe, and deletes the upload', async () => {
    const { service, removed, queued } = setUp();
    const abandoned = new AbortController();
    abandoned.abort();
    await expect(service.submit(upload(), {}, undefined, { signal: abandoned.signal })).rejects.toThrow();
    expect(queued).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('tells the caller when it starts queueing, and an abort from then on does not undo the job', async () => {
    const { service, removed, queued } = setUp();
    const abandoned = new AbortController();
    const events: string[] = [];
    const result = await service.submit(upload(), {}, undefined, {
      signal: abandoned.signal,
      onQueueing: () => {
        events.push(`queueing with ${queued.length} queued`);
        abandoned.abort();
      },
    });
    expect(events).toEqual(['queueing with 0 queued']);
    expect(queued).toHaveLength(1);
    expect(result.jobId).toBe(queued[0]?.jobId);
    expect(removed).toEqual([]);
  });

  it('does not say it is queueing a submit it refuses', async () => {
    const { service } = setUp();
    let queueing = 0;
    const onQueueing = () => void (queueing += 1);
    await service.submit(upload({ size: 0 }), {}, undefined, { onQueueing }).catch(() => undefined);
    await service.submit(upload(), { codec: 'wma' }, undefined, { onQueueing }).catch(() => undefined);
    expect(queueing).toBe(0);
  });

  it.each([
    [{ durationSeconds: 601 }, 'DURATION_TOO_LONG'],
    [{ channels: 9 }, 'TOO_MANY_CHANNELS'],
    [{ sampleRate: 384_000 }, 'SAMPLE_RATE_TOO_HIGH'],
  ])('a source over the limits (%j) is %s', async (over, code) => {
    const { service, removed, queued } = setUp({ probe: probed({ ...CD, ...over }) });
    expect(await refusal(service.submit(upload(), {}))).toMatchObject({ code });
    expect(queued).toEqual([]);
    expect(removed).toEqual([upload().path]);
  });

  it('an upload outside the uploads dir is a programming error, and is still deleted', async () => {
    const { service, removed } = setUp();
    await expect(service.submit(upload({ path: '/etc/passwd' }), {})).rejects.toThrow('upload outside the uploads dir');
    expect(removed).toEqual(['/etc/passwd']);
  });

  it('a queue failure deletes the upload too', async () => {
    const removed: string[] = [];
    const service = new TranscodeService(
      { layout, commitUpload: async () => undefined, remove: async (file) => void removed.push(file) },
      { probe: async () => probed() },
      { add: async () => Promise.reject(new Error('redis down')) },
      { available: async () => ['aac'] },
      LIMITS,
      OUTPUT_SETTINGS,
      silentLogger,
    );
    await expect(service.submit(upload(), {})).rejects.toThrow('redis down');
    expect(removed).toEqual([upload().path]);
  });
});

describe('TranscodeService: the queued payload', () => {
  it('one rendition: the resolved plan, track id from the file name, the picked tags', async () => {
    const { service, queued, removed } = setUp({ probe: probed(CD, { title: ' Song ', comment: 'dropped' }) });
    const { jobId } = await service.submit(upload(), { quality_profile: 'medium', priority: 'urgent' });
    expect(jobId).toMatch(UUID);
    expect(queued).toEqual([
      {
        version: 1,
        jobId,
        trackId: 'My Song.final',
        uploadId: UPLOAD_ID,
        demuxer: 'wav',
        source: CD,
        plan: {
          codec: 'aac',
          profile: 'medium',
          bitrate: 128_000,
          sampleRate: 44_100,
          channels: 2,
          bitDepth: null,
          container: 'mpegts',
        },
        priority: 'urgent',
        submittedAt: expect.any(String),
        tags: { title: 'Song' },
        outputs: { segmentSeconds: 4, waveform: { samplesPerPixel: 1024 }, loudnessTarget: null },
      },
    ]);
    expect(removed).toEqual([]);
  });

  it('a ladder with download, normalize, track_id and callback_url', async () => {
    const { service, queued } = setUp({ webhookSecret: 'secret' });
    const { jobId } = await service.submit(upload(), {
      renditions: 'high,low',
      codec: 'opus',
      download: 'true',
      normalize: 'true',
      track_id: 'track-42',
      callback_url: 'https://127.0.0.1:8443/hook',
    });
    const rung = { codec: 'opus', bitrate: 48_000, sampleRate: 48_000, channels: 2, bitDepth: null, container: 'fmp4' };
    const low = { ...rung, profile: 'low' };
    const high = { ...rung, profile: 'high', bitrate: 160_000 };
    expect(queued).toEqual([
      {
        version: 1,
        jobId,
        trackId: 'track-42',
        uploadId: UPLOAD_ID,
        demuxer: 'wav',
        source: CD,
        plan: high,
        priority: 'normal',
        submittedAt: expect.any(String),
        renditions: [
          { name: 'low', plan: low },
          { name: 'high', plan: high },
        ],
        // Opus low 1.375, high 2.25; the extras with a 256k AAC download 3.25 go beside the low rung.
        parts: [
          { rungs: ['high'], extras: false, cost: 2.25 },
          { rungs: ['low'], extras: true, cost: 4.625 },
        ],
        normalize: true,
        download: true,
        downloadPlan: {
          codec: 'aac',
          profile: 'high',
          bitrate: 256_000,
          sampleRate: 44_100,
          channels: 2,
          bitDepth: null,
          container: 'mpegts',
        },
        tags: {},
        callbackUrl: 'https://127.0.0.1:8443/hook',
        outputs: {
          segmentSeconds: 4,
          waveform: { samplesPerPixel: 1024 },
          loudnessTarget: { integratedLufs: -16, truePeakDbtp: -1.5 },
        },
      },
    ]);
  });

  it.each([
    [{}, null],
    [{ normalize: 'false' }, null],
    [{ normalize: 'true' }, { integratedLufs: -23, truePeakDbtp: -2 }],
  ])('%j: the outputs are the API settings, a loudness target only to normalise', async (fields, target) => {
    const outputs = {
      hlsSegmentSeconds: 10,
      waveformSamplesPerPixel: 64,
      loudnessTargetLufs: -23,
      loudnessTruePeakDb: -2,
    };
    const { service, queued } = setUp({ outputs });
    await service.submit(upload(), fields);
    expect(queued[0]?.outputs).toEqual({
      segmentSeconds: 10,
      waveform: { samplesPerPixel: 64 },
      loudnessTarget: target,
    });
  });

  it('without a usable file name the track id is the job id', async () => {
    const { service, queued } = setUp();
    const { jobId } = await service.submit(upload({ originalName: '\u0007' }), {});
    expect(queued[0]?.trackId).toBe(jobId);
  });
});
