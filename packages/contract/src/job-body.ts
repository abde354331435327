import { z } from 'zod';
import {
  CodecSchema,
  count,
  DOWNLOAD_PATH,
  isoTime,
  JobIdSchema,
  JobStatusSchema,
  LIVE_MANIFEST_PATH,
  MANIFEST_PATH,
  percent,
  PLAYLIST_PATH,
  positiveInt,
  PrioritySchema,
  QualityProfileSchema,
  serverPath,
  WAVEFORM_PATH,
} from './common';

/**
 * The job body (`GET /v1/stream/job/{id}`, the list, the event stream) and
 * the bodies of submitting. Objects are strict: the server sends exactly
 * these fields, and `tests/e2e/openapi.test.ts` checks real responses.
 */

export const LoudnessSchema = z
  .strictObject({
    integrated_lufs: z.number().describe('Integrated loudness, LUFS.'),
    loudness_range_lu: z.number().describe('Loudness range, LU.'),
    true_peak_dbtp: z.number().describe('True peak, dBTP.'),
  })
  .describe('EBU R128 measurement.');

export const RenditionSchema = z
  .strictObject({
    name: QualityProfileSchema,
    codec: CodecSchema,
    bitrate: positiveInt().describe('Target bits per second (null: lossless).').nullable(),
    bandwidth: positiveInt().describe('Peak bits per second, as in the master playlist.').nullable(),
    average_bandwidth: positiveInt().nullable(),
    playlist_url: serverPath(PLAYLIST_PATH).nullable(),
  })
  .describe('One HLS rendition of the job (a single-rendition job has one, named after its profile).');

export const SourceInfoSchema = z
  .strictObject({
    codec: z.string(),
    sample_rate: positiveInt(),
    channels: positiveInt(),
    bitrate: count().nullable(),
    duration_seconds: z.number().min(0),
    tags: z.strictObject({
      title: z.string().optional(),
      artist: z.string().optional(),
      album: z.string().optional(),
      track: z.string().optional(),
    }),
  })
  .describe('What the upload was, as probed.');

/** The seed's eight fields (names, meaning and order unchanged) and the first of ours. */
const jobCoreShape = {
  id: JobIdSchema,
  track_id: z.string().describe('Echo of the submitted track_id, else the file name stem.'),
  status: JobStatusSchema,
  progress: percent(),
  created_at: isoTime(),
  started_at: isoTime().nullable(),
  completed_at: isoTime().nullable(),
  error: z.string().describe('The failure reason when `Failed(...)`, else null.').nullable(),
  codec: CodecSchema,
  quality_profile: QualityProfileSchema,
  priority: PrioritySchema,
  bitrate: positiveInt().nullable(),
  sample_rate: positiveInt(),
  channels: positiveInt(),
  duration_seconds: z
    .number()
    .min(0)
    .describe("Seconds of audio: as probed from the upload's headers, then as decoded once Completed."),
  attempts: count(),
  manifest_url: serverPath(MANIFEST_PATH)
    .describe('Set once Completed; carries `?token=` when playback is signed. Relative to the API.')
    .nullable(),
};

/** Later fields: renditions, loudness, source metadata, waveform, download, webhooks, live playback, takedown. */
const jobExtensionShape = {
  renditions: z
    .array(RenditionSchema)
    .describe('One entry per rendition, lowest first; one for a one-rendition job too.'),
  normalize: z.boolean(),
  loudness: LoudnessSchema.nullable().describe('EBU R128 loudness of the source.'),
  output_loudness: LoudnessSchema.nullable().describe('Loudness of the normalised output (normalize=true only).'),
  source: SourceInfoSchema,
  waveform_url: serverPath(WAVEFORM_PATH).nullable(),
  download_url: serverPath(DOWNLOAD_PATH).nullable(),
  callback_url: z.url().describe("Where the job's webhook events go; null: none asked.").nullable(),
  live_manifest_url: serverPath(LIVE_MANIFEST_PATH)
    .describe(
      'The growing EVENT playlist, set as soon as the first segment (of every rung) is whole, while Processing; ' +
        'ended with EXT-X-ENDLIST once Completed; null while Pending and once Cancelled or Failed. ' +
        'Carries `?token=` when playback is signed.',
    )
    .nullable(),
  purged_at: isoTime()
    .describe(
      'When the outputs were taken down (DELETE …/output or OUTPUT_RETENTION_DAYS); its playback URLs then answer 410.',
    )
    .nullable(),
};

export const JobCoreSchema = z.strictObject(jobCoreShape);
export const JobSchema = z
  .strictObject({ ...jobCoreShape, ...jobExtensionShape })
  .describe('A transcode job, as `GET /v1/stream/job/{id}` returns it.');

export type Loudness = z.infer<typeof LoudnessSchema>;
export type Rendition = z.infer<typeof RenditionSchema>;
export type SourceInfo = z.infer<typeof SourceInfoSchema>;
export type Job = z.infer<typeof JobSchema>;
/** The fields every server version sends (a client talking to an older one can count on these only). */
export type JobCore = z.infer<typeof JobCoreSchema>;
export type JobField = keyof Job;

function keysOf<T extends object>(shape: T): (keyof T)[] {
  return Object.keys(shape).filter((key): key is Extract<keyof T, string> => key in shape);
}

/** Names of the job body's fields, in order. */
export const JOB_FIELDS: readonly JobField[] = keysOf(JobSchema.shape);
/** The fields after the core ones (an older server may leave them out). */
export const JOB_EXTENSION_FIELDS: readonly JobField[] = keysOf(jobExtensionShape);

export const JobListSchema = z.strictObject({ jobs: z.array(JobSchema).describe('Newest first.') });
export type JobList = z.infer<typeof JobListSchema>;

export const SubmitResponseSchema = z.strictObject({
  job_id: JobIdSchema,
  status: z.literal('queued'),
  message: z.literal('Job submitted successfully'),
});
export type SubmitResponse = z.infer<typeof SubmitResponseSchema>;

/** `data:` of an SSE `progress` event (`state` and the terminal events carry a Job). */
export const ProgressEventSchema = z.strictObject({ job_id: JobIdSchema, progress: percent() });
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
