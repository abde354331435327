// The upload page: pick or drop a file, upload it (resumable, with
// progress), follow the job live, then play the HLS output with its waveform.
import {
  absoluteUrl,
  ApiError,
  authHeaders,
  bindApiKeyField,
  el,
  followJob,
  getApiKey,
  getJson,
  setApiKey,
} from './api.js';
import { JOB, LOUDNESS, RENDITION, SUBMIT } from './contract.js';
import { attach, detach } from './player.js';
import { uploadResumable } from './resumable-upload.js';
import { drawWaveform, isWaveform } from './waveform.js';

const $ = (id) => document.getElementById(id);
const form = $('upload-form');
const fileInput = $('file-input');
const dropZone = $('drop-zone');
const keyInput = $('api-key');
const submitButton = $('submit');
const statusLine = $('status');
const errorLine = $('error');
const audio = $('player');
const canvas = $('waveform');

// `live`: the player is on the job's live playlist (it plays while the job runs).
const state = { busy: false, authRequired: false, waveform: null, announced: -1, live: false };
// Any UUID: the answer only tells whether job reads need a key (401) or not (404).
const AUTH_PROBE = '/v1/stream/job/00000000-0000-4000-8000-000000000000';

function setStatus(text) {
  statusLine.textContent = text;
}

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = false;
}

function clearError() {
  errorLine.textContent = '';
  errorLine.hidden = true;
}

function setMeter(name, percent) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  $(`${name}-progress`).value = value;
  $(`${name}-percent`).textContent = `${value} %`;
  return value;
}

function setJobProgress(percent) {
  const value = setMeter('job', percent);
  // The live region hears every 10 %, not every update (four a second).
  const step = Math.floor(value / 10) * 10;
  if (value > 0 && value < 100 && step !== state.announced) {
    state.announced = step;
    setStatus(`Transcoding: ${step} %`);
  }
}

function showJob(job) {
  if (typeof job[JOB.progress] === 'number') setJobProgress(job[JOB.progress]);
  if (job[JOB.status] === 'Pending' && job[JOB.progress] === 0) setStatus('Queued: waiting for a worker…');
  if (job[JOB.status] === 'Processing' && job[JOB.live_manifest_url] && !state.live) void playLive(job);
}

/**
 * Starts playback from the live playlist as soon as the job is playable:
 * it lists the segments encoded so far and grows until the job completes,
 * and hls.js keeps reloading it, so playback runs on into the final one.
 */
async function playLive(job) {
  state.live = true;
  $('result').hidden = false;
  $('manifest-url').value = absoluteUrl(job[JOB.live_manifest_url]);
  form.dataset.playing = 'live';
  try {
    await attach(audio, job[JOB.live_manifest_url], (error) => showError(error.message));
    audio.play().catch(() => undefined);
  } catch (error) {
    state.live = false;
    showError(explain(error));
  }
}

function showFile(file) {
  $('file-name').textContent = file ? `Selected: ${file.name} (${formatBytes(file.size)})` : '';
  if (file) setStatus(`Ready to upload ${file.name}.`);
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The submit's fields from the form; the optional ones only when the server offers them and they are set. */
function submitFields() {
  const fields = {};
  for (const id of ['quality-profile', 'codec', 'priority']) {
    const select = $(id);
    if (select.value) fields[select.name] = select.value;
  }
  if (!$('renditions').hidden) {
    const rungs = [...document.querySelectorAll('input[name="rendition"]:checked')].map((box) => box.value);
    if (rungs.length > 0) fields.renditions = rungs.join(',');
  }
  for (const id of ['normalize', 'download']) {
    if (!$(`${id}-option`).hidden && $(id).checked) fields[id] = 'true';
  }
  return fields;
}

function explain(error) {
  if (error instanceof ApiError && error.needsKey) {
    keyInput.focus();
    return `${error.message} Enter a valid API key in the "API key" field and try again. (${error.code})`;
  }
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

async function start(event) {
  event.preventDefault();
  if (state.busy) return;
  clearError();
  const file = fileInput.files?.[0];
  if (!file) {
    showError('Choose an audio file first.');
    fileInput.focus();
    return;
  }
  setApiKey(keyInput.value.trim());
  if (state.authRequired && !getApiKey()) {
    showError('This server needs an API key: enter it in the "API key" field, then upload again.');
    keyInput.focus();
    return;
  }
  state.busy = true;
  state.announced = -1;
  state.live = false;
  delete form.dataset.playing;
  delete form.dataset.follow;
  submitButton.disabled = true;
  resetResult();
  setMeter('upload', 0);
  $('upload-bytes').textContent = '';
  setMeter('job', 0);
  setStatus(`Uploading ${file.name}…`);
  try {
    const submitted = await upload(file);
    setStatus('Uploaded: waiting for a worker…');
    const job = await followJob(submitted[SUBMIT.job_id], {
      onJob: showJob,
      onProgress: setJobProgress,
      // How progress arrives ('events' or 'polling'), for the curious and the tests.
      onMode: (mode) => (form.dataset.follow = mode),
    });
    const status = job[JOB.status];
    if (status === 'Completed') await showResult(job);
    else if (status === 'Cancelled') showError('The job was cancelled.');
    else showError(`The transcode failed: ${job[JOB.error] ?? status}`);
    if (status !== 'Completed') setStatus('Finished without a result.');
  } catch (error) {
    setStatus('Stopped.');
    showError(explain(error));
  } finally {
    state.busy = false;
    submitButton.disabled = false;
  }
}

function upload(file) {
  return uploadResumable(file, submitFields(), {
    onProgress: (sent, total) => {
      const value = setMeter('upload', (sent / total) * 100);
      $('upload-bytes').textContent = `${formatBytes(sent)} of ${formatBytes(total)}`;
      if (value === 100) setStatus('Uploaded: checking the file…');
    },
    onResume: () => setStatus(`Resuming the earlier upload of ${file.name}…`),
  });
}

function resetResult() {
  $('result').hidden = true;
  detach(audio);
  state.waveform = null;
  canvas.hidden = true;
  $('download-row').hidden = true;
  $('details').replaceChildren();
}

async function showResult(job) {
  setMeter('job', 100);
  $('result').hidden = false;
  const manifest = job[JOB.manifest_url];
  $('manifest-url').value = absoluteUrl(manifest);
  showDetails(job);
  if (job[JOB.download_url]) {
    $('download-link').href = job[JOB.download_url];
    $('download-row').hidden = false;
  }
  void loadWaveform(job[JOB.waveform_url]);
  const rungs = Array.isArray(job[JOB.renditions]) ? job[JOB.renditions].length : 1;
  if (state.live && (audio.dataset.levels === undefined || Number(audio.dataset.levels) >= rungs)) {
    // Already playing: the live playlist has just ended, so playback runs on undisturbed.
    setStatus('Done: transcoded; playing from the live playlist, now complete.');
    return;
  }
  // A ladder's live playlist lists the rungs that were producing when it
  // was loaded; the finished one has them all: switch, at the same moment.
  const at = state.live ? audio.currentTime : 0;
  const engine = await attach(audio, manifest, (error) => showError(error.message), at);
  setStatus(`Done: transcoded and ready to play (${engine === 'native' ? 'native HLS' : 'hls.js'}).`);
  // Autoplay may be refused until the user interacts; the controls are there.
  audio.play().catch(() => undefined);
}

function showDetails(job) {
  const rows = [];
  const add = (term, value) => {
    if (value !== null && value !== undefined && value !== '') rows.push(el('dt', {}, term), el('dd', {}, value));
  };
  const number = (name) => (typeof job[name] === 'number' ? job[name] : null);
  const bitrate = number(JOB.bitrate);
  const sampleRate = number(JOB.sample_rate);
  const duration = number(JOB.duration_seconds);
  const renditions = job[JOB.renditions];
  add('Track', job[JOB.track_id]);
  add('Codec', job[JOB.codec]);
  add('Bitrate', bitrate === null ? null : `${Math.round(bitrate / 1000)} kb/s`);
  add('Sample rate', sampleRate === null ? null : `${sampleRate} Hz`);
  add('Duration', duration === null ? null : `${duration.toFixed(1)} s`);
  if (Array.isArray(renditions) && renditions.length > 1)
    add('Renditions', renditions.map((r) => r[RENDITION.name]).join(', '));
  for (const [term, field] of [
    ['Source loudness', JOB.loudness],
    ['Output loudness', JOB.output_loudness],
  ]) {
    if (job[field]) add(term, `${job[field][LOUDNESS.integrated_lufs]} LUFS`);
  }
  $('details').replaceChildren(...rows);
}

async function loadWaveform(url) {
  if (!url) return;
  try {
    const waveform = await getJson(url);
    if (!isWaveform(waveform)) return;
    state.waveform = waveform;
    canvas.hidden = false;
    redraw();
  } catch {
    // No waveform on this server, or not yet: the player works without it.
  }
}

function redraw() {
  if (!state.waveform || canvas.hidden) return;
  const played = Number.isFinite(audio.duration) && audio.duration > 0 ? audio.currentTime / audio.duration : 0;
  drawWaveform(canvas, state.waveform, played);
}

async function copyManifest() {
  const input = $('manifest-url');
  const button = $('copy');
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // No clipboard API outside secure contexts: select it for the user.
    input.select();
    document.execCommand?.('copy');
  }
  button.textContent = 'Copied';
  setStatus('Manifest URL copied.');
  setTimeout(() => (button.textContent = 'Copy'), 2000);
}

/** With a key, the download goes through fetch so the bearer header goes with it. */
async function download(event) {
  const link = event.currentTarget;
  if (!getApiKey() || new URL(link.href).searchParams.has('token')) return;
  event.preventDefault();
  try {
    const response = await fetch(link.href, { headers: authHeaders() });
    if (!response.ok)
      throw new ApiError(`The download failed (${response.status}).`, `HTTP_${response.status}`, response.status);
    const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'track.m4a';
    const url = URL.createObjectURL(await response.blob());
    const temporary = el('a', { href: url, download: name });
    document.body.append(temporary);
    temporary.click();
    temporary.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    showError(explain(error));
  }
}

async function detectFeatures() {
  const spec = await getJson('/v1/stream/openapi.json').catch(() => null);
  const props =
    spec?.paths?.['/v1/stream/transcode']?.post?.requestBody?.content?.['multipart/form-data']?.schema?.properties ??
    {};
  if (props.renditions) $('renditions').hidden = false;
  if (props.normalize) $('normalize-option').hidden = false;
  if (props.download) $('download-option').hidden = false;
  if (props.normalize || props.download) $('extras').hidden = false;
}

async function detectAuth() {
  const response = await fetch(AUTH_PROBE, { cache: 'no-store' }).catch(() => null);
  if (response?.status !== 401) return;
  state.authRequired = true;
  $('key-hint').textContent =
    'This server needs an API key. It is kept in this tab only (session storage) and sent as a bearer token.';
}

function bindDropZone() {
  const stop = (event) => {
    event.preventDefault();
    event.stopPropagation();
  };
  for (const type of ['dragenter', 'dragover']) {
    dropZone.addEventListener(type, (event) => {
      stop(event);
      dropZone.classList.add('dragging');
    });
  }
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    stop(event);
    dropZone.classList.remove('dragging');
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0) return;
    fileInput.files = files;
    showFile(files[0]);
  });
}

bindApiKeyField(keyInput);
bindDropZone();
fileInput.addEventListener('change', () => showFile(fileInput.files?.[0]));
form.addEventListener('submit', start);
$('copy').addEventListener('click', copyManifest);
$('download-link').addEventListener('click', download);
for (const type of ['timeupdate', 'seeked', 'loadedmetadata']) audio.addEventListener(type, redraw);
window.addEventListener('resize', redraw);
canvas.addEventListener('click', (event) => {
  if (!Number.isFinite(audio.duration)) return;
  audio.currentTime = (event.offsetX / canvas.clientWidth) * audio.duration;
});
void detectFeatures();
void detectAuth();
