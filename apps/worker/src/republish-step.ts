import path from 'node:path';
import { DOWNLOAD_FILE, HLS_LIVE_MANIFEST } from '@stream-server/ffmpeg';
import type { TranscodeJobData, TranscodeJobResult } from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import { LOUDNESS_NAME, WAVEFORM_NAME } from '@stream-server/storage';
import { describeRenditions, parseStoredLoudness, renditionsOf } from './output-check';
import type { ProcessorStorage } from './processor-ports';

export type RepublishStorage = Pick<
  ProcessorStorage,
  'isPublished' | 'exists' | 'layout' | 'readText' | 'fileSize' | 'writeText'
>;

/**
 * An earlier attempt may have published and died before BullMQ heard of
 * it: its output is whole (only whole dirs are renamed in), so it is kept
 * and its result rebuilt from the files. Null when nothing is published.
 */
export async function findPublishedResult(
  storage: RepublishStorage,
  data: TranscodeJobData,
  log: Logger,
): Promise<TranscodeJobResult | null> {
  if (!(await storage.isPublished(data.jobId))) return null;
  log.info('output already published by an earlier attempt');
  const dir = storage.layout.jobOutputDir(data.jobId);
  // The files tell the rest; the loudness was saved beside them.
  const stored = await storage.readText(path.join(dir, LOUDNESS_NAME)).catch(() => null);
  return {
    ...(await describeRenditions(storage, dir, renditionsOf(data), false)),
    ...parseStoredLoudness(stored),
    waveform: await storage.exists(path.join(dir, WAVEFORM_NAME)),
    download: await storage.exists(path.join(dir, DOWNLOAD_FILE)),
    live: await storage.exists(path.join(dir, HLS_LIVE_MANIFEST)),
  };
}
