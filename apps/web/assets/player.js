// Plays an HLS manifest in an <audio> element: hls.js over Media Source
// Extensions where the browser has them, else the browser's own HLS
// (iOS Safari before 17.1 has no MSE). That order is hls.js's advice:
// some browsers answer "maybe" to the HLS type yet play it poorly.
// hls.js (600 KB) is loaded only when a track is ready, from our own server.

const HLS_SCRIPT = '/assets/vendor/hls.min.js';
let hlsLoading = null;
let current = null;

function loadHls() {
  hlsLoading ??= new Promise((resolve, reject) => {
    if (window.Hls) return resolve(window.Hls);
    const script = document.createElement('script');
    script.src = HLS_SCRIPT;
    script.async = true;
    script.addEventListener('load', () =>
      window.Hls ? resolve(window.Hls) : reject(new Error('hls.js did not load.')),
    );
    script.addEventListener('error', () => {
      hlsLoading = null;
      reject(new Error('The player library could not be loaded.'));
    });
    document.head.append(script);
  });
  return hlsLoading;
}

function hasMediaSource() {
  return Boolean(window.MediaSource || window.ManagedMediaSource);
}

/**
 * Points the element at the manifest (used exactly as given: it may carry
 * a signed ?token=), from `startPosition` seconds. Resolves with the engine
 * used; `onError` hears fatal playback errors later on.
 */
export async function attach(audio, manifestUrl, onError, startPosition = 0) {
  detach(audio);
  if (hasMediaSource()) {
    const Hls = await loadHls();
    if (Hls.isSupported()) {
      // No worker: the CSP keeps worker-src to 'self', and transmuxing
      // audio-only segments on the main thread costs next to nothing.
      const hls = new Hls({ enableWorker: false, startPosition: startPosition > 0 ? startPosition : -1 });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) onError(new Error(`Playback failed (${data.details}).`));
      });
      // Rungs of an ABR ladder (1 for a plain media playlist), for the page and its tests.
      hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
        audio.dataset.levels = String(data.levels.length);
      });
      hls.loadSource(manifestUrl);
      hls.attachMedia(audio);
      current = hls;
      audio.dataset.engine = 'hls.js';
      return 'hls.js';
    }
  }
  if (audio.canPlayType('application/vnd.apple.mpegurl')) {
    audio.src = manifestUrl;
    if (startPosition > 0) audio.currentTime = startPosition;
    audio.dataset.engine = 'native';
    return 'native';
  }
  throw new Error('This browser cannot play HLS audio.');
}

export function detach(audio) {
  if (current) {
    current.destroy();
    current = null;
  }
  audio.removeAttribute('src');
  delete audio.dataset.engine;
  delete audio.dataset.levels;
}
