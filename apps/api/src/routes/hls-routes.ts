import { Router, type Response } from 'express';
import { NotFoundError } from '@stream-server/errors';
import { hlsContentType } from '@stream-server/storage';
import type { JobService } from '../services/job-service';

/**
 * Segments never change once published (a job's output is renamed in
 * whole, once), so caches and CDNs may keep them for good; playlists get
 * a short lifetime in case an operator replaces an output.
 */
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
const MANIFEST_CACHE = 'public, max-age=60';

/** `GET /v1/stream/hls/{job_id}/index.m3u8` and `/{segment}`. */
export function hlsRoutes(jobs: JobService): Router {
  const router = Router();

  router.get('/v1/stream/hls/:jobId/index.m3u8', async (req, res) => {
    const file = await jobs.manifestPath(req.params.jobId);
    await sendHlsFile(res, file, MANIFEST_CACHE, 'MANIFEST_NOT_FOUND');
  });

  router.get('/v1/stream/hls/:jobId/:segment', async (req, res) => {
    const file = jobs.segmentPath(req.params.jobId, req.params.segment);
    await sendHlsFile(res, file, SEGMENT_CACHE, 'SEGMENT_NOT_FOUND');
  });

  return router;
}

/** Streams a file with validators (ETag, Last-Modified) and range support. */
function sendHlsFile(res: Response, file: string, cacheControl: string, missingCode: string): Promise<void> {
  const type = hlsContentType(file);
  if (type) res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', cacheControl);
  return new Promise((resolve, reject) => {
    res.sendFile(file, { dotfiles: 'deny', cacheControl: false, lastModified: true, etag: true }, (err?: Error) => {
      if (!err) return resolve();
      if (res.headersSent) return resolve(); // client went away mid-send
      res.removeHeader('Cache-Control');
      res.removeHeader('Content-Type');
      reject(new NotFoundError(missingCode, 'No such HLS file for this job.'));
    });
  });
}
