import type { JobSnapshot, WebhookEvent } from '@stream-server/jobs';
import type { Logger, LogMeta } from '@stream-server/logger';
import { silentLogger } from '@stream-server/logger';
import { WebhookNotices } from '../src/services/webhook-callbacks';
import { JOB_ID as ID, jobSnapshot } from './job-snapshots';

function snapshot(overrides: Partial<JobSnapshot> = {}, callbackUrl?: string): JobSnapshot {
  return jobSnapshot({ cancelledAt: 1_737_979_201_000, ...overrides }, callbackUrl ? { callbackUrl } : {});
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
