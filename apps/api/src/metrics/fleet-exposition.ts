import {
  DURATION_BUCKETS_SECONDS,
  REALTIME_FACTOR_BUCKETS,
  type FleetSnapshot,
  type HistogramData,
  type LabelledCount,
} from '@stream-server/fleet';

/**
 * Renders the fleet's worker-produced numbers (read from Redis at scrape
 * time) in the Prometheus text format. prom-client's own Counter and
 * Histogram only count observations made in this process; these numbers
 * come from every worker, so they are written out directly. Pure, so the
 * format is unit-tested.
 */
export function renderFleetMetrics(snapshot: FleetSnapshot): string {
  return [
    counter('stream_jobs_completed_total', 'Jobs completed, by output codec (whole fleet).', snapshot.completed),
    counter('stream_jobs_failed_total', 'Jobs failed for good, by codec and reason (whole fleet).', snapshot.failed),
    counter(
      'stream_job_retries_total',
      'Failed attempts that were retried, by codec and reason (whole fleet).',
      snapshot.retried,
    ),
    histogram(
      'stream_job_duration_seconds',
      'Wall time of the attempt that completed a job, by codec (whole fleet).',
      DURATION_BUCKETS_SECONDS,
      snapshot.duration,
    ),
    histogram(
      'stream_job_realtime_factor',
      'Media seconds encoded per wall second, per completed job, by codec (whole fleet).',
      REALTIME_FACTOR_BUCKETS,
      snapshot.realtimeFactor,
    ),
  ].join('\n');
}

function counter(name: string, help: string, values: readonly LabelledCount[]): string {
  const lines = header(name, help, 'counter');
  for (const entry of values) {
    const labels: Array<[string, string]> = [['codec', entry.codec]];
    if (entry.reason !== undefined) labels.push(['reason', entry.reason]);
    lines.push(`${name}${formatLabels(labels)} ${formatNumber(entry.value)}`);
  }
  return lines.join('\n') + '\n';
}

function histogram(name: string, help: string, bounds: readonly number[], values: readonly HistogramData[]): string {
  const lines = header(name, help, 'histogram');
  for (const entry of values) {
    let cumulative = 0;
    const les = [...bounds.map(formatNumber), '+Inf'];
    les.forEach((le, index) => {
      cumulative += entry.buckets[index] ?? 0;
      lines.push(
        `${name}_bucket${formatLabels([
          ['codec', entry.codec],
          ['le', le],
        ])} ${formatNumber(cumulative)}`,
      );
    });
    lines.push(`${name}_sum${formatLabels([['codec', entry.codec]])} ${formatNumber(entry.sum)}`);
    lines.push(`${name}_count${formatLabels([['codec', entry.codec]])} ${formatNumber(entry.count)}`);
  }
  return lines.join('\n') + '\n';
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
}

function formatLabels(labels: ReadonlyArray<readonly [string, string]>): string {
  return `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
