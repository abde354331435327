import path from 'node:path';
import { DOWNLOAD_NAME, isJobId, isRenditionName, isSegmentName, WAVEFORM_NAME } from './names';

export const MANIFEST_NAME = 'index.m3u8';
/** The live (EVENT) playlist: growing under live/<job>/, ended in hls/<job>/. */
export const LIVE_MANIFEST_NAME = 'live.m3u8';

/**
 * Where everything lives under STORAGE_DIR (a volume shared by the API and
 * every worker):
 *
 *   uploads/<uuid>         sources as uploaded, under a server-made name
 *   tus/<id>, <id>.json   resumable uploads still arriving (the API's tus store)
 *   tmp/<job>.<attempt>.*  a worker's private work dir for one attempt
 *   tmp/<job>.part<n>.<attempt>.*  the same for one part of a ladder job
 *   tmp/<job>.parts/       a ladder's staging dir: each part renames its
 *                          finished rung dirs (and the extras) in; the
 *                          ladder's last step completes it and renames it
 *                          to hls/<job>/
 *   live/<job>/            a running job's whole segments, hard-linked from
 *                          its work dir as ffmpeg closes them, and live.m3u8
 *                          (same layout as hls/<job>/); removed once the
 *                          job is published or has failed
 *   hls/<job>/             published output: renamed in only when whole:
 *     index.m3u8             media playlist (one rendition) or multivariant (ladder)
 *     live.m3u8              the same as an ended EVENT playlist (what live
 *                            players were reading), per rung for a ladder
 *     segment_*, init.mp4    segments of a one-rendition job
 *     <rendition>/           index.m3u8 and segments of each rung of a ladder
 *     waveform.json          min/max peaks (audiowaveform format)
 *     download.m4a           when download=true was asked
 *
 * tmp/, live/ and hls/ sit on the same filesystem so publishing is one
 * atomic rename and a live segment is a hard link, not a copy.
 * Pure path arithmetic: no I/O here.
 */
export class StorageLayout {
  readonly uploadsDir: string;
  readonly tmpDir: string;
  readonly hlsDir: string;
  readonly liveDir: string;
  /**
   * Resumable (tus) uploads while they arrive: `<id>` and `<id>.json`. On
   * the same filesystem as uploads/, so a finished one moves there by rename.
   */
  readonly tusDir: string;

  constructor(readonly root: string) {
    this.uploadsDir = path.join(root, 'uploads');
    this.tmpDir = path.join(root, 'tmp');
    this.hlsDir = path.join(root, 'hls');
    this.liveDir = path.join(root, 'live');
    this.tusDir = path.join(root, 'tus');
  }

  uploadPath(uploadId: string): string {
    assertJobId(uploadId);
    return path.join(this.uploadsDir, uploadId);
  }

  /** True when `file` is an upload this layout would have named. */
  isUploadPath(file: string): boolean {
    return path.dirname(file) === this.uploadsDir && isJobId(path.basename(file));
  }

  jobOutputDir(jobId: string): string {
    assertJobId(jobId);
    return path.join(this.hlsDir, jobId);
  }

  manifestPath(jobId: string): string {
    return path.join(this.jobOutputDir(jobId), MANIFEST_NAME);
  }

  segmentPath(jobId: string, segment: string): string {
    if (!isSegmentName(segment)) throw new Error(`not a segment name: ${JSON.stringify(segment)}`);
    return path.join(this.jobOutputDir(jobId), segment);
  }

  /** Folder of one rung of a ladder, relative to the job's output dir (also its URI prefix). */
  static renditionDirName(rendition: string): string {
    if (!isRenditionName(rendition)) throw new Error(`not a rendition name: ${JSON.stringify(rendition)}`);
    return rendition;
  }

  renditionManifestPath(jobId: string, rendition: string): string {
    return path.join(this.jobOutputDir(jobId), StorageLayout.renditionDirName(rendition), MANIFEST_NAME);
  }

  renditionSegmentPath(jobId: string, rendition: string, segment: string): string {
    if (!isSegmentName(segment)) throw new Error(`not a segment name: ${JSON.stringify(segment)}`);
    return path.join(this.jobOutputDir(jobId), StorageLayout.renditionDirName(rendition), segment);
  }

  /** A running job's live files (same names as under jobOutputDir). */
  jobLiveDir(jobId: string): string {
    assertJobId(jobId);
    return path.join(this.liveDir, jobId);
  }

  /**
   * A file of a job's output or live dir: `live.m3u8` or a segment, at the
   * root or in a rung's folder (`rendition` null for the root).
   */
  playbackPath(base: 'output' | 'live', jobId: string, rendition: string | null, name: string): string {
    if (name !== LIVE_MANIFEST_NAME && !isSegmentName(name)) {
      throw new Error(`not a playback file name: ${JSON.stringify(name)}`);
    }
    const dir = base === 'output' ? this.jobOutputDir(jobId) : this.jobLiveDir(jobId);
    return rendition === null ? path.join(dir, name) : path.join(dir, StorageLayout.renditionDirName(rendition), name);
  }

  waveformPath(jobId: string): string {
    return path.join(this.jobOutputDir(jobId), WAVEFORM_NAME);
  }

  downloadPath(jobId: string): string {
    return path.join(this.jobOutputDir(jobId), DOWNLOAD_NAME);
  }

  /** Prefix of the temp dirs of one job's attempts, or of one part's (for sweeping). */
  tmpPrefix(jobId: string, part: number | null = null): string {
    assertJobId(jobId);
    if (part !== null && !(Number.isInteger(part) && part >= 0)) throw new Error(`not a part number: ${part}`);
    return path.join(this.tmpDir, part === null ? `${jobId}.` : `${jobId}.part${part}.`);
  }

  /** Where the parts of a ladder job gather their rungs before the job publishes them. */
  ladderStagingDir(jobId: string): string {
    assertJobId(jobId);
    return path.join(this.tmpDir, `${jobId}.parts`);
  }
}

function assertJobId(jobId: string): void {
  // Defence in depth: routes check ids first; this keeps a bad payload from
  // ever turning into a path outside STORAGE_DIR.
  if (!isJobId(jobId)) throw new Error(`not a job id: ${JSON.stringify(jobId)}`);
}
