/**
 * Chaos: a batch of jobs on three worker processes while workers are
 * SIGKILLed or SIGTERMed and replaced every few seconds, and Redis (AOF) is
 * restarted once. At the end every job must be Completed with a playlist
 * that decodes to its source's duration, with no file or ffmpeg left over.
 *
 * CI runs a short form; `npm run chaos` the full one (20 jobs). Tune with
 * CHAOS_JOBS, CHAOS_SEED (printed, to replay a run).
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFleet, type Fleet } from '../support/fleet';
import { decodePlaylist, makeTrack } from '../support/media';
import { startTestRedis, type TestRedis } from '../support/redis-server';
import { readJson, submit } from '../support/stack';

const JOBS = Number(process.env['CHAOS_JOBS'] ?? 8);
const SEED = Number(process.env['CHAOS_SEED'] ?? Date.now() % 100_000);
const LENGTHS = [180, 240, 300];
/**
 * SIGKILLs in one run. Each SIGKILL of the worker running a job counts one
 * stall against that job, and BullMQ fails a job past 5 stalls by design
 * (a crash loop). On a slow machine a job lives through many kills, so
 * SIGKILLs stay below that; SIGTERMs (which hand the job back and cost no
 * stall) go on as before.
 */
const MAX_SIGKILLS = 4;
const CODECS = ['aac', 'mp3', 'opus', 'flac'];

/** Small seeded PRNG (mulberry32) so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let redis: TestRedis;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-'));
  redis = await startTestRedis();
});

afterAll(async () => {
  await redis?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function statuses(fleet: Fleet, ids: string[]): Promise<string[]> {
  return Promise.all(
    ids.map(async (id) => {
      try {
        return String((await readJson(await fetch(`${fleet.baseUrl}/v1/stream/job/${id}`)))['status']);
      } catch {
        return 'unreachable';
      }
    }),
  );
}

it(`completes every job of a batch while workers die and Redis restarts (${JOBS} jobs, seed ${SEED})`, async () => {
  console.log(`chaos: ${JOBS} jobs, CHAOS_SEED=${SEED}`);
  const rand = random(SEED);
  const tracks = new Map<number, Blob>();
  for (const seconds of LENGTHS)
    tracks.set(seconds, new Blob([await readFile(await makeTrack(dir, `t${seconds}`, { seconds }))]));

  const fleet = await startFleet('chaos', {
    redisUrl: redis.url,
    workers: 3,
    env: { JOB_LOCK_SECONDS: '3', SHUTDOWN_GRACE_SECONDS: '2', JOB_ATTEMPTS: '3' },
  });
  const log: string[] = [];
  try {
    const jobs: Array<{ id: string; seconds: number }> = [];
    for (let i = 0; i < JOBS; i++) {
      const seconds = LENGTHS[i % LENGTHS.length] ?? 180;
      const upload = await submit(fleet.baseUrl, tracks.get(seconds) ?? new Blob([]), `job${i}.wav`, {
        codec: CODECS[i % CODECS.length] ?? 'aac',
        quality_profile: 'medium',
      });
      expect(upload.status).toBe(200);
      jobs.push({ id: String(upload.body['job_id']), seconds });
    }
    const ids = jobs.map((job) => job.id);

    let redisRestarted = false;
    const replacements: Array<Promise<unknown>> = [];
    const kills = () => log.filter((line) => /SIG(KILL|TERM)/.test(line)).length;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const current = await statuses(fleet, ids);
      if (current.every((status) => status === 'Completed' || status.startsWith('Failed') || status === 'Cancelled'))
        break;
      if (Date.now() > deadline) throw new Error(`chaos did not settle: ${current.join(', ')}\n${log.join('\n')}`);
      // "Every few seconds", as the issue puts it; faster, one job can stall
      // past maxStalledCount and fail by design (a crash loop).
      // The first kill comes at once, while every job is still queued or running.
      await sleep(kills() === 0 ? 500 : 1_500 + rand() * 1_500);

      const done = current.filter((status) => status === 'Completed').length;
      if (!redisRestarted && done >= 1 && kills() >= 1) {
        redisRestarted = true;
        log.push('redis: stop');
        await redis.stop();
        await sleep(1_000);
        await redis.start();
        log.push('redis: start');
        continue;
      }
      const alive = fleet.workers.filter(
        (worker) => worker.child.exitCode === null && worker.child.signalCode === null,
      );
      const victim = alive[Math.floor(rand() * alive.length)];
      if (victim) {
        const sigkills = log.filter((line) => line.endsWith('SIGKILL')).length;
        const signal = rand() < 0.7 && sigkills < MAX_SIGKILLS ? 'SIGKILL' : 'SIGTERM';
        log.push(`worker ${victim.child.pid}: ${signal}`);
        victim.child.kill(signal);
        await victim.exited;
      }
      if (alive.length <= 3) {
        // Not awaited: the next kill may hit a worker still starting.
        replacements.push(fleet.addWorker().then((w) => log.push(`worker ${w.child.pid}: started`)));
      }
    }
    await Promise.allSettled(replacements);
    console.log(`chaos actions:\n${log.join('\n')}`);
    expect(redisRestarted).toBe(true);
    expect(kills()).toBeGreaterThanOrEqual(2);

    const final = await statuses(fleet, ids);
    expect(final).toEqual(ids.map(() => 'Completed'));
    for (const { id, seconds } of jobs) {
      const decoded = await decodePlaylist(`${fleet.baseUrl}/v1/stream/hls/${id}/index.m3u8`);
      expect(Math.abs(decoded.durationSeconds - seconds)).toBeLessThanOrEqual(0.1);
    }
    expect((await readdir(path.join(fleet.storageDir, 'hls'))).sort()).toEqual([...ids].sort());
    expect(await fleet.leftovers()).toEqual([]);
    expect(fleet.ffmpegProcesses()).toEqual([]);
  } finally {
    await fleet.stop();
  }
}, 400_000);
