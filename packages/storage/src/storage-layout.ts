import path from 'node:path';
import { DOWNLOAD_NAME, isJobId, isRenditionName, isSegmentName, WAVEFORM_NAME } from './names';

export const MANIFEST_NAME = 'index.m3u8';

/**
 * Where everything lives under STORAGE_DIR (a volume shared by the API and
 * every worker):
 *
 *   uploads/<uuid>         sources as uploaded, under a server-made name
 *   tmp/<job>.<attempt>.*  a worker's private work dir for one attempt
 *   hls/<job>/             published output: renamed in only when whole:
 *     index.m3u8             media playlist (one rendition) or multivariant (ladder)
 *     segment_*, init.mp4    segments of a one-rendition job
 *     <rendition>/           index.m3u8 and segments of each rung of a ladder
 *     waveform.json          min/max peaks (audiowaveform format)
 *     download.m4a           when download=true was asked
 *
 * tmp/ and hls/ sit on the same filesystem so publishing is one atomic rename.
 * Pure path arithmetic: no I/O here.
 */
export class StorageLayout {
  readonly uploadsDir: string;
  readonly tmpDir: string;
  readonly hlsDir: string;

  constructor(readonly root: string) {
    this.uploadsDir = path.join(root, 'uploads');
    this.tmpDir = path.join(root, 'tmp');
    this.hlsDir = path.join(root, 'hls');
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

  waveformPath(jobId: string): string {
    return path.join(this.jobOutputDir(jobId), WAVEFORM_NAME);
  }

  downloadPath(jobId: string): string {
    return path.join(this.jobOutputDir(jobId), DOWNLOAD_NAME);
  }

  /** Prefix of the temp dirs of one job's attempts (for sweeping). */
  tmpPrefix(jobId: string): string {
    assertJobId(jobId);
    return path.join(this.tmpDir, `${jobId}.`);
  }
}

function assertJobId(jobId: string): void {
  // Defence in depth: routes check ids first; this keeps a bad payload from
  // ever turning into a path outside STORAGE_DIR.
  if (!isJobId(jobId)) throw new Error(`not a job id: ${JSON.stringify(jobId)}`);
}
