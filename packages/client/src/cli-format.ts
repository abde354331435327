import type { Job, QueueStats } from './types';

/** Short, aligned `key  value` lines for people; `--json` prints the raw body instead. */
function table(rows: readonly (readonly [string, string | null | undefined])[]): string {
  const shown = rows.filter(
    (row): row is readonly [string, string] => row[1] !== null && row[1] !== undefined && row[1] !== '',
  );
  const width = Math.max(...shown.map(([key]) => key.length));
  return shown.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n') + '\n';
}

function kbps(bits: number | null | undefined): string | null {
  return bits === null || bits === undefined ? null : `${Math.round(bits / 1000)} kb/s`;
}

/** `status <id>` as text. `absolute` turns the job's relative URLs into full ones. */
export function formatJob(job: Job, absolute: (path: string) => string): string {
  const encoding = [job.codec, job.quality_profile, kbps(job.bitrate)].filter(Boolean).join(' ');
  const renditions = job.renditions && job.renditions.length > 1 ? job.renditions.map((r) => r.name).join(', ') : null;
  const loudness = job.loudness ? `${job.loudness.integrated_lufs.toFixed(1)} LUFS` : null;
  return table([
    ['id', job.id],
    ['track', job.track_id],
    ['status', job.status],
    ['progress', `${Math.floor(job.progress)}%`],
    ['encoding', `${encoding}, ${job.sample_rate} Hz, ${job.channels} ch`],
    ['renditions', renditions],
    ['duration', `${job.duration_seconds.toFixed(1)} s`],
    ['priority', job.priority],
    ['attempts', String(job.attempts)],
    ['created', job.created_at],
    ['started', job.started_at],
    ['ended', job.completed_at],
    ['loudness', loudness],
    ['error', job.error],
    ['manifest', job.manifest_url === null ? null : absolute(job.manifest_url)],
    ['download', job.download_url ? absolute(job.download_url) : null],
  ]);
}

/** `stats` as text. */
export function formatStats(stats: QueueStats): string {
  const { counts, by_priority: byPriority, throughput } = stats;
  const lines = table([
    ['waiting', String(counts.waiting)],
    ['active', String(counts.active)],
    ['delayed', String(counts.delayed)],
    ['completed', String(counts.completed)],
    ['failed', String(counts.failed)],
    [
      'by priority',
      (['urgent', 'normal', 'background'] as const)
        .map((name) => `${name} ${byPriority[name]?.waiting ?? 0} waiting / ${byPriority[name]?.active ?? 0} active`)
        .join(', '),
    ],
    ['throughput', `${throughput.last_1m} (1 min), ${throughput.last_5m} (5 min), ${throughput.last_15m} (15 min)`],
    [
      'failed recently',
      throughput.failed
        ? `${throughput.failed.last_1m} (1 min), ${throughput.failed.last_5m} (5 min), ${throughput.failed.last_15m} (15 min)`
        : null,
    ],
    [
      'oldest waiting',
      stats.oldest_waiting_age_seconds === null ? 'none' : `${Math.round(stats.oldest_waiting_age_seconds)} s`,
    ],
    ['workers', String(stats.workers.length)],
  ]);
  const workers = stats.workers.map(
    (worker) =>
      `  ${worker.id} on ${worker.host}: ${worker.current_jobs.length}/${worker.concurrency} busy, ${worker.codecs.join(' ')}`,
  );
  return lines + (workers.length > 0 ? workers.join('\n') + '\n' : '');
}
