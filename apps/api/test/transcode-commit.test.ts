import { UnavailableError } from '@stream-server/errors';
import type { ProbeOutcome } from '@stream-server/ffmpeg';
import { silentLogger } from '@stream-server/logger';
import { StorageLayout } from '@stream-server/storage';
import { TranscodeService, type StoredUpload, type UploadFiles } from '../src/services/transcode-service';

/**
 * The upload's commit to the storage every worker reads (a bucket with
 * STORAGE_DRIVER=s3): only for a request that passed every check, before
 * the job is queued, and whatever stops it, nothing is queued and the
 * upload is deleted.
 */

const layout = new StorageLayout('/srv/media');
const UPLOAD_ID = '9b1e2f3a-4c5d-4e6f-8a7b-1c2d3e4f5a6b';
const upload: StoredUpload = {
  uploadId: UPLOAD_ID,
  path: layout.uploadPath(UPLOAD_ID),
  size: 1_000,
  originalName: 'tone.wav',
};
const PROBED: ProbeOutcome = {
  ok: true,
  result: {
    demuxer: 'wav',
    audio: { codec: 'pcm_s16le', sampleRate: 44_100, channels: 2, bitsPerSample: 16, durationSeconds: 8, bitrate: 1 },
    tags: {},
  },
};

function setUp(commitUpload: UploadFiles['commitUpload']) {
  const events: string[] = [];
  const service = new TranscodeService(
    {
      layout,
      commitUpload: async (file, signal) => {
        events.push('commit');
        await commitUpload(file, signal);
      },
      remove: async (file) => void events.push(`remove ${file}`),
    },
    { probe: async () => (events.push('probe'), PROBED) },
    { add: async () => void events.push('queue') },
    { available: async () => ['aac', 'mp3', 'opus', 'flac'] },
    { maxDurationSeconds: 600, maxChannels: 8, maxSampleRate: 192_000 },
    { hlsSegmentSeconds: 4, waveformSamplesPerPixel: 1024, loudnessTargetLufs: -16, loudnessTruePeakDb: -1.5 },
    silentLogger,
  );
  return { service, events };
}

it('commits an accepted upload after the probe and before it says it is queueing', async () => {
  const { service, events } = setUp(async () => undefined);
  await service.submit(upload, {}, undefined, { onQueueing: () => void events.push('queueing') });
  expect(events).toEqual(['probe', 'commit', 'queueing', 'queue']);
});

it('commits nothing for a refused request', async () => {
  const { service, events } = setUp(async () => undefined);
  await expect(service.submit(upload, { codec: 'wma' })).rejects.toThrow();
  expect(events).toEqual([`remove ${upload.path}`]);
});

it('a storage that fails the commit is 503 STORAGE_UNAVAILABLE; nothing is queued and the upload is deleted', async () => {
  const { service, events } = setUp(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9000')));
  const err = await service.submit(upload, {}).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnavailableError);
  expect(err).toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining('storage') });
  expect(events).toEqual(['probe', 'commit', `remove ${upload.path}`]);
});

it('an abort during the commit stops it, queues nothing and deletes the upload', async () => {
  const abandoned = new AbortController();
  const { service, events } = setUp(
    (_file, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('upload aborted')));
        abandoned.abort();
      }),
  );
  let queueing = false;
  const err = await service
    .submit(upload, {}, undefined, { signal: abandoned.signal, onQueueing: () => void (queueing = true) })
    .catch((e: unknown) => e);
  expect(err).toMatchObject({ message: 'upload aborted' });
  expect(queueing).toBe(false);
  expect(events).toEqual(['probe', 'commit', `remove ${upload.path}`]);
});

it('a commit that completes as the client leaves still queues nothing, and the committed copy is deleted', async () => {
  const abandoned = new AbortController();
  const { service, events } = setUp(async () => abandoned.abort());
  await expect(service.submit(upload, {}, undefined, { signal: abandoned.signal })).rejects.toThrow();
  expect(events).toEqual(['probe', 'commit', `remove ${upload.path}`]);
});
