import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { PRIORITIES } from '@stream-server/profiles';
import { queueUnavailable } from '@stream-server/queue';
import type { FleetMetrics } from '@stream-server/fleet';
import type { QueueStatsService } from '../services/queue-stats-service';
import { renderFleetMetrics } from './fleet-exposition';
import type { RequestSample } from './http-metrics';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Uploads can take minutes; reads take milliseconds. */
const HTTP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface MetricsPage {
  readonly contentType: string;
  readonly body: string;
}

/**
 * `GET /metrics`. Each API has its own prom-client Registry (never the
 * global one: tests run several APIs in one process). What this process
 * sees itself (HTTP latency, Node.js runtime) is counted in memory; queue
 * depth and the fleet are read from Redis at scrape time, so every API
 * instance reports the same fleet-wide numbers.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly queueJobs: Gauge<'state'>;
  private readonly queueByPriority: Gauge<'priority' | 'state'>;
  private readonly activeJobs: Gauge;
  private readonly workersOnline: Gauge;
  private readonly workerSlots: Gauge;
  private readonly oldestWaiting: Gauge;

  constructor(
    private readonly stats: QueueStatsService,
    private readonly fleetMetrics: FleetMetrics,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'stream_http_request_duration_seconds',
      help: 'HTTP requests served by this API instance, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS_SECONDS,
      registers,
    });
    this.queueJobs = new Gauge({
      name: 'stream_queue_jobs',
      help: 'Transcode jobs in the queue, by state.',
      labelNames: ['state'],
      registers,
    });
    this.queueByPriority = new Gauge({
      name: 'stream_queue_jobs_by_priority',
      help: 'Waiting and active transcode jobs, by priority.',
      labelNames: ['priority', 'state'],
      registers,
    });
    this.activeJobs = new Gauge({
      name: 'stream_active_jobs',
      help: 'Transcode jobs running now on the fleet.',
      registers,
    });
    this.workersOnline = new Gauge({
      name: 'stream_workers_online',
      help: 'Workers with a fresh heartbeat.',
      registers,
    });
    this.workerSlots = new Gauge({
      name: 'stream_worker_slots',
      help: 'Jobs the online workers can run at once (sum of their concurrency).',
      registers,
    });
    this.oldestWaiting = new Gauge({
      name: 'stream_oldest_waiting_job_age_seconds',
      help: 'Age of the oldest job waiting to run (0 when none waits).',
      registers,
    });
  }

  observe(sample: RequestSample): void {
    this.httpDuration.observe(
      { method: sample.method, route: sample.route, status: String(sample.status) },
      sample.seconds,
    );
  }

  async render(): Promise<MetricsPage> {
    const [stats, fleet] = await Promise.all([
      this.stats.stats(),
      this.fleetMetrics.snapshot().catch(() => {
        throw queueUnavailable();
      }),
    ]);
    for (const state of QUEUE_STATES) this.queueJobs.set({ state }, stats.counts[state]);
    for (const priority of PRIORITIES) {
      this.queueByPriority.set({ priority, state: 'waiting' }, stats.by_priority[priority].waiting);
      this.queueByPriority.set({ priority, state: 'active' }, stats.by_priority[priority].active);
    }
    this.activeJobs.set(stats.counts.active);
    this.workersOnline.set(stats.workers.length);
    this.workerSlots.set(stats.workers.reduce((sum, worker) => sum + worker.concurrency, 0));
    this.oldestWaiting.set(stats.oldest_waiting_age_seconds ?? 0);
    const local = await this.registry.metrics();
    return { contentType: this.registry.contentType, body: `${local}\n${renderFleetMetrics(fleet)}` };
  }
}
