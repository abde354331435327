import { readFile } from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '@stream-server/errors';
import { hlsContentType } from '@stream-server/storage';
import { signedCacheControl, SIGNED_PLAYLIST_MAX_AGE } from '../playback/playback-cache';
import type { PlaybackSigner } from '../playback/playback-signer';
import { signPlaylist } from '../playback/playlist-signing';
import { parseJobId, type JobId } from '../services/job-id';
import type { JobService } from '../services/job-service';
import { IMMUTABLE_FILE_LOCAL } from './hls-segment-cache';
import { sendStoredFile } from './send-stored-file';

/**
 * Segments never change once published (a job's output is renamed in
 * whole, once), so caches and CDNs may keep them for good; playlists get
 * a short lifetime in case an operator replaces an output.
 */
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
const MANIFEST_CACHE = 'public, max-age=60';

/**
 * `GET /v1/stream/hls/{job_id}/index.m3u8` and `/{segment}`, and for ABR
 * jobs `/{rendition}/index.m3u8` and `/{rendition}/{segment}`. With a
 * playback signer, both need the job's `?token=` (players cannot send
 * bearer headers on every request), the playlist is rewritten so each URI
 * carries the same token, and nothing is cached past the token's expiry.
 */
export function hlsRoutes(jobs: JobService, playback?: PlaybackSigner): Router {
  const router = Router();

  /**
   * A playlist (the root one, or a ladder rung's). Signed: every URI in it
   * (rung playlists, segments, init.mp4) gets the same token, so a player
   * resolving them relative to this URL keeps the permission. The job id
   * is parsed after the token is checked, as for segments.
   */
  const sendPlaylist = async (
    req: Request,
    res: Response,
    rawId: string,
    locate: (jobId: JobId) => Promise<string>,
  ) => {
    if (!playback) {
      await sendHlsFile(res, await locate(parseJobId(rawId)), MANIFEST_CACHE, 'MANIFEST_NOT_FOUND');
      return;
    }
    const grant = playback.verify(rawId, tokenParam(req));
    const file = await locate(parseJobId(rawId));
    const playlist = await readFile(file, 'utf8').catch(() => {
      throw new NotFoundError('MANIFEST_NOT_FOUND', 'No such HLS file for this job.');
    });
    res.setHeader('Content-Type', hlsContentType(file) ?? 'application/vnd.apple.mpegurl');
    res.setHeader('Cache-Control', signedCacheControl(playback.secondsLeft(grant), SIGNED_PLAYLIST_MAX_AGE));
    // A Buffer, so Express keeps the HLS content type as set (no charset).
    res.send(Buffer.from(signPlaylist(playlist, grant.token), 'utf8'));
  };

  router.get('/v1/stream/hls/:jobId/index.m3u8', async (req, res) => {
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.manifestPath(jobId));
  });

  router.get('/v1/stream/hls/:jobId/:segment', async (req, res) => {
    const grant = playback?.verify(req.params.jobId, tokenParam(req));
    const file = jobs.segmentPath(parseJobId(req.params.jobId), req.params.segment);
    const cache = playback && grant ? signedCacheControl(playback.secondsLeft(grant)) : SEGMENT_CACHE;
    await sendHlsFile(res, file, cache, 'SEGMENT_NOT_FOUND');
  });

  // ABR ladders: each rung in its folder, named after its profile (checked
  // against that list, so no other path can be named).
  router.get('/v1/stream/hls/:jobId/:rendition/index.m3u8', async (req, res) => {
    const { rendition } = req.params;
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.renditionManifestPath(jobId, rendition));
  });

  router.get('/v1/stream/hls/:jobId/:rendition/:segment', async (req, res) => {
    const { jobId, rendition, segment } = req.params;
    const grant = playback?.verify(jobId, tokenParam(req));
    const file = jobs.renditionSegmentPath(parseJobId(jobId), rendition, segment);
    const cache = playback && grant ? signedCacheControl(playback.secondsLeft(grant)) : SEGMENT_CACHE;
    await sendHlsFile(res, file, cache, 'SEGMENT_NOT_FOUND');
  });

  return router;
}

/** `?token=`; a repeated one arrives as an array, which the signer refuses. */
function tokenParam(req: Request): unknown {
  const query: unknown = req.query;
  return typeof query === 'object' && query !== null ? Reflect.get(query, 'token') : undefined;
}

/** Streams a file with validators (ETag, Last-Modified) and range support. */
function sendHlsFile(res: Response, file: string, cacheControl: string, missingCode: string): Promise<void> {
  const type = hlsContentType(file);
  if (type) res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', cacheControl);
  // An immutable file may be kept in memory by the segment cache in front of Express.
  if (cacheControl === SEGMENT_CACHE) res.locals[IMMUTABLE_FILE_LOCAL] = file;
  return sendStoredFile(res, file, missingCode, 'No such HLS file for this job.');
}
