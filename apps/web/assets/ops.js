// The ops page: queue counts, workers and recent jobs, refreshed every
// 2 s while the tab is visible (a hidden tab costs the server nothing).
import { ApiError, bindApiKeyField, el, getJson, setApiKey } from './api.js';

const REFRESH_MS = 2000;
const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'paused'];
const PRIORITIES = ['urgent', 'normal', 'background'];

const $ = (id) => document.getElementById(id);
const keyInput = $('api-key');
let timer = null;
let loading = false;

function statusText(text) {
  // Unchanged text is not rewritten, so screen readers do not repeat it.
  if ($('ops-status').textContent !== text) $('ops-status').textContent = text;
}

function showError(text) {
  $('ops-error').textContent = text;
  $('ops-error').hidden = !text;
}

function cell(content, attributes = {}) {
  return el('td', attributes, content);
}

function time(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleTimeString();
}

function describe(error, what) {
  if (error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND') {
    return `${what} are not available on this server.`;
  }
  if (error instanceof ApiError && error.needsKey) {
    return `${what}: ${error.message} Enter an API key with the jobs:read scope above. (${error.code})`;
  }
  return `${what}: ${error instanceof Error ? error.message : String(error)}`;
}

function renderStats(stats) {
  const counts = stats.counts ?? {};
  $('counts').replaceChildren(
    ...STATES.filter((name) => typeof counts[name] === 'number').map((name) =>
      el('div', { className: 'tile', 'data-state': name }, el('dt', {}, name), el('dd', {}, counts[name])),
    ),
  );
  const throughput = stats.throughput;
  const parts = [];
  if (throughput) parts.push(`Finished in the last 1 / 5 / 15 min: ${throughput.last_1m ?? 0} / ${throughput.last_5m ?? 0} / ${throughput.last_15m ?? 0}.`);
  if (typeof stats.oldest_waiting_age_seconds === 'number') parts.push(`Oldest waiting job: ${Math.round(stats.oldest_waiting_age_seconds)} s.`);
  $('throughput').textContent = parts.join(' ');

  const byPriority = stats.by_priority ?? {};
  $('priorities').replaceChildren(
    ...PRIORITIES.map((name) =>
      el('tr', {}, el('th', { scope: 'row' }, name), cell(byPriority[name]?.waiting ?? 0), cell(byPriority[name]?.active ?? 0)),
    ),
  );

  const workers = Array.isArray(stats.workers) ? stats.workers : [];
  $('workers').replaceChildren(
    ...(workers.length === 0
      ? [el('tr', {}, cell('No worker online: jobs wait until one starts.', { colspan: 5 }))]
      : workers.map((worker) =>
          el(
            'tr',
            { 'data-worker': worker.id },
            el('th', { scope: 'row', className: 'mono' }, worker.host ?? worker.id),
            cell(worker.concurrency),
            cell(`${(worker.current_jobs ?? []).length}${(worker.current_jobs ?? []).length ? `: ${worker.current_jobs.map((id) => id.slice(0, 8)).join(', ')}` : ''}`, {
              className: 'mono',
            }),
            cell((worker.codecs ?? []).join(', ')),
            cell(time(worker.started_at)),
          ),
        )),
  );
}

function renderJobs(jobs) {
  $('jobs').replaceChildren(
    ...(jobs.length === 0
      ? [el('tr', {}, cell('No jobs yet.', { colspan: 6 }))]
      : jobs.map((job) => {
          const progress = Math.round(typeof job.progress === 'number' ? job.progress : 0);
          return el(
            'tr',
            { 'data-job': job.id },
            el('th', { scope: 'row' }, job.track_id ?? job.id),
            cell(job.status),
            cell([
              el('progress', { max: 100, value: progress, 'aria-label': `Progress of ${job.track_id ?? job.id}` }),
              ` ${progress} %`,
            ]),
            cell(job.priority ?? ''),
            cell(time(job.created_at)),
            cell(job.error ?? '', { className: 'error-cell' }),
          );
        })),
  );
}

async function refresh() {
  if (loading) return;
  loading = true;
  const errors = [];
  try {
    const [stats, list] = await Promise.allSettled([
      getJson('/v1/stream/queue/stats'),
      getJson('/v1/stream/jobs?limit=20'),
    ]);
    if (stats.status === 'fulfilled') renderStats(stats.value);
    else errors.push(describe(stats.reason, 'Queue statistics'));
    if (list.status === 'fulfilled') renderJobs(Array.isArray(list.value.jobs) ? list.value.jobs : []);
    else errors.push(describe(list.reason, 'The job list'));
    showError(errors.join(' '));
    // The time goes outside the live region, which would otherwise speak every 2 s.
    $('updated').textContent = `Updated at ${new Date().toLocaleTimeString()}.`;
    statusText(`Live: refreshes every ${REFRESH_MS / 1000} s while this tab is visible.`);
  } finally {
    loading = false;
  }
}

function schedule() {
  clearInterval(timer);
  timer = null;
  if (document.hidden) {
    statusText('Paused while this tab is hidden.');
    return;
  }
  void refresh();
  timer = setInterval(refresh, REFRESH_MS);
}

bindApiKeyField(keyInput);
keyInput.addEventListener('change', () => {
  setApiKey(keyInput.value.trim());
  void refresh();
});
$('refresh').addEventListener('click', () => void refresh());
document.addEventListener('visibilitychange', schedule);
schedule();
