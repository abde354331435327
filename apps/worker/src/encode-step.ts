import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DOWNLOAD_FILE,
  throttle,
  waveformJson,
  type LoudnessMeasurement,
  type RenditionOutput,
} from '@stream-server/ffmpeg';
import {
  attemptTimeoutMs,
  type LoudnessSummary,
  type TranscodeJobData,
  type TranscodeJobResult,
} from '@stream-server/jobs';
import type { Logger } from '@stream-server/logger';
import { WAVEFORM_NAME } from '@stream-server/storage';
import { finishPlaylists, LiveMirror } from './live-mirror';
import { describeRenditions, renditionsOf, type Rung } from './output-check';
import type { ProcessorFfmpeg, ProcessorStorage } from './processor-ports';

/**
 * This worker's own safety limits. What the output looks like (segment
 * length, waveform resolution, loudness target) is the job's `outputs`.
 */
export interface EncodeSettings {
  readonly maxDurationSeconds: number;
  readonly timeoutFloorSeconds: number;
  /** An ffmpeg whose progress stops for this long is killed (the attempt is retried). */
  readonly stallSeconds: number;
}

/** One attempt's encode: the plan, where it runs and the encoders this worker has for it. */
export interface EncodeRequest {
  readonly data: TranscodeJobData;
  /** The upload's path. */
  readonly input: string;
  /** The attempt's private work dir (empty). */
  readonly workDir: string;
  /** ffmpeg encoder of `data.plan.codec`. */
  readonly encoder: string;
  /** AAC encoder of the download, or null when the job asks for none. */
  readonly downloadEncoder: string | null;
  /** Receives the job's progress, at most every 250 ms. */
  readonly reportProgress: (percent: number) => void;
  /** Called once, when the live playlist lists a whole segment of every rung. */
  readonly reportPlayable: () => void;
  readonly log: Logger;
  readonly signal?: AbortSignal | undefined;
  /**
   * One part of a ladder job: only these rungs, the extras (loudness
   * meter, waveform, download) only when asked, and the job's live dir,
   * shared with the other parts. Absent: the whole job.
   */
  readonly part?: { readonly rungs: readonly Rung[]; readonly extras: boolean; readonly liveDir: string } | undefined;
}

/** Share of the progress bar pass 1 of normalisation takes (it only decodes). */
const MEASURE_PASS_PERCENT = 25;

/** Progress reaches Redis at most this often (≤ 4 updates/s). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Runs the job's plan into its work dir: the loudness measure pass when
 * it normalises, then one ffmpeg for every rendition, the download, the
 * waveform and the output loudness, mirrored into live/<job>/ while it
 * runs; then checks every playlist is whole and writes the waveform. Resolves with the job's result; throws
 * whatever ffmpeg or the check threw.
 */
export class EncodeStep {
  constructor(
    private readonly ffmpeg: ProcessorFfmpeg,
    private readonly storage: Pick<
      ProcessorStorage,
      'exists' | 'linkLive' | 'writeLive' | 'readText' | 'fileSize' | 'writeText'
    >,
    private readonly settings: EncodeSettings,
  ) {}

  async run(request: EncodeRequest): Promise<TranscodeJobResult> {
    const { data, input, workDir } = request;
    const { outputs } = data;
    const progress = throttle(request.reportProgress, PROGRESS_INTERVAL_MS);
    const timeoutMs = attemptTimeoutMs('transcode', data.source.durationSeconds, this.settings.timeoutFloorSeconds);
    const deadline = Date.now() + timeoutMs;
    const runBase = {
      workDir,
      durationSeconds: data.source.durationSeconds,
      onProgress: (percent: number) => progress.push(percent),
      stallMs: this.settings.stallSeconds * 1000,
      // The budget follows real progress: a header that under-states the
      // length extends it while ffmpeg advances, up to MAX_DURATION_SECONDS'.
      extendedTimeoutMs: attemptTimeoutMs(
        'transcode',
        this.settings.maxDurationSeconds,
        this.settings.timeoutFloorSeconds,
      ),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    const { part } = request;
    const rungs = part ? part.rungs : renditionsOf(data);
    const extras = part ? part.extras : true;
    const download =
      extras && data.downloadPlan && request.downloadEncoder !== null
        ? { plan: data.downloadPlan, encoder: request.downloadEncoder, file: DOWNLOAD_FILE }
        : null;
    let measured: LoudnessMeasurement | null = null;
    let encoded: { loudness: LoudnessMeasurement | null; waveform: Int8Array | null };
    const live = new LiveMirror({
      storage: this.storage,
      jobId: data.jobId,
      workDir,
      rungs,
      onPlayable: request.reportPlayable,
      log: request.log,
      shared: part ? { ladder: renditionsOf(data), liveDir: part.liveDir } : undefined,
    });
    try {
      const renditions: RenditionOutput[] = rungs.map((rung) => ({
        dir: rung.dir,
        plan: rung.plan,
        encoder: request.encoder,
      }));
      for (const rung of rungs) if (rung.dir !== null) await mkdir(path.join(workDir, rung.dir));

      // Pass 1 of normalisation: measure the source (null: silence, left as is).
      if (data.normalize) {
        measured = await this.ffmpeg.measureLoudness(
          { input, demuxer: data.demuxer, sampleRate: data.source.sampleRate, channels: data.source.channels },
          this.settings.maxDurationSeconds,
          { ...runBase, timeoutMs, progressSpan: [0, MEASURE_PASS_PERCENT] },
        );
      }
      live.start();
      encoded = await this.ffmpeg.encode(
        {
          input,
          demuxer: data.demuxer,
          renditions,
          segmentSeconds: outputs.segmentSeconds,
          maxDurationSeconds: this.settings.maxDurationSeconds,
          sourceSampleRate: data.source.sampleRate,
          sourceChannels: data.source.channels,
          // The schema holds a loudness target whenever normalize is true.
          normalize: measured && outputs.loudnessTarget ? { target: outputs.loudnessTarget, measured } : null,
          waveformSamplesPerPixel: extras ? outputs.waveform.samplesPerPixel : null,
          meter: extras,
          download,
        },
        {
          ...runBase,
          // Pass 1 used part of the attempt's budget; never less than a second.
          timeoutMs: Math.max(1000, deadline - Date.now()),
          progressSpan: [data.normalize ? MEASURE_PASS_PERCENT : 0, 99.9],
        },
      );
      // The last segments, in case ffmpeg ended between two looks.
      await live.stop();
      await live.sync();
    } finally {
      progress.cancel();
      await live.stop();
    }
    await finishPlaylists(workDir, rungs);
    // A part's rungs are checked here; the job's multivariant playlists wait for every part.
    const described = await describeRenditions(this.storage, workDir, rungs, !part);
    if (download && !(await this.storage.exists(path.join(workDir, DOWNLOAD_FILE)))) {
      throw new Error('ffmpeg did not write the download file');
    }
    if (extras) {
      await writeFile(
        path.join(workDir, WAVEFORM_NAME),
        JSON.stringify(
          waveformJson(data.source.sampleRate, outputs.waveform.samplesPerPixel, encoded.waveform ?? new Int8Array(0)),
        ),
      );
    }
    return {
      ...described,
      loudness: extras ? summary(data.normalize ? measured : encoded.loudness) : null,
      outputLoudness: extras && data.normalize ? summary(encoded.loudness) : null,
      waveform: extras,
      download: download !== null,
      live: true,
    };
  }
}

/** The job body's loudness shape (pass-2 figures like the threshold stay internal). */
function summary(measured: LoudnessMeasurement | null): LoudnessSummary | null {
  if (measured === null) return null;
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    integratedLufs: round(measured.integratedLufs),
    loudnessRangeLu: round(measured.loudnessRangeLu),
    truePeakDbtp: round(measured.truePeakDbtp),
  };
}
