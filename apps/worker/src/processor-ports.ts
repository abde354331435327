import type { FfmpegRepository } from '@stream-server/ffmpeg';
import type { CancelRegistry } from '@stream-server/queue';
import type { MediaStorage, StorageLayout } from '@stream-server/storage';

/**
 * What the transcode steps need of the packages, and nothing more: the
 * real repositories satisfy these, and unit tests pass small fakes.
 */

/** The storage a job attempt touches: its upload, its work dir, its published output. */
export type ProcessorStorage = Pick<
  MediaStorage,
  | 'isPublished'
  | 'readText'
  | 'writeText'
  | 'fileSize'
  | 'fetchSource'
  | 'releaseSource'
  | 'exists'
  | 'remove'
  | 'listWorkDirs'
  | 'createWorkDir'
  | 'publish'
  | 'linkLive'
  | 'writeLive'
  | 'stage'
> & {
  readonly layout: Pick<StorageLayout, 'uploadPath' | 'jobOutputDir' | 'jobLiveDir' | 'ladderStagingDir'>;
};

/** The two ffmpeg runs of an attempt: the loudness measure pass and the encode. */
export type ProcessorFfmpeg = Pick<FfmpegRepository, 'measureLoudness' | 'encode'>;

/** Whether someone cancelled a job, and the seal that makes a publish win over later cancels (CancelRegistry). */
export type CancelCheck = Pick<CancelRegistry, 'isCancelled' | 'seal'>;
