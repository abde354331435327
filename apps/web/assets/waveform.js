// Draws a waveform in BBC audiowaveform's JSON format (version 2: `data`
// holds min/max pairs per pixel, per channel, 8- or 16-bit) on a canvas,
// the part already played in the accent colour.

const PLAYED = '#0b5cad';
const UNPLAYED = '#6b7280';

/** Checks the fields we read, so a malformed file draws nothing instead of throwing mid-draw. */
export function isWaveform(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray(value.data) &&
    Number.isInteger(value.length) &&
    value.length > 0 &&
    (value.bits === 8 || value.bits === 16)
  );
}

/**
 * Per canvas column: the lowest min and highest max of the pairs it
 * covers, scaled so the loudest peak fills the height (quiet tracks stay
 * readable); near-silence is not blown up past 1/32 of full scale.
 */
function columns(waveform, width) {
  const channels = Math.max(1, waveform.channels ?? 1);
  const fullScale = waveform.bits === 8 ? 128 : 32768;
  let peak = fullScale / 32;
  for (const value of waveform.data) peak = Math.max(peak, Math.abs(value));
  const scale = Math.min(fullScale, peak);
  const out = [];
  for (let x = 0; x < width; x += 1) {
    const from = Math.floor((x * waveform.length) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * waveform.length) / width));
    let min = 0;
    let max = 0;
    for (let i = from; i < to && i < waveform.length; i += 1) {
      // Channel 0 only: a mono summary reads best at this size.
      const base = i * channels * 2;
      min = Math.min(min, waveform.data[base] ?? 0);
      max = Math.max(max, waveform.data[base + 1] ?? 0);
    }
    out.push([min / scale, max / scale]);
  }
  return out;
}

/** Draws at the canvas's on-screen size times the pixel ratio, so it stays sharp. */
export function drawWaveform(canvas, waveform, playedFraction = 0) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, width, height);
  const middle = height / 2;
  const playedUpTo = Math.round(width * Math.min(1, Math.max(0, playedFraction)));
  columns(waveform, width).forEach(([min, max], x) => {
    context.fillStyle = x < playedUpTo ? PLAYED : UNPLAYED;
    const top = middle - max * middle;
    const bottom = middle - min * middle;
    context.fillRect(x, top, 1, Math.max(1, bottom - top));
  });
}
