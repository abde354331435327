import { z } from 'zod';
import type { QualityProfile } from '@stream-server/profiles';
import { describeIssues, transcodeJobDataSchema, type TranscodeJobData } from './job-payload-schema';

/**
 * The payload of one part of a ladder job (a child of the ladder's flow):
 * the whole job, as the API resolved it, and which of its `parts` to
 * encode. Carrying the job itself keeps a part runnable on its own (no
 * read of the parent before it starts) and its checks the job's checks.
 */
const ladderPartJobDataSchema = z
  .object({
    version: z.literal(1),
    part: z.number().int().nonnegative(),
    job: transcodeJobDataSchema,
  })
  .readonly()
  .refine((data) => data.part < (data.job.parts?.length ?? 0), {
    error: 'part must name one of the job’s parts',
    path: ['part'],
  });

export type LadderPartJobData = z.infer<typeof ladderPartJobDataSchema>;

/** What a part reports: the rungs it left in the job's staging dir, and who encoded them. */
export interface LadderPartResult {
  readonly rungs: readonly QualityProfile[];
  /** False when an earlier attempt had staged them already (reported as they were). */
  readonly encoded: boolean;
  /** The worker that ran this attempt (WorkerApp#id). */
  readonly workerId: string;
}

/** The payload, or an Error naming every field that is wrong. */
export function parseLadderPartJobData(value: unknown): LadderPartJobData {
  const parsed = ladderPartJobDataSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(describeIssues(parsed.error));
}

/** The queue id of a job's part: derived, so a cancel reaches a running part without a lookup. */
export function ladderPartJobId(jobId: string, part: number): string {
  return `${jobId}.part${part}`;
}

/** The parts a job is split into (none: it is not a flow). */
export function ladderPartsOf(data: Pick<TranscodeJobData, 'parts'>): number {
  return data.parts && data.parts.length > 1 ? data.parts.length : 0;
}
