import path from 'node:path';
import { PermanentJobError, type TranscodeJobResult } from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import { LOUDNESS_NAME } from '@stream-server/storage';
import { CANCELLED } from './failure-classifier';
import type { StoredLoudness } from './output-check';
import type { CancelCheck, ProcessorStorage } from './processor-ports';

/** A checked work dir on its way to hls/<job>/. */
export interface PublishRequest {
  readonly workDir: string;
  readonly jobId: string;
  readonly result: TranscodeJobResult;
  /** How many renditions the output holds (for the log). */
  readonly renditions: number;
}

/**
 * Makes a finished attempt's output visible: saves the loudness beside it
 * (a later attempt that finds the output published reports it from there),
 * seals the job against cancels (a cancel that came first wins), then
 * renames the work dir into place in one step.
 */
export async function publishOutput(
  storage: Pick<ProcessorStorage, 'publish' | 'writeText'>,
  cancels: CancelCheck,
  request: PublishRequest,
  log: Logger,
): Promise<void> {
  const { workDir, jobId, result } = request;
  const saved: StoredLoudness = { loudness: result.loudness ?? null, outputLoudness: result.outputLoudness ?? null };
  await storage.writeText(path.join(workDir, LOUDNESS_NAME), JSON.stringify(saved));
  // One atomic decision with any cancel: sealed, no cancel can win any more;
  // cancelled first, nothing is published.
  if (!(await cancels.seal(jobId))) throw new PermanentJobError(CANCELLED);
  const outcome = await storage.publish(workDir, jobId);
  log.info('output published', { outcome, segments: result.segments, renditions: request.renditions });
}
