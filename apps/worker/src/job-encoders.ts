import type { EncoderMap } from '@stream-server/ffmpeg';
import { PermanentJobError, type TranscodeJobData } from '@stream-server/jobs';

/** The encoders a job needs of this worker. */
export interface JobEncoders {
  readonly encoder: string;
  /** null when the job asks for no download. */
  readonly downloadEncoder: string | null;
}

/**
 * This worker's encoders for the job's codecs (what its ffmpeg can write
 * is its own property); a worker that lacks one fails the job for good.
 */
export function encodersFor(encoders: EncoderMap, data: TranscodeJobData): JobEncoders {
  const encoder = encoders[data.plan.codec];
  if (!encoder) throw new PermanentJobError(`this worker's ffmpeg cannot write ${data.plan.codec}`);
  if (!data.downloadPlan) return { encoder, downloadEncoder: null };
  const downloadEncoder = encoders.aac;
  if (!downloadEncoder) throw new PermanentJobError("this worker's ffmpeg cannot write aac for the download");
  return { encoder, downloadEncoder };
}
