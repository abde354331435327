import type { OnlineWorker, Throughput } from '@stream-server/fleet';
import type { JobSnapshot } from '@stream-server/jobs';
import type { ListableState, QueueDepth } from '@stream-server/queue';
import { parseJobListQuery, QueueStatsService } from '../src/services/queue-stats-service';

const NOW = Date.parse('2025-01-27T12:00:00.000Z');

const DEPTH: QueueDepth = {
  counts: { waiting: 3, active: 1, delayed: 0, completed: 10, failed: 2 },
  byPriority: {
    urgent: { waiting: 1, active: 1 },
    normal: { waiting: 2, active: 0 },
    background: { waiting: 0, active: 0 },
  },
  oldestWaitingAt: NOW - 12_345,
};

const WORKER: OnlineWorker = {
  id: 'w1',
  host: 'box-1',
  pid: 42,
  concurrency: 2,
  codecs: ['aac', 'opus'],
  ffmpegVersion: '7.1',
  startedAt: '2025-01-27T11:00:00.000Z',
  currentJobs: ['3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65'],
};

const THROUGHPUT: Throughput = { last_1m: 1, last_5m: 4, last_15m: 9, failed: { last_1m: 0, last_5m: 1, last_15m: 1 } };

function service(depth: QueueDepth = DEPTH, recent: JobSnapshot[] = []) {
  const asked: Array<{ limit: number; state: ListableState | undefined }> = [];
  const stats = new QueueStatsService(
    {
      depth: async () => depth,
      recent: async (limit, state) => {
        asked.push({ limit, state });
        return recent;
      },
    },
    { onlineWithJobs: async () => [WORKER] },
    { throughput: async () => THROUGHPUT },
  );
  return { stats, asked };
}

describe('QueueStatsService.stats', () => {
  it('the contract shape, from the queue, the fleet and the metrics', async () => {
    await expect(service().stats.stats(NOW)).resolves.toEqual({
      counts: DEPTH.counts,
      by_priority: DEPTH.byPriority,
      workers: [
        {
          id: 'w1',
          host: 'box-1',
          concurrency: 2,
          current_jobs: ['3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65'],
          codecs: ['aac', 'opus'],
          ffmpeg_version: '7.1',
          started_at: '2025-01-27T11:00:00.000Z',
        },
      ],
      throughput: THROUGHPUT,
      oldest_waiting_age_seconds: 12.3,
      generated_at: '2025-01-27T12:00:00.000Z',
    });
  });

  it('no waiting job: the oldest age is null; a clock behind the queue never gives a negative age', async () => {
    expect((await service({ ...DEPTH, oldestWaitingAt: null }).stats.stats(NOW)).oldest_waiting_age_seconds).toBeNull();
    expect(
      (await service({ ...DEPTH, oldestWaitingAt: NOW + 5_000 }).stats.stats(NOW)).oldest_waiting_age_seconds,
    ).toBe(0);
  });
});

describe('QueueStatsService.recentJobs', () => {
  it('passes the query on and answers job bodies', async () => {
    const { stats, asked } = service(DEPTH, []);
    await expect(stats.recentJobs({ limit: 5, state: 'failed' })).resolves.toEqual([]);
    expect(asked).toEqual([{ limit: 5, state: 'failed' }]);
  });
});

describe('parseJobListQuery', () => {
  it('defaults, and a valid query', () => {
    expect(parseJobListQuery({})).toEqual({ limit: 20 });
    expect(parseJobListQuery({ limit: '100', state: 'active' })).toEqual({ limit: 100, state: 'active' });
  });

  it.each([
    [{ limit: '0' }, 'INVALID_LIMIT'],
    [{ limit: '101' }, 'INVALID_LIMIT'],
    [{ limit: ['5'] }, 'INVALID_LIMIT'],
    [{ state: 'paused' }, 'INVALID_STATE'],
    [{ 'state[]': 'failed' }, 'INVALID_STATE'],
    [{ 'state[0]': 'failed' }, 'INVALID_STATE'],
    [{ 'limit[]': '5' }, 'INVALID_LIMIT'],
  ])('%j → %s', (query, code) => {
    expect(() => parseJobListQuery(query)).toThrow(expect.objectContaining({ code }));
  });
});
