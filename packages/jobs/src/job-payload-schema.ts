import { z } from 'zod';
import {
  CODECS,
  PRIORITIES,
  QUALITY_PROFILES,
  type EncodingPlan,
  type LadderPart,
  type RenditionPlan,
  type SourceAudio,
  type TrackTags,
} from '@stream-server/profiles';

/**
 * The schema of a transcode job's payload. A worker checks it and nothing
 * more: every decision (plan, ladder, download plan, segment length,
 * waveform resolution, loudness target) was made by the API, so a payload
 * that passes is executed as is. `TranscodeJobData` is
 * inferred from it, so the type and the check cannot drift apart.
 */

const SEGMENT_CONTAINERS = ['mpegts', 'fmp4'] as const;

const nonEmpty = z.string().min(1);
const positiveInt = z.number().int().positive();

const sourceAudioSchema = z
  .object({
    codec: nonEmpty,
    sampleRate: z.number().positive(),
    channels: positiveInt,
    bitsPerSample: z.number().positive().nullable(),
    durationSeconds: z.number().nonnegative(),
    bitrate: z.number().positive().nullable(),
  })
  .readonly();

const encodingPlanSchema = z
  .object({
    codec: z.enum(CODECS),
    profile: z.enum(QUALITY_PROFILES),
    bitrate: positiveInt.nullable(),
    sampleRate: positiveInt,
    channels: positiveInt,
    bitDepth: z.union([z.literal(16), z.literal(24)]).nullable(),
    container: z.enum(SEGMENT_CONTAINERS),
  })
  .readonly();

const renditionPlanSchema = z.object({ name: z.enum(QUALITY_PROFILES), plan: encodingPlanSchema }).readonly();

const ladderPartSchema = z
  .object({
    rungs: z.array(z.enum(QUALITY_PROFILES)).min(1).readonly(),
    extras: z.boolean(),
    cost: z.number().positive(),
  })
  .readonly();

const trackTagsSchema = z
  .object({
    title: z.string().optional(),
    artist: z.string().optional(),
    album: z.string().optional(),
    track: z.string().optional(),
  })
  .readonly();

/** Where `normalize=true` aims: integrated loudness (LUFS) and true-peak ceiling (dBTP). */
const loudnessTargetSchema = z.object({ integratedLufs: z.number(), truePeakDbtp: z.number() }).readonly();

/**
 * The output decisions that are not an encoding: HLS segment length, the
 * waveform's resolution and the normalisation target. The API decides them
 * from its settings, so every worker writes the same output for a job.
 */
const jobOutputsSchema = z
  .object({
    segmentSeconds: z.number().positive(),
    /** Source samples per waveform min/max pair. */
    waveform: z.object({ samplesPerPixel: positiveInt }).readonly(),
    /** Present exactly when `normalize` is true (null otherwise). */
    loudnessTarget: loudnessTargetSchema.nullable(),
  })
  .readonly();

const payloadSchema = z.object({
  version: z.literal(1),
  jobId: nonEmpty,
  trackId: nonEmpty,
  /** Server-made name of the upload under STORAGE_DIR/uploads (never a path). */
  uploadId: nonEmpty,
  /** Demuxer ffprobe found; the worker forces it with `-f`. */
  demuxer: nonEmpty,
  source: sourceAudioSchema,
  plan: encodingPlanSchema,
  priority: z.enum(PRIORITIES),
  /** ISO-8601, when the API accepted the upload. */
  submittedAt: z.iso.datetime(),
  /**
   * An ABR ladder (two or more rungs, lowest first): each rung is written to
   * `<name>/index.m3u8` and the root playlist is multivariant. `plan` is then
   * the top rung, so readers that know only `plan` still see the job right.
   * Absent: one rendition at the root.
   */
  renditions: z.array(renditionPlanSchema).readonly().optional(),
  /**
   * How a ladder is split among workers (with `renditions`; see
   * planLadderParts): each part is a child job of the ladder's flow. Absent
   * (ladders queued before parts existed): one ffmpeg writes every rung.
   */
  parts: z.array(ladderPartSchema).min(1).readonly().optional(),
  /** Two-pass loudness normalisation (absent: false). */
  normalize: z.boolean().optional(),
  /** Also write download.m4a (absent: false). */
  download: z.boolean().optional(),
  /** The encoding of download.m4a, resolved by the API; present exactly when `download` is true. */
  downloadPlan: encodingPlanSchema.optional(),
  /** Descriptive tags of the source (title, artist, album, track). */
  tags: trackTagsSchema.optional(),
  /** Where to POST the signed transcode.* webhook events (checked at submit; absent: none). */
  callbackUrl: nonEmpty.optional(),
  /** Segment length, waveform resolution, loudness target (see jobOutputsSchema). */
  outputs: jobOutputsSchema,
});

/** The fields the cross-field rules read, in both the stored and the strict shape. */
interface RuleFields {
  readonly normalize?: boolean | undefined;
  readonly download?: boolean | undefined;
  readonly downloadPlan?: unknown;
  readonly outputs?: { readonly loudnessTarget: unknown } | undefined;
}

const downloadPlanMatches = (data: RuleFields): boolean =>
  (data.download === true) === (data.downloadPlan !== undefined);
const DOWNLOAD_PLAN_RULE = {
  error: 'downloadPlan must be present exactly when download is true',
  path: ['downloadPlan'],
};

const loudnessTargetMatches = (data: RuleFields): boolean =>
  data.outputs === undefined || (data.normalize === true) === (data.outputs.loudnessTarget !== null);
const LOUDNESS_TARGET_RULE = {
  error: 'loudnessTarget must be set exactly when normalize is true',
  path: ['outputs', 'loudnessTarget'],
};

interface LadderFields {
  readonly renditions?: readonly { readonly name: string }[] | undefined;
  readonly parts?: readonly { readonly rungs: readonly string[]; readonly extras: boolean }[] | undefined;
}

/** Parts, when present, share out the ladder's rungs (each exactly once) and one of them makes the extras. */
const partsMatchLadder = (data: LadderFields): boolean => {
  if (data.parts === undefined) return true;
  const rungs = (data.renditions ?? []).map((rung) => rung.name).sort();
  const parted = data.parts.flatMap((part) => part.rungs).sort();
  return (
    rungs.length > 1 &&
    parted.length === rungs.length &&
    parted.every((name, index) => name === rungs[index]) &&
    data.parts.filter((part) => part.extras).length === 1
  );
};
const PARTS_RULE = {
  error: "parts must share out the ladder's rungs, each once, with the extras in exactly one part",
  path: ['parts'],
};

/** What a worker executes: every output decision is in it. */
export const transcodeJobDataSchema = payloadSchema
  .readonly()
  .refine(downloadPlanMatches, DOWNLOAD_PLAN_RULE)
  .refine(loudnessTargetMatches, LOUDNESS_TARGET_RULE)
  .refine(partsMatchLadder, PARTS_RULE);

/**
 * A payload as stored in Redis, read back for a job's status: records
 * queued before `outputs` existed lack it and must still read.
 */
const storedTranscodeJobDataSchema = payloadSchema
  .extend({ outputs: jobOutputsSchema.optional() })
  .readonly()
  .refine(downloadPlanMatches, DOWNLOAD_PLAN_RULE)
  .refine(loudnessTargetMatches, LOUDNESS_TARGET_RULE)
  .refine(partsMatchLadder, PARTS_RULE);

/**
 * The payload of a transcode job: everything a worker needs, decided by
 * the API before queueing (probe result, resolved plan, output settings),
 * so a worker never re-validates user input and every worker makes the
 * same output. `version` lets a newer worker refuse or migrate an older payload.
 */
export type TranscodeJobData = z.infer<typeof transcodeJobDataSchema>;

/** A stored payload: a TranscodeJobData, but `outputs` may be missing (older records). */
export type StoredTranscodeJobData = z.infer<typeof storedTranscodeJobDataSchema>;

/** Segment length, waveform resolution and loudness target of a job. */
export type JobOutputs = TranscodeJobData['outputs'];

/** The payload, or an Error naming every field that is wrong. */
export function parseTranscodeJobData(value: unknown): TranscodeJobData {
  const parsed = transcodeJobDataSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(describeIssues(parsed.error));
}

/**
 * A payload read back from Redis to show a job: checked against the stored
 * shape, not cast. Lenient only where older records differ (no `outputs`);
 * a worker checks with parseTranscodeJobData instead.
 */
export function isJobData(value: unknown): value is StoredTranscodeJobData {
  return storedTranscodeJobDataSchema.safeParse(value).success;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'payload'}: ${issue.message}`)
    .join('; ');
}

// The profiles package owns these shapes; the schema must accept exactly them.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inStep: [
  Same<z.infer<typeof sourceAudioSchema>, SourceAudio>,
  Same<z.infer<typeof encodingPlanSchema>, EncodingPlan>,
  Same<z.infer<typeof renditionPlanSchema>, RenditionPlan>,
  Same<z.infer<typeof trackTagsSchema>, TrackTags>,
  Same<z.infer<typeof ladderPartSchema>, LadderPart>,
] = [true, true, true, true, true];
void inStep;
