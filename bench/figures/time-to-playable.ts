import http from 'node:http';
import type { BenchContext, Figure, FigureRow } from '../support/figure';
import { submit, waitCompleted } from '../support/client';
import { makeMp3 } from '../support/media';
import { startStack } from '../support/stack';
import { round } from '../support/stats';

/** The service's own defaults, spelled out: the bench stack otherwise turns rate limits off. */
const DEFAULT_LIMITS = { RATE_LIMIT_SUBMITS_PER_MINUTE: '30', RATE_LIMIT_READS_PER_MINUTE: '1200' };

/** The target: playable at most this long after the submit answer, whatever the length. */
const TARGET_MS = 1000;

/**
 * Submit answer → the job's `playable` event (its live playlist lists a
 * whole segment), for MP3 podcasts of several lengths, in the default
 * configuration (6-s segments, loudness and waveform on), one worker
 * process. Read over the job's SSE stream as a player page would, so a
 * default read rate limit is not in the way. Submit answer → Completed is
 * shown beside it: what a listener waited before live playlists.
 */
export const timeToPlayable: Figure = {
  id: 'playable',
  title: 'time to playable',
  async run(ctx: BenchContext): Promise<FigureRow> {
    const minutes = ctx.quick ? [5] : [5, 30];
    const stack = await startStack('playable', { workers: 1, env: DEFAULT_LIMITS });
    try {
      const rows: Array<{ minutes: number; playableMs: number; completedMs: number }> = [];
      for (const length of minutes) {
        const file = await makeMp3(ctx.tmpDir, `podcast-${length}min`, length * 60);
        const jobId = await submit(stack.baseUrl, file);
        const answeredAt = Date.now();
        const playableMs = (await untilPlayable(stack.baseUrl, jobId)) - answeredAt;
        // 1 poll a second: well inside the default read budget.
        await waitCompleted(stack.baseUrl, jobId, 1000);
        rows.push({ minutes: length, playableMs, completedMs: Date.now() - answeredAt });
        ctx.log(`  ${length}-min MP3: playable after ${playableMs} ms`);
      }
      const worst = Math.max(...rows.map((row) => row.playableMs));
      return {
        id: this.id,
        figure: `submit answer → playable (${minutes.join(', ')}-min MP3, default config)`,
        measured: rows.map((row) => `${row.minutes} min: ${round(row.playableMs / 1000, 2)} s`).join(' / '),
        baseline: rows.map((row) => `completed ${round(row.completedMs / 1000, 1)} s`).join(' / '),
        ratio: null,
        target: `≤ ${TARGET_MS / 1000} s for any length`,
        pass: worst <= TARGET_MS,
        details: { rows },
      };
    } finally {
      await stack.stop();
    }
  },
};

/** Reads the job's event stream until `playable`; resolves with the time it arrived. */
function untilPlayable(baseUrl: string, jobId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/v1/stream/job/${jobId}/events`, (response) => {
      if (response.statusCode !== 200) reject(new Error(`events answered ${response.statusCode}`));
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('event: playable\n')) {
          resolve(Date.now());
          request.destroy();
        } else if (/event: (?:completed|failed|cancelled)\n/.test(text)) {
          reject(new Error(`${jobId} ended before playable`));
        }
      });
      response.on('end', () => reject(new Error(`the event stream of ${jobId} ended before playable`)));
    });
    request.on('error', reject);
  });
}
