/** Small hand-written fakes of what the transcode steps depend on (see processor-ports). */
import { mkdir, mkdtemp, rename, rm, writeFile, access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DOWNLOAD_FILE,
  type EncodeAnalysis,
  type EncodeJob,
  type EncodeRun,
  type LoudnessMeasurement,
  type MeasuredSource,
  type StagedRun,
} from '@stream-server/ffmpeg';
import type { TranscodeJobData } from '@stream-server/jobs';
import { StorageLayout, StorageRepository, type PublishOutcome } from '@stream-server/storage';
import type { ProcessableJob } from '../src/transcode-processor';
import type { CancelCheck, ProcessorFfmpeg, ProcessorStorage } from '../src/processor-ports';

export const JOB_ID = '00000000-0000-4000-8000-000000000001';
const UPLOAD_ID = '00000000-0000-4000-8000-000000000002';

export const PLAN = {
  codec: 'aac',
  profile: 'high',
  bitrate: 256_000,
  sampleRate: 44_100,
  channels: 2,
  bitDepth: null,
  container: 'mpegts',
} as const;

/** Where a normalising payload() aims (the API puts it into the job). */
export const LOUDNESS_TARGET = { integratedLufs: -14, truePeakDbtp: -1 } as const;

/** A valid payload; it carries a loudness target exactly when `over` asks for normalize. */
export function payload(over: Partial<TranscodeJobData> = {}): TranscodeJobData {
  return {
    version: 1,
    jobId: JOB_ID,
    trackId: 'track',
    uploadId: UPLOAD_ID,
    demuxer: 'wav',
    source: {
      codec: 'pcm_s16le',
      sampleRate: 44_100,
      channels: 2,
      bitsPerSample: 16,
      durationSeconds: 8,
      bitrate: null,
    },
    plan: PLAN,
    priority: 'normal',
    submittedAt: new Date(0).toISOString(),
    outputs: {
      segmentSeconds: 4,
      waveform: { samplesPerPixel: 256 },
      loudnessTarget: over.normalize === true ? LOUDNESS_TARGET : null,
    },
    ...over,
  };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A playlist of two 4 s segments, with its segments, in `dir`. */
export async function writeRendition(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'segment_00001.ts'), Buffer.alloc(64_000));
  await writeFile(path.join(dir, 'segment_00002.ts'), Buffer.alloc(32_000));
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    '#EXTINF:4.0,',
    'segment_00001.ts',
    '#EXTINF:4.0,',
    'segment_00002.ts',
    '#EXT-X-ENDLIST',
    '',
  ];
  await writeFile(path.join(dir, 'index.m3u8'), playlist.join('\n'));
}

/** Storage on a throw-away dir (the steps read and write real files there); records what it was asked. */
export class FakeStorage implements ProcessorStorage {
  readonly layout: StorageLayout;
  readonly removed: string[] = [];
  readonly published: string[] = [];
  readonly createdWorkDirs: string[] = [];
  /** Work dirs `listWorkDirs` reports as left by earlier attempts. */
  staleWorkDirs: string[] = [];

  private constructor(readonly root: string) {
    this.layout = new StorageLayout(root);
  }

  static async create(): Promise<FakeStorage> {
    const storage = new FakeStorage(await mkdtemp(path.join(os.tmpdir(), 'processor-')));
    await mkdir(storage.layout.uploadsDir, { recursive: true });
    await mkdir(storage.layout.tmpDir, { recursive: true });
    await mkdir(storage.layout.hlsDir, { recursive: true });
    return storage;
  }

  async addUpload(uploadId = UPLOAD_ID): Promise<string> {
    const file = this.layout.uploadPath(uploadId);
    await writeFile(file, 'RIFF');
    return file;
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  async isPublished(jobId: string): Promise<boolean> {
    return exists(this.layout.manifestPath(jobId));
  }

  async exists(file: string): Promise<boolean> {
    return exists(file);
  }

  async remove(target: string): Promise<void> {
    this.removed.push(target);
    await rm(target, { recursive: true, force: true });
  }

  /** Live files are real: the live mirror's own tests read them back. */
  async linkLive(workFile: string, jobId: string, relative: string): Promise<void> {
    await new StorageRepository(this.layout).linkLive(workFile, jobId, relative);
  }

  async writeLive(jobId: string, relative: string, text: string): Promise<void> {
    await new StorageRepository(this.layout).writeLive(jobId, relative, text);
  }

  async stage(from: string, to: string): Promise<void> {
    await new StorageRepository(this.layout).stage(from, to);
  }

  async readText(file: string): Promise<string | null> {
    return new StorageRepository(this.layout).readText(file);
  }

  async writeText(file: string, text: string): Promise<void> {
    await new StorageRepository(this.layout).writeText(file, text);
  }

  async fileSize(file: string): Promise<number> {
    return new StorageRepository(this.layout).fileSize(file);
  }

  async releaseSource(): Promise<void> {}

  /** The upload is read in place, as on a shared disk. */
  async fetchSource(uploadFile: string): Promise<string | null> {
    return (await exists(uploadFile)) ? uploadFile : null;
  }

  async listWorkDirs(): Promise<string[]> {
    return this.staleWorkDirs;
  }

  async createWorkDir(jobId: string, attempt: number): Promise<string> {
    const dir = await mkdtemp(`${this.layout.tmpPrefix(jobId)}${attempt}.`);
    this.createdWorkDirs.push(dir);
    return dir;
  }

  async publish(workDir: string, jobId: string): Promise<PublishOutcome> {
    this.published.push(jobId);
    await rename(workDir, this.layout.jobOutputDir(jobId));
    return 'published';
  }
}

export const MEASURED: LoudnessMeasurement = {
  integratedLufs: -20.123,
  loudnessRangeLu: 5.5,
  truePeakDbtp: -1.004,
  thresholdLufs: -30,
  targetOffsetLu: 0,
};
const ENCODED: LoudnessMeasurement = {
  integratedLufs: -14.001,
  loudnessRangeLu: 4.2,
  truePeakDbtp: -1.5,
  thresholdLufs: -24,
  targetOffsetLu: 0,
};

/** ffmpeg that writes a small whole output (or fails as told) and records its runs. */
export class FakeFfmpeg implements ProcessorFfmpeg {
  readonly measureRuns: StagedRun[] = [];
  readonly encodes: Array<{ job: EncodeJob; run: EncodeRun }> = [];
  /** Thrown by the encode instead of writing. */
  failure: Error | null = null;
  /** Runs inside the encode, before it writes (a cancel arriving, say). */
  during: (run: EncodeRun) => Promise<void> = async () => undefined;

  async measureLoudness(_source: MeasuredSource, _max: number, run: StagedRun): Promise<LoudnessMeasurement | null> {
    this.measureRuns.push(run);
    return MEASURED;
  }

  async encode(job: EncodeJob, run: EncodeRun): Promise<EncodeAnalysis> {
    this.encodes.push({ job, run });
    run.onProgress?.(50);
    await this.during(run);
    if (this.failure) throw this.failure;
    for (const rendition of job.renditions) {
      await writeRendition(rendition.dir === null ? run.workDir : path.join(run.workDir, rendition.dir));
    }
    if (job.download) await writeFile(path.join(run.workDir, DOWNLOAD_FILE), 'm4a');
    return {
      loudness: ENCODED,
      waveform: job.waveformSamplesPerPixel === null ? null : Int8Array.from([0, 127, -128, 0]),
    };
  }
}

export class FakeCancels implements CancelCheck {
  readonly cancelled = new Set<string>();

  readonly sealed = new Set<string>();

  async isCancelled(jobId: string): Promise<boolean> {
    return this.cancelled.has(jobId);
  }

  async seal(jobId: string): Promise<boolean> {
    if (this.cancelled.has(jobId)) return false;
    this.sealed.add(jobId);
    return true;
  }
}

export interface FakeJob extends ProcessableJob {
  readonly progress: number[];
  /** How often the job was reported playable. */
  readonly playable: { count: number };
}

export function fakeJob(data: unknown, attemptsMade = 0, maxAttempts = 3): FakeJob {
  const progress: number[] = [];
  const playable = { count: 0 };
  return {
    data,
    attemptsMade,
    maxAttempts,
    progress,
    playable,
    updateProgress: async (percent: number) => {
      progress.push(percent);
    },
    reportPlayable: async () => {
      playable.count += 1;
    },
  };
}
