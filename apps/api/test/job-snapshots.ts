import type { JobSnapshot, StoredTranscodeJobData } from '@stream-server/jobs';

/** A job id the services' tests share. */
export const JOB_ID = '3f2b8c1e-9d4a-4e6b-8a2f-1c0d9e8b7a65';
export const UPLOAD_ID = '9b1e2f3a-4c5d-4e6f-8a7b-1c2d3e4f5a6b';

/** A queued AAC job of an 8-s WAV as the queue reads it back, with `overrides` and payload fields on top. */
export function jobSnapshot(
  overrides: Partial<JobSnapshot> = {},
  data: Partial<StoredTranscodeJobData> = {},
): JobSnapshot {
  return {
    id: JOB_ID,
    data: {
      version: 1,
      jobId: JOB_ID,
      trackId: 'track-42',
      uploadId: UPLOAD_ID,
      demuxer: 'wav',
      source: {
        codec: 'pcm_s16le',
        sampleRate: 44_100,
        channels: 2,
        bitsPerSample: 16,
        durationSeconds: 8,
        bitrate: 1_411_200,
      },
      plan: {
        codec: 'aac',
        profile: 'high',
        bitrate: 256_000,
        sampleRate: 44_100,
        channels: 2,
        bitDepth: null,
        container: 'mpegts',
      },
      priority: 'normal',
      submittedAt: '2025-01-27T12:00:00.000Z',
      ...data,
    },
    state: 'waiting',
    progress: 0,
    playable: false,
    createdAt: 1_737_979_200_000,
    startedAt: null,
    finishedAt: null,
    failedReason: null,
    attemptsMade: 0,
    result: null,
    cancelledAt: null,
    purgedAt: null,
    ...overrides,
  };
}
