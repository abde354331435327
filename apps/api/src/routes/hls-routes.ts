import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '@stream-server/errors';
import { hlsContentType } from '@stream-server/storage';
import { signedCacheControl, SIGNED_PLAYLIST_MAX_AGE } from '../playback/playback-cache';
import type { PlaybackSigner } from '../playback/playback-signer';
import { signPlaylist } from '../playback/playlist-signing';
import { parseJobId, type JobId } from '../services/job-id';
import type { JobService } from '../services/job-service';
import type { StoredFileSender } from '../media/stored-file-sender';
import { IMMUTABLE_FILE_LOCAL } from './hls-segment-cache';

/**
 * Segments never change once published (a job's output is renamed in
 * whole, once), so caches and CDNs may keep them for good; playlists get
 * a short lifetime in case an operator replaces an output.
 */
const SEGMENT_CACHE = 'public, max-age=31536000, immutable';
const MANIFEST_CACHE = 'public, max-age=60';
/**
 * A running job's live playlist grows with every segment, and its live
 * segments stop being served the moment the job is cancelled: neither may
 * be kept by a cache without asking again.
 */
const LIVE_CACHE = 'no-cache';

/**
 * `GET /v1/stream/hls/{job_id}/index.m3u8` and `/{segment}`, and for ABR
 * jobs `/{rendition}/index.m3u8` and `/{rendition}/{segment}`. With a
 * playback signer, both need the job's `?token=` (players cannot send
 * bearer headers on every request), the playlist is rewritten so each URI
 * carries the same token, and nothing is cached past the token's expiry.
 * Segments may be answered with a redirect to their public URL (see
 * StoredFileSender), after the token is checked; playlists never are, as
 * they are signed and their job's state decides whether they are served.
 */
export function hlsRoutes(jobs: JobService, files: StoredFileSender, playback?: PlaybackSigner): Router {
  const router = Router();

  /** Streams a file with validators (ETag, Last-Modified) and range support. */
  const sendHlsFile = (req: Request, res: Response, file: string, cacheControl: string, missingCode: string) => {
    const type = hlsContentType(file);
    if (type) res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', cacheControl);
    // An immutable file may be kept in memory by the segment cache in front of Express.
    if (cacheControl === SEGMENT_CACHE) res.locals[IMMUTABLE_FILE_LOCAL] = file;
    const missing = { code: missingCode, message: 'No such HLS file for this job.' };
    return files.send(req, res, file, missing, { redirect: !file.endsWith('.m3u8') });
  };

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
    locate: (jobId: JobId) => Promise<string | { file: string; ended: boolean }>,
  ) => {
    const where = (found: string | { file: string; ended: boolean }) =>
      typeof found === 'string'
        ? { file: found, cache: MANIFEST_CACHE }
        : { file: found.file, cache: found.ended ? MANIFEST_CACHE : LIVE_CACHE };
    if (!playback) {
      const { file, cache } = where(await locate(parseJobId(rawId)));
      await sendHlsFile(req, res, file, cache, 'MANIFEST_NOT_FOUND');
      return;
    }
    const grant = playback.verify(rawId, tokenParam(req));
    const { file, cache } = where(await locate(parseJobId(rawId)));
    const playlist = await files.readText(file);
    if (playlist === null) throw new NotFoundError('MANIFEST_NOT_FOUND', 'No such HLS file for this job.');
    res.setHeader('Content-Type', hlsContentType(file) ?? 'application/vnd.apple.mpegurl');
    res.setHeader(
      'Cache-Control',
      cache === LIVE_CACHE ? LIVE_CACHE : signedCacheControl(playback.secondsLeft(grant), SIGNED_PLAYLIST_MAX_AGE),
    );
    // A Buffer, so Express keeps the HLS content type as set (no charset).
    res.send(Buffer.from(signPlaylist(playlist, grant.token), 'utf8'));
  };

  router.get('/v1/stream/hls/:jobId/index.m3u8', async (req, res) => {
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.manifestPath(jobId));
  });

  // The live playlists: declared before the segment routes, whose names they are not.
  router.get('/v1/stream/hls/:jobId/live.m3u8', async (req, res) => {
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.livePlaylistPath(jobId, null));
  });

  router.get('/v1/stream/hls/:jobId/:rendition/live.m3u8', async (req, res) => {
    const { rendition } = req.params;
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.livePlaylistPath(jobId, rendition));
  });

  /**
   * A segment: the published one, or while the job runs, its live copy
   * (the same bytes under the same URL, not cached past the request).
   */
  const sendSegment = async (req: Request, res: Response, rawId: string, rendition: string | null, segment: string) => {
    const grant = playback?.verify(rawId, tokenParam(req));
    const jobId = parseJobId(rawId);
    const file =
      rendition === null ? jobs.segmentPath(jobId, segment) : jobs.renditionSegmentPath(jobId, rendition, segment);
    const cache = playback && grant ? signedCacheControl(playback.secondsLeft(grant)) : SEGMENT_CACHE;
    try {
      await sendHlsFile(req, res, file, cache, 'SEGMENT_NOT_FOUND');
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const live = await jobs.liveSegmentPath(jobId, rendition, segment);
      await sendHlsFile(req, res, live, LIVE_CACHE, 'SEGMENT_NOT_FOUND');
    }
  };

  router.get('/v1/stream/hls/:jobId/:segment', async (req, res) => {
    await sendSegment(req, res, req.params.jobId, null, req.params.segment);
  });

  // ABR ladders: each rung in its folder, named after its profile (checked
  // against that list, so no other path can be named).
  router.get('/v1/stream/hls/:jobId/:rendition/index.m3u8', async (req, res) => {
    const { rendition } = req.params;
    await sendPlaylist(req, res, req.params.jobId, (jobId) => jobs.renditionManifestPath(jobId, rendition));
  });

  router.get('/v1/stream/hls/:jobId/:rendition/:segment', async (req, res) => {
    await sendSegment(req, res, req.params.jobId, req.params.rendition, req.params.segment);
  });

  return router;
}

/** `?token=`; a repeated one arrives as an array, which the signer refuses. */
function tokenParam(req: Request): unknown {
  const query: unknown = req.query;
  return typeof query === 'object' && query !== null ? Reflect.get(query, 'token') : undefined;
}
