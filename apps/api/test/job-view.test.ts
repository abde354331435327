import type { JobSnapshot, TranscodeJobData } from '@stream-server/jobs';
import { manifestUrl, toJobView, withManifestToken } from '../src/services/job-view';

const ID = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
const CREATED = 1_737_979_200_000; // 2025-01-27T12:00:00.000Z
const STARTED = CREATED + 1_500; // 12:00:01.500
const FINISHED = CREATED + 61_000; // 12:01:01.000

function data(overrides: Partial<TranscodeJobData> = {}): TranscodeJobData {
  return {
    version: 1,
    jobId: ID,
    trackId: 'track-42',
    uploadId: '9b1e2f3a-4c5d-4e6f-8a7b-1c2d3e4f5a6b',
    demuxer: 'wav',
    source: {
      codec: 'pcm_s16le',
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      durationSeconds: 8.5,
      bitrate: 1_411_200,
    },
    plan: {
      codec: 'aac',
      profile: 'high',
      bitrate: 256_000,
      sampleRate: 44_100,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    },
    priority: 'normal',
    submittedAt: new Date(CREATED).toISOString(),
    outputs: { segmentSeconds: 6, waveform: { samplesPerPixel: 512 }, loudnessTarget: null },
    ...overrides,
  };
}

function snapshot(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    id: ID,
    data: data(),
    state: 'waiting',
    progress: 0,
    playable: false,
    createdAt: CREATED,
    startedAt: null,
    finishedAt: null,
    failedReason: null,
    attemptsMade: 0,
    result: null,
    cancelledAt: null,
    purgedAt: null,
    ...overrides,
  };
}

describe('toJobView', () => {
  it('a pending job', () => {
    expect(toJobView(snapshot())).toEqual({
      id: ID,
      track_id: 'track-42',
      status: 'Pending',
      progress: 0,
      created_at: '2025-01-27T12:00:00.000Z',
      started_at: null,
      completed_at: null,
      error: null,
      codec: 'aac',
      quality_profile: 'high',
      priority: 'normal',
      bitrate: 256_000,
      sample_rate: 44_100,
      channels: 2,
      duration_seconds: 8.5,
      attempts: 0,
      manifest_url: null,
      renditions: [
        { name: 'high', codec: 'aac', bitrate: 256_000, bandwidth: null, average_bandwidth: null, playlist_url: null },
      ],
      normalize: false,
      loudness: null,
      output_loudness: null,
      source: {
        codec: 'pcm_s16le',
        sample_rate: 44_100,
        channels: 2,
        bitrate: 1_411_200,
        duration_seconds: 8.5,
        tags: {},
      },
      waveform_url: null,
      download_url: null,
      callback_url: null,
      live_manifest_url: null,
      purged_at: null,
    });
  });

  it('a processing job', () => {
    const view = toJobView(snapshot({ state: 'active', progress: 42.5, startedAt: STARTED, attemptsMade: 0 }));
    expect(view.status).toBe('Processing');
    expect(view.progress).toBe(42.5);
    expect(view.started_at).toBe('2025-01-27T12:00:01.500Z');
    expect(view.completed_at).toBeNull();
    expect(view.manifest_url).toBeNull();
    expect(view.error).toBeNull();
  });

  it('a completed job: progress 100, completion time and manifest URL', () => {
    const view = toJobView(
      snapshot({
        state: 'completed',
        progress: 99.9,
        startedAt: STARTED,
        finishedAt: FINISHED,
        attemptsMade: 1,
        result: { segments: 2, outputDurationSeconds: 8.5 },
      }),
    );
    expect(view).toMatchObject({
      status: 'Completed',
      progress: 100,
      created_at: '2025-01-27T12:00:00.000Z',
      started_at: '2025-01-27T12:00:01.500Z',
      completed_at: '2025-01-27T12:01:01.000Z',
      error: null,
      attempts: 1,
      manifest_url: `/v1/stream/hls/${ID}/index.m3u8`,
    });
  });

  it('manifestUrl is the HLS route of the job', () => {
    expect(manifestUrl(ID)).toBe(`/v1/stream/hls/${ID}/index.m3u8`);
  });

  it('a failed job: Failed(reason), error, completion time, no manifest', () => {
    const view = toJobView(
      snapshot({
        state: 'failed',
        progress: 37.2,
        startedAt: STARTED,
        finishedAt: FINISHED,
        failedReason: 'undecodable audio: moov atom not found',
        attemptsMade: 1,
      }),
    );
    expect(view).toMatchObject({
      status: 'Failed(undecodable audio: moov atom not found)',
      error: 'undecodable audio: moov atom not found',
      progress: 37.2,
      completed_at: '2025-01-27T12:01:01.000Z',
      manifest_url: null,
      attempts: 1,
    });
  });

  it('a failed job without a reason', () => {
    const view = toJobView(snapshot({ state: 'failed', finishedAt: FINISHED }));
    expect(view.status).toBe('Failed(unknown error)');
    expect(view.error).toBe('unknown error');
  });

  it('a job delayed for a retry is Pending with no error, even with the last failure recorded', () => {
    const view = toJobView(
      snapshot({
        state: 'delayed',
        failedReason: 'ffmpeg timed out',
        startedAt: STARTED,
        attemptsMade: 1,
        progress: 12,
      }),
    );
    expect(view.status).toBe('Pending');
    expect(view.error).toBeNull();
    expect(view.completed_at).toBeNull();
    expect(view.attempts).toBe(1);
  });

  it('completed_at stays null while the job has not ended', () => {
    expect(toJobView(snapshot({ state: 'active', startedAt: STARTED, finishedAt: FINISHED })).completed_at).toBeNull();
  });

  it.each<[number, number]>([
    [-5, 0],
    [0, 0],
    [50, 50],
    [99.9, 99.9],
    [100, 99.9],
    [250, 99.9],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
  ])('progress %p while active → %p', (progress, expected) => {
    expect(toJobView(snapshot({ state: 'active', startedAt: STARTED, progress })).progress).toBe(expected);
  });

  it('progress is 100 when completed, whatever was stored', () => {
    expect(toJobView(snapshot({ state: 'completed', finishedAt: FINISHED, progress: Number.NaN })).progress).toBe(100);
    expect(toJobView(snapshot({ state: 'completed', finishedAt: FINISHED, progress: 0 })).progress).toBe(100);
  });

  it('carries the plan of a FLAC hi_res job', () => {
    const view = toJobView(
      snapshot({
        data: data({
          plan: {
            codec: 'flac',
            profile: 'hi_res',
            bitrate: null,
            sampleRate: 96_000,
            channels: 2,
            bitDepth: 24,
            container: 'fmp4',
          },
          priority: 'urgent',
          trackId: 'hi',
        }),
      }),
    );
    expect(view).toMatchObject({
      track_id: 'hi',
      codec: 'flac',
      quality_profile: 'hi_res',
      priority: 'urgent',
      bitrate: null,
      sample_rate: 96_000,
    });
  });

  it("has the seed's eight fields with the right types", () => {
    const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const views = [
      toJobView(snapshot()),
      toJobView(snapshot({ state: 'active', startedAt: STARTED, progress: 10 })),
      toJobView(snapshot({ state: 'completed', startedAt: STARTED, finishedAt: FINISHED })),
      toJobView(snapshot({ state: 'failed', startedAt: STARTED, finishedAt: FINISHED, failedReason: 'x' })),
    ];
    for (const view of views) {
      const body = JSON.parse(JSON.stringify(view)) as Record<string, unknown>;
      for (const key of ['id', 'track_id', 'status', 'progress', 'created_at', 'started_at', 'completed_at', 'error']) {
        expect(body).toHaveProperty(key);
      }
      expect(typeof body['id']).toBe('string');
      expect(typeof body['track_id']).toBe('string');
      expect(typeof body['status']).toBe('string');
      expect(typeof body['progress']).toBe('number');
      expect(body['created_at']).toMatch(isoPattern);
      for (const key of ['started_at', 'completed_at', 'error']) {
        const value = body[key];
        expect(value === null || typeof value === 'string').toBe(true);
      }
      for (const key of ['started_at', 'completed_at']) {
        const value = body[key];
        if (value !== null) expect(value).toMatch(isoPattern);
      }
    }
  });
});

describe('toJobView: cancelled jobs', () => {
  it('a job cancelled while running reads Cancelled at once, ended at the cancel time', () => {
    const view = toJobView(snapshot({ state: 'active', startedAt: STARTED, progress: 42, cancelledAt: FINISHED }));
    expect(view).toMatchObject({
      status: 'Cancelled',
      error: null,
      started_at: '2025-01-27T12:00:01.500Z',
      completed_at: '2025-01-27T12:01:01.000Z',
      manifest_url: null,
    });
  });

  it('the failed attempt a cancel causes still reads Cancelled, not Failed(cancelled)', () => {
    const view = toJobView(
      snapshot({ state: 'failed', failedReason: 'cancelled', finishedAt: FINISHED + 500, cancelledAt: FINISHED }),
    );
    expect(view.status).toBe('Cancelled');
    expect(view.error).toBeNull();
    expect(view.completed_at).toBe('2025-01-27T12:01:01.000Z');
  });
});

describe('toJobView: ladders, loudness, waveform, download', () => {
  const plan = (profile: 'low' | 'high', bitrate: number) =>
    ({ codec: 'aac', profile, bitrate, sampleRate: 44_100, channels: 2, bitDepth: null, container: 'mpegts' }) as const;

  it('a completed ladder lists every rung with its measured bandwidth and playlist', () => {
    const view = toJobView(
      snapshot({
        state: 'completed',
        finishedAt: FINISHED,
        data: data({
          plan: plan('high', 256_000),
          renditions: [
            { name: 'low', plan: plan('low', 64_000) },
            { name: 'high', plan: plan('high', 256_000) },
          ],
          normalize: true,
          download: true,
          tags: { title: 'Song', track: '3' },
        }),
        result: {
          segments: 2,
          outputDurationSeconds: 8.5,
          renditions: [
            { name: 'high', bandwidth: 270_001, averageBandwidth: 262_000, codecs: 'mp4a.40.2', segments: 2 },
            { name: 'low', bandwidth: 70_001, averageBandwidth: 66_000, codecs: 'mp4a.40.2', segments: 2 },
          ],
          loudness: { integratedLufs: -23.5, loudnessRangeLu: 4.2, truePeakDbtp: -3.1 },
          outputLoudness: { integratedLufs: -14.1, loudnessRangeLu: 4.2, truePeakDbtp: -1.2 },
          waveform: true,
          download: true,
        },
      }),
    );
    expect(view).toMatchObject({
      renditions: [
        {
          name: 'low',
          codec: 'aac',
          bitrate: 64_000,
          bandwidth: 70_001,
          average_bandwidth: 66_000,
          playlist_url: `/v1/stream/hls/${ID}/low/index.m3u8`,
        },
        {
          name: 'high',
          codec: 'aac',
          bitrate: 256_000,
          bandwidth: 270_001,
          average_bandwidth: 262_000,
          playlist_url: `/v1/stream/hls/${ID}/high/index.m3u8`,
        },
      ],
      normalize: true,
      loudness: { integrated_lufs: -23.5, loudness_range_lu: 4.2, true_peak_dbtp: -3.1 },
      output_loudness: { integrated_lufs: -14.1, loudness_range_lu: 4.2, true_peak_dbtp: -1.2 },
      source: { tags: { title: 'Song', track: '3' } },
      waveform_url: `/v1/stream/job/${ID}/waveform.json`,
      download_url: `/v1/stream/job/${ID}/download`,
    });
  });

  it('an older result (no waveform flag) or a job without download has no such URLs', () => {
    const view = toJobView(
      snapshot({ state: 'completed', finishedAt: FINISHED, result: { segments: 2, outputDurationSeconds: 8.5 } }),
    );
    expect(view.waveform_url).toBeNull();
    expect(view.download_url).toBeNull();
    expect(view.renditions[0]?.playlist_url).toBe(`/v1/stream/hls/${ID}/index.m3u8`);
  });
});

describe('toJobView: the live playlist', () => {
  const live = `/v1/stream/hls/${ID}/live.m3u8`;
  const result = { segments: 2, outputDurationSeconds: 8 };

  it.each<[string, Partial<JobSnapshot>, string | null]>([
    ['pending', {}, null],
    ['processing, no whole segment yet', { state: 'active', progress: 3 }, null],
    ['processing and playable', { state: 'active', progress: 3, playable: true }, live],
    ['cancelled while playable', { state: 'active', playable: true, cancelledAt: FINISHED }, null],
    ['failed after it was playable', { state: 'failed', playable: true, failedReason: 'boom' }, null],
    ['completed with its live playlist', { state: 'completed', result: { ...result, live: true } }, live],
    ['completed before live playlists existed', { state: 'completed', result }, null],
  ])('%s', (_what, overrides, expected) => {
    expect(toJobView(snapshot(overrides)).live_manifest_url).toBe(expected);
  });

  it('is signed with the playback token, like manifest_url', () => {
    const view = toJobView(snapshot({ state: 'active', playable: true }));
    expect(withManifestToken(view, 'tok').live_manifest_url).toBe(`${live}?token=tok`);
    expect(withManifestToken(view, 'tok').manifest_url).toBeNull();
  });
});

describe('toJobView: duration_seconds', () => {
  const result = { segments: 20, outputDurationSeconds: 120.03 };
  it("is the probe's while the job runs and the decoded length once Completed (headers can be wrong)", () => {
    const data = snapshot().data;
    const claimed = { ...data, source: { ...data.source, durationSeconds: 16.3 } };
    expect(toJobView(snapshot({ state: 'active', data: claimed })).duration_seconds).toBe(16.3);
    expect(toJobView(snapshot({ state: 'completed', data: claimed, result })).duration_seconds).toBe(120.03);
    // The source block keeps what the upload claimed.
    expect(toJobView(snapshot({ state: 'completed', data: claimed, result })).source.duration_seconds).toBe(16.3);
  });
});
