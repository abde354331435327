// Uploads with tus (tus-js-client) to /v1/stream/uploads: a dropped
// connection, or a reload and the same file chosen again, goes on from the
// bytes the server already has instead of from zero. tus-js-client (90 KB)
// is loaded from our own server when an upload starts.
import { ApiError, authHeaders, errorFrom } from './api.js';
import { SUBMIT } from './contract.js';

const TUS_SCRIPT = '/assets/vendor/tus.min.js';
const ENDPOINT = '/v1/stream/uploads';
// About a minute of retries, long enough for Wi-Fi to come back; not at
// once, so the server has seen the drop and kept what arrived before asking it.
const RETRY_DELAYS = [1000, 3000, 5000, 10000, 20000, 30000];
// No answer (connection dropped), the idle cut-off, an offset out of step, a stopping or busy server.
const RETRIED = new Set([0, 408, 409, 423, 502, 503, 504]);
let tusLoading = null;

function loadTus() {
  tusLoading ??= new Promise((resolve, reject) => {
    if (window.tus) return resolve(window.tus);
    const script = document.createElement('script');
    script.src = TUS_SCRIPT;
    script.async = true;
    script.addEventListener('load', () => (window.tus ? resolve(window.tus) : reject(new Error('tus did not load.'))));
    script.addEventListener('error', () => {
      tusLoading = null;
      reject(new Error('The upload library could not be loaded.'));
    });
    document.head.append(script);
  });
  return tusLoading;
}

/**
 * The job of the last answer: the final PATCH's JSON, or, when a finished
 * upload is resumed (its answer was lost), the job_id of HEAD's Upload-Metadata.
 */
function jobIdOf(response) {
  try {
    const id = JSON.parse(response.getBody())[SUBMIT.job_id];
    if (typeof id === 'string') return id;
  } catch {
    // HEAD has no body
  }
  for (const pair of (response.getHeader('Upload-Metadata') ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key === 'job_id' && value) return atob(value);
  }
  return null;
}

function explainFailure(error) {
  const response = error.originalResponse;
  const status = response?.getStatus() ?? 0;
  if (status === 0) {
    return new ApiError('The upload did not reach the server (network error or connection closed).', 'NETWORK', 0);
  }
  return errorFrom(status, response.getBody() ?? '');
}

/**
 * Uploads `file` with the submit's fields as metadata. `onProgress(sent,
 * total)` counts bytes the server has, a resumed upload's included;
 * `onResume()` is called when an earlier upload of this file goes on.
 * Resolves with `{ job_id }`; rejects with ApiError.
 */
export async function uploadResumable(file, fields, { onProgress, onResume }) {
  const tus = await loadTus();
  const metadata = { ...fields, filename: file.name, filetype: file.type };
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: ENDPOINT,
      metadata,
      headers: authHeaders(),
      retryDelays: RETRY_DELAYS,
      onShouldRetry: (error) => RETRIED.has(error.originalResponse?.getStatus() ?? 0),
      // The fields are part of it: the same file with other settings is another upload.
      fingerprint: () =>
        Promise.resolve(['stream-server', file.name, file.size, file.lastModified, JSON.stringify(fields)].join('/')),
      // Kept in localStorage (tus-js-client's default) until done: a finished upload is not resumed again.
      removeFingerprintOnSuccess: true,
      onProgress,
      onError: (error) => reject(explainFailure(error)),
      onSuccess: ({ lastResponse }) => {
        const jobId = jobIdOf(lastResponse);
        if (jobId) resolve({ [SUBMIT.job_id]: jobId });
        else reject(new ApiError('The server sent an unreadable answer.', 'BAD_RESPONSE', lastResponse.getStatus()));
      },
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        const latest = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
        if (latest) {
          upload.resumeFromPreviousUpload(latest);
          onResume();
        }
      })
      .catch(() => undefined)
      .finally(() => upload.start());
  });
}
