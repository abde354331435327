import { ConflictError, GoneError, InvalidInputError, NotFoundError, NotReadyError } from '@stream-server/errors';
import type { JobSnapshot, TranscodeJobData } from '@stream-server/jobs';
import type { CancelOutcome } from '@stream-server/queue';
import { StorageLayout } from '@stream-server/storage';
import { parseJobId } from '../src/services/job-id';
import { JobService } from '../src/services/job-service';
import { JOB_ID, jobSnapshot, UPLOAD_ID } from './job-snapshots';

const layout = new StorageLayout('/srv/media');
const ID = parseJobId(JOB_ID);

function snapshot(overrides: Partial<JobSnapshot> = {}, data: Partial<TranscodeJobData> = {}): JobSnapshot {
  return jobSnapshot(overrides, data);
}

interface Fakes {
  readonly job?: JobSnapshot | null;
  readonly cancel?: CancelOutcome;
  readonly files?: readonly string[];
}

/** A service over an in-memory job record and file set; records removals and notices. */
function setUp(fakes: Fakes = {}) {
  const removed: string[] = [];
  const notices: JobSnapshot[] = [];
  const purged: string[] = [];
  const forgotten: string[] = [];
  const files = new Set(fakes.files ?? []);
  const service = new JobService(
    {
      get: async () => fakes.job ?? null,
      cancel: async () => fakes.cancel ?? { kind: 'not-found' },
      markPurged: async (jobId) => {
        purged.push(jobId);
        return 1;
      },
    },
    { layout, exists: async (file) => files.has(file), remove: async (target) => void removed.push(target) },
    { cancelled: async (job) => void notices.push(job) },
    { forget: (jobId) => void forgotten.push(jobId) },
  );
  return { service, removed, notices, purged, forgotten };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, got none');
    },
    (err: unknown) => err,
  );
}

describe('JobService.view', () => {
  it('an unknown job is JOB_NOT_FOUND', async () => {
    const err = await caught(setUp().service.view(ID));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('a known job is its job body', async () => {
    await expect(setUp({ job: snapshot({ state: 'active' }) }).service.view(ID)).resolves.toMatchObject({
      id: ID,
      status: 'Processing',
    });
  });
});

describe('JobService.cancel', () => {
  it('not-found → JOB_NOT_FOUND', async () => {
    expect(await caught(setUp({ cancel: { kind: 'not-found' } }).service.cancel(ID))).toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
  });

  it('finished → JOB_FINISHED (a conflict) naming the status', async () => {
    const err = await caught(
      setUp({ cancel: { kind: 'finished', snapshot: snapshot({ state: 'completed' }) } }).service.cancel(ID),
    );
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'JOB_FINISHED', message: expect.stringContaining('Completed') });
  });

  it('a waiting job cancelled the first time: its upload is deleted and its callback told', async () => {
    const cancelled = snapshot({ cancelledAt: 1_737_979_201_000 });
    const { service, removed, notices } = setUp({
      cancel: { kind: 'cancelled', first: true, removedFromQueue: true, snapshot: cancelled },
    });
    await expect(service.cancel(ID)).resolves.toMatchObject({ id: ID, status: 'Cancelled' });
    expect(removed).toEqual([layout.uploadPath(UPLOAD_ID)]);
    expect(notices).toEqual([cancelled]);
  });

  it('a repeated cancel of a waiting job deletes again but tells nobody twice', async () => {
    const cancelled = snapshot({ cancelledAt: 1 });
    const { service, removed, notices } = setUp({
      cancel: { kind: 'cancelled', first: false, removedFromQueue: true, snapshot: cancelled },
    });
    await service.cancel(ID);
    expect(removed).toHaveLength(1);
    expect(notices).toEqual([]);
  });

  it('a running job is left to its worker: nothing deleted, nobody told here', async () => {
    const running = snapshot({ state: 'active', cancelledAt: 1 });
    const { service, removed, notices } = setUp({
      cancel: { kind: 'cancelled', first: true, removedFromQueue: false, snapshot: running },
    });
    await expect(service.cancel(ID)).resolves.toMatchObject({ status: 'Cancelled' });
    expect(removed).toEqual([]);
    expect(notices).toEqual([]);
  });
});

describe('JobService: playlists and segments', () => {
  it('a published manifest is served from disk, whatever Redis says', async () => {
    await expect(setUp({ files: [layout.manifestPath(ID)] }).service.manifestPath(ID)).resolves.toBe(
      layout.manifestPath(ID),
    );
  });

  it('a manifest of a job not completed yet is JOB_NOT_COMPLETED (not ready)', async () => {
    const err = await caught(setUp({ job: snapshot() }).service.manifestPath(ID));
    expect(err).toBeInstanceOf(NotReadyError);
    expect(err).toMatchObject({ code: 'JOB_NOT_COMPLETED', message: expect.stringContaining('Pending') });
  });

  it('a completed job whose manifest is gone is MANIFEST_NOT_FOUND; an unknown job JOB_NOT_FOUND', async () => {
    expect(await caught(setUp({ job: snapshot({ state: 'completed' }) }).service.manifestPath(ID))).toMatchObject({
      code: 'MANIFEST_NOT_FOUND',
    });
    expect(await caught(setUp().service.manifestPath(ID))).toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('a rung that is not there: the root playlist answers, else MANIFEST_NOT_FOUND', async () => {
    expect(await caught(setUp({ job: snapshot() }).service.renditionManifestPath(ID, 'low'))).toMatchObject({
      code: 'JOB_NOT_COMPLETED',
    });
    const published = setUp({ files: [layout.manifestPath(ID)] });
    expect(await caught(published.service.renditionManifestPath(ID, 'low'))).toMatchObject({
      code: 'MANIFEST_NOT_FOUND',
    });
  });

  it('segment and rendition names are checked', async () => {
    const { service } = setUp();
    expect(service.segmentPath(ID, 'segment_00001.ts')).toBe(layout.segmentPath(ID, 'segment_00001.ts'));
    expect(() => service.segmentPath(ID, '../index.m3u8')).toThrow(InvalidInputError);
    expect(() => service.renditionSegmentPath(ID, 'ultra', 'segment_00001.ts')).toThrow(
      expect.objectContaining({ code: 'INVALID_RENDITION_NAME' }),
    );
    expect(() => service.renditionSegmentPath(ID, 'low', 'x.ts')).toThrow(
      expect.objectContaining({ code: 'INVALID_SEGMENT_NAME' }),
    );
    expect(await caught(service.renditionManifestPath(ID, '..'))).toMatchObject({ code: 'INVALID_RENDITION_NAME' });
  });
});

describe('JobService: waveform and download', () => {
  it('files on disk are returned with the track id for the download name', async () => {
    const { service } = setUp({
      job: snapshot({ state: 'completed' }, { download: true }),
      files: [layout.downloadPath(ID), layout.waveformPath(ID)],
    });
    await expect(service.waveformPath(ID)).resolves.toBe(layout.waveformPath(ID));
    await expect(service.downloadPath(ID)).resolves.toEqual({ file: layout.downloadPath(ID), trackId: 'track-42' });
  });

  it('a job submitted without download=true has no download: DOWNLOAD_NOT_FOUND saying so', async () => {
    const err = await caught(setUp({ job: snapshot({ state: 'completed' }) }).service.downloadPath(ID));
    expect(err).toMatchObject({
      code: 'DOWNLOAD_NOT_FOUND',
      message: expect.stringContaining('without download=true'),
    });
  });

  it('not completed yet: not found with the file code, saying so', async () => {
    const err = await caught(
      setUp({ job: snapshot({ state: 'active' }, { download: true }) }).service.downloadPath(ID),
    );
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'DOWNLOAD_NOT_FOUND', message: expect.stringContaining('not completed yet') });
    expect(await caught(setUp({ job: snapshot() }).service.waveformPath(ID))).toMatchObject({
      code: 'WAVEFORM_NOT_FOUND',
    });
  });

  it('an unknown job is JOB_NOT_FOUND', async () => {
    expect(await caught(setUp().service.waveformPath(ID))).toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(await caught(setUp().service.downloadPath(ID))).toMatchObject({ code: 'JOB_NOT_FOUND' });
  });
});

describe('JobService: takedown', () => {
  const PURGED_AT = Date.parse('2026-12-01T10:00:00Z');

  it("records the purge, drops cached copies, then removes a finished job's outputs", async () => {
    const { service, purged, forgotten, removed } = setUp({ job: snapshot({ state: 'completed' }) });
    await service.purgeOutput(ID);
    expect(purged).toEqual([ID]);
    expect(forgotten).toEqual([ID]);
    expect(removed).toEqual([layout.jobOutputDir(ID)]);
  });

  it('takes down the outputs of a job whose record has expired; 404 when there is nothing at all', async () => {
    const expired = setUp({ job: null, files: [layout.jobOutputDir(ID)] });
    await expired.service.purgeOutput(ID);
    expect(expired.removed).toEqual([layout.jobOutputDir(ID)]);
    expect(await caught(setUp({ job: null }).service.purgeOutput(ID))).toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('refuses a job that has not finished (cancel it instead), touching nothing', async () => {
    const { service, purged, removed } = setUp({ job: snapshot({ state: 'active' }) });
    const err = await caught(service.purgeOutput(ID));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'JOB_NOT_FINISHED', message: expect.stringContaining('Processing') });
    expect([purged, removed]).toEqual([[], []]);
  });

  it('answers 410 OUTPUT_PURGED for every playback file of a purged job', async () => {
    const { service } = setUp({ job: snapshot({ state: 'completed', purgedAt: PURGED_AT }) });
    for (const call of [
      service.manifestPath(ID),
      service.renditionManifestPath(ID, 'low'),
      service.livePlaylistPath(ID, null),
      service.liveSegmentPath(ID, null, 'segment_00001.ts'),
      service.waveformPath(ID),
      service.downloadPath(ID),
    ]) {
      const err = await caught(call);
      expect(err).toBeInstanceOf(GoneError);
      expect(err).toMatchObject({
        code: 'OUTPUT_PURGED',
        message: expect.stringContaining('2026-12-01T10:00:00.000Z'),
      });
    }
  });
});
