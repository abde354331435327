import path from 'node:path';
import { isJobId, isSegmentName } from './names';

export const MANIFEST_NAME = 'index.m3u8';

/**
 * Where everything lives under STORAGE_DIR (a volume shared by the API and
 * every worker):
 *
 *   uploads/<uuid>         sources as uploaded, under a server-made name
 *   tmp/<job>.<attempt>.*  a worker's private work dir for one attempt
 *   hls/<job>/             published output: renamed in only when whole
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
