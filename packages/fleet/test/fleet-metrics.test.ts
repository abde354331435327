/**
 * Fleet metrics: the pure key/bucket logic, then the repository and the
 * fleet registry's running-job sets against a real Redis.
 */
import { randomUUID } from 'node:crypto';
import { createRedis } from '@stream-server/queue';
import {
  bucketIndex,
  DURATION_BUCKETS_SECONDS,
  failureReason,
  FleetMetrics,
  FleetRegistry,
  outcomeFields,
  parseFleetHash,
  realtimeFactor,
  REALTIME_FACTOR_BUCKETS,
  WORKER_TTL_MS,
  type WorkerInfo,
} from '@stream-server/fleet';

describe('pure parts', () => {
  it('puts a value in the first bucket whose bound is not below it, +Inf past the last', () => {
    expect(bucketIndex([1, 5, 10], 0)).toBe(0);
    expect(bucketIndex([1, 5, 10], 1)).toBe(0);
    expect(bucketIndex([1, 5, 10], 1.01)).toBe(1);
    expect(bucketIndex([1, 5, 10], 10)).toBe(2);
    expect(bucketIndex([1, 5, 10], 11)).toBe(3);
  });

  it('computes the realtime factor, 0 when either side is unknown', () => {
    expect(realtimeFactor(60, 2)).toBe(30);
    expect(realtimeFactor(60, 0)).toBe(0);
    expect(realtimeFactor(0, 2)).toBe(0);
    expect(realtimeFactor(Number.NaN, 2)).toBe(0);
  });

  it('maps failure messages to a closed set of reasons', () => {
    expect(failureReason('cancelled')).toBe('cancelled');
    expect(failureReason('timeout')).toBe('timeout');
    expect(failureReason('undecodable audio: Invalid data found when processing input')).toBe('undecodable');
    expect(failureReason('ffmpeg was killed by SIGKILL')).toBe('ffmpeg');
    expect(failureReason('job stalled more than allowable limit')).toBe('stalled');
    expect(failureReason("this worker's ffmpeg cannot write opus")).toBe('codec_unavailable');
    expect(failureReason('the uploaded source file is missing from storage')).toBe('source_missing');
    expect(failureReason('ENOSPC: no space left on device, write')).toBe('error');
  });

  it('turns a completed job into counter, bucket and sum increments', () => {
    const fields = outcomeFields({
      kind: 'completed',
      jobId: 'j',
      codec: 'aac',
      wallSeconds: 1.5,
      mediaSeconds: 60,
      finishedAt: 0,
    });
    expect(fields).toEqual([
      ['completed|aac', 1],
      [`duration|aac|${DURATION_BUCKETS_SECONDS.indexOf(2)}`, 1],
      ['duration_sum|aac', 1.5],
      [`rtf|aac|${REALTIME_FACTOR_BUCKETS.indexOf(50)}`, 1],
      ['rtf_sum|aac', 40],
    ]);
  });

  it('counts final failures and retried attempts apart, and labels unknown codecs "other"', () => {
    expect(
      outcomeFields({ kind: 'failed', jobId: 'j', codec: 'mp3', reason: 'timeout', final: true, finishedAt: 0 }),
    ).toEqual([['failed|mp3|timeout', 1]]);
    expect(
      outcomeFields({ kind: 'failed', jobId: 'j', codec: 'vorbis', reason: 'ffmpeg', final: false, finishedAt: 0 }),
    ).toEqual([['retried|other|ffmpeg', 1]]);
  });

  it('parses the hash back, ignoring fields it does not know', () => {
    const snapshot = parseFleetHash({
      'completed|aac': '3',
      'failed|aac|timeout': '1',
      'failed|aac|made-up': '9',
      'retried|mp3|ffmpeg': '2',
      'duration|aac|0': '1',
      'duration|aac|3': '2',
      'duration|aac|99': '7',
      'duration_sum|aac': '4.5',
      'rtf|aac|10': '3',
      'rtf_sum|aac': '300',
      junk: 'x',
      'completed|mp3': 'not a number',
    });
    expect(snapshot.completed).toEqual([{ codec: 'aac', value: 3 }]);
    expect(snapshot.failed).toEqual([{ codec: 'aac', reason: 'timeout', value: 1 }]);
    expect(snapshot.retried).toEqual([{ codec: 'mp3', reason: 'ffmpeg', value: 2 }]);
    const duration = snapshot.duration[0];
    expect(duration?.count).toBe(3);
    expect(duration?.sum).toBe(4.5);
    expect(duration?.buckets).toHaveLength(DURATION_BUCKETS_SECONDS.length + 1);
    expect(snapshot.realtimeFactor[0]).toMatchObject({ codec: 'aac', count: 3, sum: 300 });
    expect(snapshot.realtimeFactor[0]?.buckets[REALTIME_FACTOR_BUCKETS.length]).toBe(3);
  });
});

describe('against Redis', () => {
  const prefix = `test-fleet-metrics-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(
    { kind: 'single', url: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379' },
    'worker',
  );
  const metrics = new FleetMetrics(redis, prefix);
  const fleet = new FleetRegistry(redis, prefix);

  afterAll(async () => {
    await metrics.clear();
    await fleet.clear();
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    await redis.quit();
  });

  it('records outcomes once each and reads counters, histograms and sliding throughput', async () => {
    const now = Date.now();
    await metrics.record({
      kind: 'completed',
      jobId: 'a',
      codec: 'aac',
      wallSeconds: 0.4,
      mediaSeconds: 2,
      finishedAt: now - 30_000,
    });
    await metrics.record({
      kind: 'completed',
      jobId: 'b',
      codec: 'aac',
      wallSeconds: 0.6,
      mediaSeconds: 2.5,
      finishedAt: now - 4 * 60_000,
    });
    await metrics.record({
      kind: 'failed',
      jobId: 'c',
      codec: 'flac',
      reason: 'ffmpeg',
      final: false,
      finishedAt: now - 10_000,
    });
    await metrics.record({
      kind: 'failed',
      jobId: 'c',
      codec: 'flac',
      reason: 'ffmpeg',
      final: true,
      finishedAt: now - 5_000,
    });
    // Older than the longest window: not counted.
    await metrics.record({
      kind: 'completed',
      jobId: 'old',
      codec: 'mp3',
      wallSeconds: 1,
      mediaSeconds: 10,
      finishedAt: now - 16 * 60_000,
    });
    await metrics.record({
      kind: 'completed',
      jobId: 'd',
      codec: 'mp3',
      wallSeconds: 1,
      mediaSeconds: 10,
      finishedAt: now - 10 * 60_000,
    });

    expect(await metrics.throughput(now)).toEqual({
      last_1m: 2,
      last_5m: 3,
      last_15m: 4,
      failed: { last_1m: 1, last_5m: 1, last_15m: 1 },
    });
    const snapshot = await metrics.snapshot();
    expect(snapshot.completed).toEqual([
      { codec: 'aac', value: 2 },
      { codec: 'mp3', value: 2 },
    ]);
    expect(snapshot.failed).toEqual([{ codec: 'flac', reason: 'ffmpeg', value: 1 }]);
    expect(snapshot.retried).toEqual([{ codec: 'flac', reason: 'ffmpeg', value: 1 }]);
    const aac = snapshot.duration.find((entry) => entry.codec === 'aac');
    expect(aac?.count).toBe(2);
    expect(aac?.sum).toBeCloseTo(1.0, 6);
    expect(aac?.buckets[0]).toBe(1); // 0.4 s ≤ 0.5
    expect(aac?.buckets[1]).toBe(1); // 0.6 s ≤ 1
    expect(await redis.pttl(`${prefix}:metrics:finished`)).toBeGreaterThan(14 * 60_000);
  });

  const info = (id: string): WorkerInfo => ({
    id,
    host: 'h',
    pid: 1,
    concurrency: 2,
    codecs: ['aac'],
    ffmpegVersion: 'x',
    startedAt: new Date(0).toISOString(),
  });

  it("tracks each worker's running jobs, which expire with the worker", async () => {
    const now = Date.now();
    await fleet.heartbeat(info('w1'), now, []);
    await fleet.heartbeat(info('w2'), now, ['stale']);
    await fleet.jobStarted('w1', 'j1');
    await fleet.jobStarted('w1', 'j2');
    await fleet.jobEnded('w1', 'j1');
    // A heartbeat rewrites the set from the worker's own view.
    await fleet.heartbeat(info('w2'), now, ['j3']);
    const online = await fleet.onlineWithJobs(now);
    expect(online.map((worker) => [worker.id, worker.currentJobs])).toEqual([
      ['w1', ['j2']],
      ['w2', ['j3']],
    ]);
    // The set lives no longer than the worker's entry.
    const ttl = await redis.pttl(`${prefix}:fleet:jobs:w1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WORKER_TTL_MS);
    // A worker that stopped heart-beating (crashed) is gone, and so are its jobs.
    expect((await fleet.onlineWithJobs(now + WORKER_TTL_MS + 1)).map((worker) => worker.id)).toEqual([]);
    await fleet.leave('w1');
    expect(await redis.exists(`${prefix}:fleet:jobs:w1`)).toBe(0);
    expect((await fleet.onlineWithJobs(now)).map((worker) => worker.id)).toEqual(['w2']);
  });
});
