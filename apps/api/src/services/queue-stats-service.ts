import { InvalidInputError } from '@stream-server/errors';
import type { JobSnapshot } from '@stream-server/jobs';
import {
  LISTABLE_STATES,
  type ListableState,
  type PriorityCounts,
  type QueueDepth,
  type StateCounts,
} from '@stream-server/queue';
import type { OnlineWorker, Throughput } from '@stream-server/fleet';
import { toJobView, type JobView } from './job-view';

/** `GET /v1/stream/queue/stats` (contracts.md). */
export interface QueueStats {
  counts: StateCounts;
  by_priority: PriorityCounts;
  workers: WorkerView[];
  throughput: Throughput;
  oldest_waiting_age_seconds: number | null;
  generated_at: string;
}

interface WorkerView {
  id: string;
  host: string;
  concurrency: number;
  current_jobs: string[];
  codecs: string[];
  ffmpeg_version: string;
  started_at: string;
}

export interface JobListQuery {
  readonly limit: number;
  readonly state?: ListableState;
}

const JOB_LIST_DEFAULT_LIMIT = 20;
const JOB_LIST_MAX_LIMIT = 100;

/** The queue's counts and its newest jobs. */
export interface QueueReader {
  depth(): Promise<QueueDepth>;
  recent(limit: number, state?: ListableState): Promise<JobSnapshot[]>;
}

/** The workers on line, with what each is running. */
export interface FleetReader {
  onlineWithJobs(now: number): Promise<OnlineWorker[]>;
}

/** Jobs finished over the last minutes. */
export interface ThroughputReader {
  throughput(now: number): Promise<Throughput>;
}

/**
 * Reads the queue and the fleet for dashboards and the Prometheus scrape.
 * Every number is read from Redis on demand, so any API instance answers
 * for the whole fleet, and each read is a few commands whatever the
 * queue's length.
 */
export class QueueStatsService {
  constructor(
    private readonly inspector: QueueReader,
    private readonly fleet: FleetReader,
    private readonly metrics: ThroughputReader,
  ) {}

  async stats(now = Date.now()): Promise<QueueStats> {
    const [depth, workers, throughput] = await Promise.all([
      this.inspector.depth(),
      this.fleet.onlineWithJobs(now),
      this.metrics.throughput(now),
    ]);
    return {
      counts: depth.counts,
      by_priority: depth.byPriority,
      workers: workers.map((worker) => ({
        id: worker.id,
        host: worker.host,
        concurrency: worker.concurrency,
        current_jobs: [...worker.currentJobs],
        codecs: [...worker.codecs],
        ffmpeg_version: worker.ffmpegVersion,
        started_at: worker.startedAt,
      })),
      throughput,
      oldest_waiting_age_seconds:
        depth.oldestWaitingAt === null ? null : Math.max(0, Math.round((now - depth.oldestWaitingAt) / 100) / 10),
      generated_at: new Date(now).toISOString(),
    };
  }

  /** `GET /v1/stream/jobs`: the newest jobs as job bodies, newest first. */
  async recentJobs(query: JobListQuery): Promise<JobView[]> {
    const snapshots = await this.inspector.recent(query.limit, query.state);
    return snapshots.map(toJobView);
  }
}

/** Validates `?limit=&state=` of the job listing (400 on anything else). */
export function parseJobListQuery(query: Readonly<Record<string, unknown>>): JobListQuery {
  // The query parser keeps `state[]=x` as a key of its own: taking it as
  // "no filter" would quietly answer another question than the one asked.
  for (const key of Object.keys(query)) {
    const base = /^(limit|state)\[/.exec(key)?.[1];
    if (base === 'limit') throw new InvalidInputError('INVALID_LIMIT', 'limit is a single value, e.g. limit=20.');
    if (base === 'state') throw new InvalidInputError('INVALID_STATE', 'state is a single value, e.g. state=failed.');
  }
  const { limit: rawLimit, state: rawState } = query;
  let limit = JOB_LIST_DEFAULT_LIMIT;
  if (rawLimit !== undefined) {
    const text = typeof rawLimit === 'string' ? rawLimit : '';
    if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > JOB_LIST_MAX_LIMIT) {
      throw new InvalidInputError('INVALID_LIMIT', `limit must be a whole number from 1 to ${JOB_LIST_MAX_LIMIT}.`);
    }
    limit = Number(text);
  }
  if (rawState === undefined) return { limit };
  const state = LISTABLE_STATES.find((candidate) => candidate === rawState);
  if (!state) throw new InvalidInputError('INVALID_STATE', `state must be one of ${LISTABLE_STATES.join(', ')}.`);
  return { limit, state };
}
