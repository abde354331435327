import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InvalidInputError, UnsupportedError } from '@stream-server/errors';
import { pickTags, type FfmpegRepository, type ProbeRejection } from '@stream-server/ffmpeg';
import type { TranscodeJobData } from '@stream-server/jobs';
import type { TranscodeQueue } from '@stream-server/queue';
import type { Logger } from '@stream-server/logger';
import {
  checkLadderRequest,
  checkOutputRequest,
  checkSourceLimits,
  parseTranscodeOptions,
  resolveEncodingPlan,
  resolveDownloadPlan,
  resolveLadder,
  type SourceLimits,
} from '@stream-server/profiles';
import type { StorageRepository } from '@stream-server/storage';
import type { CodecAvailability } from './codec-availability';
import { callbackUrlOf, type CallbackSettings } from './webhook-callbacks';

/** An upload already on disk under a server-made name. */
export interface StoredUpload {
  readonly uploadId: string;
  readonly path: string;
  readonly size: number;
  readonly originalName: string;
}

export interface SubmitResult {
  readonly jobId: string;
}

const TRACK_ID_MAX = 200;

/**
 * Accepts an upload: validate the fields, probe the file, check the fleet
 * can write the codec, resolve the encoding plan, queue the job. Whatever
 * fails, the upload is deleted before the error leaves: nothing is ever
 * left on disk for a rejected request.
 */
export class TranscodeService {
  constructor(
    private readonly storage: StorageRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly queue: TranscodeQueue,
    private readonly codecs: CodecAvailability,
    private readonly limits: SourceLimits,
    private readonly logger: Logger,
    /** WEBHOOK_SECRET / WEBHOOK_ALLOW_PRIVATE, for `callback_url` (default: webhooks off). */
    private readonly callbacks: CallbackSettings = { webhookSecret: undefined, webhookAllowPrivate: false },
  ) {}

  /** `requestId` ties the job's log lines to the request that made it. */
  async submit(upload: StoredUpload, fields: Readonly<Record<string, unknown>>, requestId?: string): Promise<SubmitResult> {
    try {
      return await this.accept(upload, fields, requestId);
    } catch (err) {
      await this.storage.remove(upload.path).catch(() => undefined);
      throw err;
    }
  }

  private async accept(upload: StoredUpload, fields: Readonly<Record<string, unknown>>, requestId?: string): Promise<SubmitResult> {
    if (!this.storage.layout.isUploadPath(upload.path)) throw new Error('upload outside the uploads dir');
    const options = parseTranscodeOptions(fields);
    if (upload.size === 0) throw new InvalidInputError('EMPTY_FILE', 'The uploaded file is empty.');
    const callbackUrl = await callbackUrlOf(fields, this.callbacks);

    // Cheap checks first: a request that cannot be honoured needs no probe.
    const rungs = options.renditions;
    const codec = rungs ? checkLadderRequest({ renditions: rungs, codec: options.codec }) : checkOutputRequest(options).codec;
    const available = await this.codecs.available();
    // download.m4a is AAC whatever the HLS codec.
    for (const needed of options.download ? [codec, 'aac' as const] : [codec]) {
      if (!available.includes(needed)) {
        throw new UnsupportedError(
          'CODEC_UNAVAILABLE',
          `This server's ffmpeg cannot write ${needed} into HLS; available: ${available.join(', ') || 'none'}.`,
        );
      }
    }

    const probe = await this.ffmpeg.probe(upload.path);
    if (!probe.ok) throw rejectionError(probe.rejection);
    checkSourceLimits(probe.result.audio, this.limits);
    // A ladder's job `plan` is its top rung (see TranscodeJobData.renditions).
    const ladder = rungs ? resolveLadder({ renditions: rungs, codec: options.codec }, probe.result.audio) : null;
    const plan = ladder?.[ladder.length - 1]?.plan ?? resolveEncodingPlan(options, probe.result.audio);

    const jobId = randomUUID();
    const data: TranscodeJobData = {
      version: 1,
      jobId,
      trackId: options.trackId ?? trackIdFromName(upload.originalName) ?? jobId,
      uploadId: upload.uploadId,
      demuxer: probe.result.demuxer,
      source: probe.result.audio,
      plan,
      priority: options.priority,
      submittedAt: new Date().toISOString(),
      ...(ladder ? { renditions: ladder } : {}),
      ...(options.normalize ? { normalize: true } : {}),
      ...(options.download ? { download: true, downloadPlan: resolveDownloadPlan(probe.result.audio) } : {}),
      tags: pickTags(probe.result.tags),
      ...(callbackUrl ? { callbackUrl } : {}),
    };
    await this.queue.add(data);
    this.logger.info('job queued', {
      request_id: requestId,
      job_id: jobId,
      codec: plan.codec,
      profile: plan.profile,
      priority: options.priority,
      bytes: upload.size,
      duration_seconds: probe.result.audio.durationSeconds,
    });
    return { jobId };
  }
}

function rejectionError(rejection: ProbeRejection): InvalidInputError {
  switch (rejection.reason) {
    case 'not-allowed-format':
      return new InvalidInputError('UNSUPPORTED_FORMAT', `The file is not in an audio format we accept: ${rejection.detail}.`);
    case 'no-audio':
      return new InvalidInputError('NO_AUDIO_STREAM', `The file has no usable audio: ${rejection.detail}.`);
    case 'no-duration':
      return new InvalidInputError('INVALID_AUDIO', `The audio cannot be transcoded: ${rejection.detail}.`);
    case 'unreadable':
      return new InvalidInputError('INVALID_AUDIO', 'The file is not audio we can decode.');
  }
}

/** "My Song.final.wav" → "My Song.final": a readable default track_id. */
function trackIdFromName(originalName: string): string | null {
  const stem = path.parse(path.basename(originalName.replace(/\\/g, '/'))).name;
  const clean = stem.replace(/\p{Cc}/gu, '').trim().slice(0, TRACK_ID_MAX);
  return clean === '' ? null : clean;
}
