import path from 'node:path';
import { DOWNLOAD_FILE, HLS_MANIFEST } from '@stream-server/ffmpeg';
import { PermanentJobError, type TranscodeJobData, type TranscodeJobResult } from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME } from '@stream-server/storage';
import { describeRenditions, parseStoredLoudness, renditionsOf } from './output-check';
import type { CancelCheck, ProcessorStorage } from './processor-ports';
import { publishOutput } from './publish-step';

/**
 * The last step of a ladder job, run by BullMQ once every part has
 * completed: the staging dir then holds every rung and the extras. It is
 * checked like a one-process encode's work dir (every playlist whole,
 * bandwidths measured, the multivariant index.m3u8 and live.m3u8 written
 * into it), and published with the same one rename. The staging dir is
 * the work dir: a crash before the rename leaves it whole for the retry,
 * one after it leaves the output published.
 */
export async function publishLadder(
  storage: ProcessorStorage,
  cancels: CancelCheck,
  data: TranscodeJobData,
  log: Logger,
): Promise<TranscodeJobResult> {
  const staging = storage.layout.ladderStagingDir(data.jobId);
  const rungs = renditionsOf(data);
  for (const rung of rungs) {
    if (!(await storage.exists(path.join(staging, rung.dir ?? '', HLS_MANIFEST)))) {
      // Only a part that completed stages; trying again cannot bring its rung back.
      throw new PermanentJobError(`the ${rung.name} rung is missing from the ladder's parts`);
    }
  }
  const described = await describeRenditions(storage, staging, rungs);
  const download = await storage.exists(path.join(staging, DOWNLOAD_FILE));
  if (data.download === true && !download) throw new PermanentJobError('the ladder’s parts left no download file');
  const stored = await storage.readText(path.join(staging, LOUDNESS_NAME)).catch(() => null);
  const result: TranscodeJobResult = {
    ...described,
    ...parseStoredLoudness(stored),
    waveform: await storage.exists(path.join(staging, WAVEFORM_NAME)),
    download,
    live: true,
  };
  await publishOutput(storage, cancels, { workDir: staging, jobId: data.jobId, result, renditions: rungs.length }, log);
  return result;
}
