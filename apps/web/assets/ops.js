// The ops page: queue counts, workers and recent jobs, refreshed every
// 2 s while the tab is visible (a hidden tab costs the server nothing).
import { ApiError, bindApiKeyField, el, getJson, setApiKey } from './api.js';
import { JOB, JOB_LIST, PRIORITIES, QUEUE_STATES, STATE_COUNTS, STATS, WINDOW, WORKER } from './contract.js';

const REFRESH_MS = 2000;

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
  const counts = stats[STATS.counts] ?? {};
  $('counts').replaceChildren(
    ...QUEUE_STATES.filter((name) => typeof counts[name] === 'number').map((name) =>
      el('div', { className: 'tile', 'data-state': name }, el('dt', {}, name), el('dd', {}, counts[name])),
    ),
  );
  const throughput = stats[STATS.throughput];
  const oldest = stats[STATS.oldest_waiting_age_seconds];
  const parts = [];
  if (throughput) {
    const [last1, last5, last15] = [WINDOW.last_1m, WINDOW.last_5m, WINDOW.last_15m].map(
      (name) => throughput[name] ?? 0,
    );
    parts.push(`Finished in the last 1 / 5 / 15 min: ${last1} / ${last5} / ${last15}.`);
  }
  if (typeof oldest === 'number') parts.push(`Oldest waiting job: ${Math.round(oldest)} s.`);
  $('throughput').textContent = parts.join(' ');

  const byPriority = stats[STATS.by_priority] ?? {};
  $('priorities').replaceChildren(
    ...PRIORITIES.map((name) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, name),
        cell(byPriority[name]?.[STATE_COUNTS.waiting] ?? 0),
        cell(byPriority[name]?.[STATE_COUNTS.active] ?? 0),
      ),
    ),
  );

  const workers = Array.isArray(stats[STATS.workers]) ? stats[STATS.workers] : [];
  $('workers').replaceChildren(
    ...(workers.length === 0
      ? [el('tr', {}, cell('No worker online: jobs wait until one starts.', { colspan: 5 }))]
      : workers.map((worker) => {
          const current = worker[WORKER.current_jobs] ?? [];
          return el(
            'tr',
            { 'data-worker': worker[WORKER.id] },
            el('th', { scope: 'row', className: 'mono' }, worker[WORKER.host] ?? worker[WORKER.id]),
            cell(worker[WORKER.concurrency]),
            cell(`${current.length}${current.length ? `: ${current.map((id) => id.slice(0, 8)).join(', ')}` : ''}`, {
              className: 'mono',
            }),
            cell((worker[WORKER.codecs] ?? []).join(', ')),
            cell(time(worker[WORKER.started_at])),
          );
        })),
  );
}

function renderJobs(jobs) {
  $('jobs').replaceChildren(
    ...(jobs.length === 0
      ? [el('tr', {}, cell('No jobs yet.', { colspan: 6 }))]
      : jobs.map((job) => {
          const progress = Math.round(typeof job[JOB.progress] === 'number' ? job[JOB.progress] : 0);
          const name = job[JOB.track_id] ?? job[JOB.id];
          return el(
            'tr',
            { 'data-job': job[JOB.id] },
            el('th', { scope: 'row' }, name),
            cell(job[JOB.status]),
            cell([
              el('progress', { max: 100, value: progress, 'aria-label': `Progress of ${name}` }),
              ` ${progress} %`,
            ]),
            cell(job[JOB.priority] ?? ''),
            cell(time(job[JOB.created_at])),
            cell(job[JOB.error] ?? '', { className: 'error-cell' }),
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
    if (list.status === 'fulfilled')
      renderJobs(Array.isArray(list.value[JOB_LIST.jobs]) ? list.value[JOB_LIST.jobs] : []);
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
