import { randomUUID } from 'node:crypto';
import type { TranscodeJobData } from '@stream-server/jobs';
import type { Priority } from '@stream-server/profiles';

/** A fresh 1-s AAC job's payload for the queue's tests (new job and upload ids each call). */
export function testPayload(label: string, priority: Priority = 'normal'): TranscodeJobData {
  return {
    version: 1,
    jobId: randomUUID(),
    trackId: label,
    uploadId: randomUUID(),
    demuxer: 'wav',
    source: {
      codec: 'pcm_s16le',
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      durationSeconds: 1,
      bitrate: null,
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
    priority,
    submittedAt: new Date().toISOString(),
    outputs: { segmentSeconds: 6, waveform: { samplesPerPixel: 512 }, loudnessTarget: null },
  };
}
