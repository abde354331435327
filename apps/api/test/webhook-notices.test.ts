import type { JobSnapshot, WebhookEvent } from '@stream-server/jobs';
import type { Logger, LogMeta } from '@stream-server/logger';
import { silentLogger } from '@stream-server/logger';
import { WebhookNotices } from '../src/services/webhook-callbacks';

const ID = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';

function snapshot(overrides: Partial<JobSnapshot> = {}, callbackUrl?: string): JobSnapshot {
  return {
    id: ID,
    data: {
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
        durationSeconds: 8,
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
      submittedAt: '2025-01-27T12:00:00.000Z',
      ...(callbackUrl ? { callbackUrl } : {}),
    },
    state: 'waiting',
    progress: 0,
    createdAt: 1_737_979_200_000,
    startedAt: null,
    finishedAt: null,
    failedReason: null,
    attemptsMade: 0,
    result: null,
    cancelledAt: 1_737_979_201_000,
    ...overrides,
  };
}

const URL = 'https://hooks.example.com/transcode';

describe('WebhookNotices.cancelled', () => {
  it('queues transcode.cancelled to the job callback_url', async () => {
    const sent: Array<{ url: string; event: WebhookEvent }> = [];
    await new WebhookNotices({ enqueue: async (url, event) => void sent.push({ url, event }) }, silentLogger).cancelled(
      snapshot({}, URL),
    );
    expect(sent).toEqual([
      {
        url: URL,
        event: expect.objectContaining({
          type: 'transcode.cancelled',
          data: expect.objectContaining({ job_id: ID, status: 'Cancelled' }),
        }),
      },
    ]);
  });

  it('sends nothing without a callback_url, or for a job that is not cancelled', async () => {
    const sent: string[] = [];
    const notices = new WebhookNotices({ enqueue: async (url) => void sent.push(url) }, silentLogger);
    await notices.cancelled(snapshot());
    await notices.cancelled(snapshot({ cancelledAt: null }, URL));
    expect(sent).toEqual([]);
  });

  it('a queue failure is logged, never thrown', async () => {
    const warnings: Array<[string, LogMeta | undefined]> = [];
    const logger: Logger = { ...silentLogger, warn: (message, meta) => void warnings.push([message, meta]) };
    const notices = new WebhookNotices({ enqueue: async () => Promise.reject(new Error('redis down')) }, logger);
    await expect(notices.cancelled(snapshot({}, URL))).resolves.toBeUndefined();
    expect(warnings).toEqual([['webhook not queued', expect.objectContaining({ job_id: ID })]]);
  });
});
