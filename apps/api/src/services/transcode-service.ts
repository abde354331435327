import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InvalidInputError, UnavailableError, UnsupportedError, type DomainError } from '@stream-server/errors';
import { pickTags, type ProbeOutcome, type ProbeRejection } from '@stream-server/ffmpeg';
import type { JobOutputs, TranscodeJobData } from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import {
  checkSourceLimits,
  checkTranscodeOptions,
  codecsOf,
  parseTranscodeOptions,
  resolveOutputPlan,
  type Codec,
  type SourceLimits,
  type TranscodeRequest,
} from '@stream-server/profiles';
import { callbackUrlOf, type CallbackSettings } from './webhook-callbacks';

/**
 * Where uploads live: the service checks the path is one, commits accepted
 * ones to where every worker reads them (MediaStorage.commitUpload) and
 * deletes refused ones, wherever they are by then.
 */
export interface UploadFiles {
  readonly layout: { isUploadPath(file: string): boolean };
  commitUpload(file: string, signal?: AbortSignal): Promise<void>;
  remove(file: string): Promise<void>;
}

/** How a caller steers one submit. */
export interface SubmitControl {
  /**
   * Aborts when nobody waits for the answer any more (client gone, API
   * stopping): the probe or the upload's commit is stopped and nothing is
   * queued. It is not looked at once the job is being queued.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called just before the job is handed to the queue: from then on the
   * submit ends with a queued job or a queue error, whatever the signal
   * does, so the caller must not cut the request off or delete its upload.
   */
  readonly onQueueing?: (() => void) | undefined;
}

/** Reads what an upload contains (ffprobe, killed when `signal` aborts or it runs too long). */
export interface SourceProber {
  probe(file: string, signal?: AbortSignal): Promise<ProbeOutcome>;
}

/** Where accepted jobs go. */
export interface JobSubmitter {
  add(data: TranscodeJobData): Promise<void>;
}

/** The codecs the fleet can write right now. */
export interface CodecSource {
  available(): Promise<readonly Codec[]>;
}

/** An upload already on this process's disk under a server-made name. */
export interface StoredUpload {
  readonly uploadId: string;
  readonly path: string;
  readonly size: number;
  readonly originalName: string;
}

/**
 * The output settings the API decides for every job it queues (Config
 * HLS_SEGMENT_SECONDS, WAVEFORM_SAMPLES_PER_PIXEL, LOUDNESS_TARGET,
 * LOUDNESS_TRUE_PEAK); workers follow the job, not their own settings.
 */
export interface OutputSettings {
  readonly hlsSegmentSeconds: number;
  readonly waveformSamplesPerPixel: number;
  readonly loudnessTargetLufs: number;
  readonly loudnessTruePeakDb: number;
}

export interface SubmitResult {
  readonly jobId: string;
}

/**
 * What takes a file already under uploads/ the way a multipart upload is
 * taken (TranscodeService): a URL ingest and a finished tus upload use it.
 */
export interface UploadSubmitter {
  /** The submit's checks of the fields alone (options, codecs, callback_url), with its errors. */
  validateFields(fields: Readonly<Record<string, unknown>>): Promise<void>;
  submit(
    upload: StoredUpload,
    fields: Readonly<Record<string, unknown>>,
    requestId?: string,
    control?: SubmitControl,
  ): Promise<SubmitResult>;
}

const TRACK_ID_MAX = 200;

/**
 * Accepts an upload: validate the fields once into a checked request,
 * check the fleet can write its codecs, probe the file, resolve every
 * encoding (renditions, download) and output setting (segment length,
 * waveform, loudness target) into the payload, commit the upload to the
 * storage the workers read, queue the job. Whatever fails, the upload is
 * deleted (from the disk and, once committed, from the bucket) before the
 * error leaves: nothing is ever left behind for a rejected request.
 */
export class TranscodeService {
  constructor(
    private readonly storage: UploadFiles,
    private readonly ffmpeg: SourceProber,
    private readonly queue: JobSubmitter,
    private readonly codecs: CodecSource,
    private readonly limits: SourceLimits,
    private readonly outputs: OutputSettings,
    private readonly logger: Logger,
    /** WEBHOOK_SECRET / WEBHOOK_ALLOW_PRIVATE, for `callback_url` (default: webhooks off). */
    private readonly callbacks: CallbackSettings = { webhookSecret: undefined, webhookAllowPrivate: false },
  ) {}

  /**
   * `requestId` ties the job's log lines to the request that made it;
   * see SubmitControl for the abort and the commit point.
   */
  async submit(
    upload: StoredUpload,
    fields: Readonly<Record<string, unknown>>,
    requestId?: string,
    control: SubmitControl = {},
  ): Promise<SubmitResult> {
    try {
      return await this.accept(upload, fields, requestId, control);
    } catch (err) {
      await this.storage.remove(upload.path).catch(() => undefined);
      throw err;
    }
  }

  private async accept(
    upload: StoredUpload,
    fields: Readonly<Record<string, unknown>>,
    requestId: string | undefined,
    { signal, onQueueing }: SubmitControl,
  ): Promise<SubmitResult> {
    if (!this.storage.layout.isUploadPath(upload.path)) throw new Error('upload outside the uploads dir');
    // Cheap checks first: a request that cannot be honoured needs no probe.
    const { request, callbackUrl } = await this.checkFields(fields);
    if (upload.size === 0) throw new InvalidInputError('EMPTY_FILE', 'The uploaded file is empty.');

    const probe = await this.ffmpeg.probe(upload.path, signal);
    signal?.throwIfAborted();
    if (!probe.ok) throw rejectionError(probe.rejection);
    checkSourceLimits(probe.result.audio, this.limits);
    const output = resolveOutputPlan(request, probe.result.audio);

    const jobId = randomUUID();
    const data: TranscodeJobData = {
      version: 1,
      jobId,
      trackId: request.trackId ?? trackIdFromName(upload.originalName) ?? jobId,
      uploadId: upload.uploadId,
      demuxer: probe.result.demuxer,
      source: probe.result.audio,
      // A ladder's job `plan` is its top rung (see TranscodeJobData.renditions).
      plan: output.plan,
      priority: request.priority,
      submittedAt: new Date().toISOString(),
      ...(output.renditions ? { renditions: output.renditions } : {}),
      // A ladder's split among workers is decided here, once, like the rest of the plan.
      ...(output.renditions && output.parts ? { parts: output.parts } : {}),
      ...(request.normalize ? { normalize: true } : {}),
      ...(output.download ? { download: true, downloadPlan: output.download } : {}),
      tags: pickTags(probe.result.tags),
      ...(callbackUrl ? { callbackUrl } : {}),
      outputs: jobOutputs(this.outputs, request.normalize),
    };
    // Last, as it is the costly step (a whole upload to a bucket) that a
    // refused request must not pay for.
    await this.commit(upload, signal);
    signal?.throwIfAborted();
    // The abort was last looked at after the commit: from here the job stands.
    onQueueing?.();
    await this.queue.add(data);
    this.logger.info('job queued', {
      request_id: requestId,
      job_id: jobId,
      codec: output.plan.codec,
      profile: output.plan.profile,
      priority: request.priority,
      bytes: upload.size,
      duration_seconds: probe.result.audio.durationSeconds,
    });
    return { jobId };
  }

  /**
   * Makes the upload readable by every worker. An abort stops it; a
   * storage that fails is an outage (503), not a fault of the request.
   * Either way submit() then deletes both copies.
   */
  private async commit(upload: StoredUpload, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.storage.commitUpload(upload.path, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new UnavailableError(
        'STORAGE_UNAVAILABLE',
        'The upload could not be stored: the media storage is not answering. Nothing was queued; try again later.',
      );
    }
  }

  /**
   * The checks of a submit's fields alone (options, codecs the fleet can
   * write, callback_url), with the submit's errors: a resumable upload runs
   * them when it is created, before a byte of it is stored.
   */
  async validateFields(fields: Readonly<Record<string, unknown>>): Promise<void> {
    await this.checkFields(fields);
  }

  private async checkFields(
    fields: Readonly<Record<string, unknown>>,
  ): Promise<{ request: TranscodeRequest; callbackUrl: string | undefined }> {
    const options = parseTranscodeOptions(fields);
    const callbackUrl = await callbackUrlOf(fields, this.callbacks);
    const request = checkTranscodeOptions(options);
    await this.requireCodecs(codecsOf(request));
    return { request, callbackUrl };
  }

  /** The one availability check of a submit: every codec the job will write. */
  private async requireCodecs(needed: readonly Codec[]): Promise<void> {
    const available = await this.codecs.available();
    const missing = needed.find((codec) => !available.includes(codec));
    if (missing !== undefined) {
      throw new UnsupportedError(
        'CODEC_UNAVAILABLE',
        `This server's ffmpeg cannot write ${missing} into HLS; available: ${available.join(', ') || 'none'}.`,
      );
    }
  }
}

/** The job's output settings; a loudness target only when it normalises. */
function jobOutputs(settings: OutputSettings, normalize: boolean): JobOutputs {
  return {
    segmentSeconds: settings.hlsSegmentSeconds,
    waveform: { samplesPerPixel: settings.waveformSamplesPerPixel },
    loudnessTarget: normalize
      ? { integratedLufs: settings.loudnessTargetLufs, truePeakDbtp: settings.loudnessTruePeakDb }
      : null,
  };
}

function rejectionError(rejection: ProbeRejection): DomainError {
  switch (rejection.reason) {
    case 'timeout':
      return new UnavailableError(
        'PROBE_TIMEOUT',
        'Reading the uploaded file took this server too long; the upload was deleted. Try again later.',
      );
    case 'not-allowed-format':
      return new InvalidInputError(
        'UNSUPPORTED_FORMAT',
        `The file is not in an audio format we accept: ${rejection.detail}.`,
      );
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
  const clean = stem
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, TRACK_ID_MAX);
  return clean === '' ? null : clean;
}
