/** `[##########----------]  50%`: a fixed-width bar, progress clamped to 0–100. */
export function renderBar(progress: number, width = 30): string {
  const value = Number.isFinite(progress) ? Math.min(100, Math.max(0, progress)) : 0;
  const filled = Math.round((value / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(value).toString().padStart(3)}%`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  /** A terminal gets one redrawn line; a file or pipe gets a line per 10 %. */
  readonly isTTY?: boolean;
}

/**
 * Draws job progress on stderr (stdout stays clean for the URL a script
 * captures). On a terminal the bar is redrawn in place with `\r`; in a
 * log or pipe, where `\r` would pile up, one line per 10 % step.
 */
export class ProgressReporter {
  private lastDrawn = '';
  private lastStep = -1;
  private drawing = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
  ) {}

  update(progress: number, status?: string): void {
    if (this.out.isTTY) {
      const line = `${this.label} ${renderBar(progress)}${status ? ` ${status}` : ''}`;
      if (line === this.lastDrawn) return;
      // Pad over a longer previous line (a status word that got shorter).
      const pad = ' '.repeat(Math.max(0, this.lastDrawn.length - line.length));
      this.out.write(`\r${line}${pad}`);
      this.lastDrawn = line;
      this.drawing = true;
      return;
    }
    const step = Math.floor(Math.min(100, Math.max(0, progress)) / 10);
    if (step <= this.lastStep) return;
    this.lastStep = step;
    this.out.write(`${this.label} ${step * 10}%\n`);
  }

  /** Ends the bar's line so what follows starts on a fresh one. */
  finish(): void {
    if (this.drawing) this.out.write('\n');
    this.drawing = false;
  }
}
