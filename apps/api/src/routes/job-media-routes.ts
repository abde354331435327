import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { RequireScope } from '../auth/require-scope';
import type { StoredFileSender } from '../media/stored-file-sender';
import { signedCacheControl } from '../playback/playback-cache';
import type { PlaybackSigner } from '../playback/playback-signer';
import { parseJobId } from '../services/job-id';
import type { JobService } from '../services/job-service';

// Explicit route types: with a middleware in front, Express's types would
// otherwise lose the `:id` parameter's type.
const WAVEFORM = '/v1/stream/job/:id/waveform.json';
const DOWNLOAD = '/v1/stream/job/:id/download';

/** Published files never change (output is renamed in whole, once). */
const IMMUTABLE = 'max-age=31536000, immutable';

export interface JobMediaDeps {
  readonly jobs: JobService;
  readonly files: StoredFileSender;
  readonly requireScope: RequireScope;
  readonly playback?: PlaybackSigner | undefined;
  /** Bearer auth is on: responses are then private to the caller. */
  readonly authEnabled: boolean;
}

/**
 * `GET /v1/stream/job/{id}/waveform.json` (audiowaveform v2 JSON) and
 * `/download` (the job's .m4a, as an attachment). Readable like the job
 * itself (`jobs:read`), or, when playback is signed, with the job's
 * playback `?token=` (the URLs in the job body carry one), so an <audio>
 * element or a download link works without headers. Once access is
 * checked, either may be answered with a redirect to the file's public
 * URL (see StoredFileSender).
 */
export function jobMediaRoutes(deps: JobMediaDeps): Router {
  const router = Router();
  const readScope = deps.requireScope('jobs:read');

  const access: RequestHandler<{ id: string }> = (req, res, next) => {
    const token = tokenParam(req);
    if (deps.playback && token !== undefined) {
      try {
        const grant = deps.playback.verify(req.params.id, token);
        res.locals['cacheControl'] = signedCacheControl(deps.playback.secondsLeft(grant));
      } catch (err) {
        next(err);
        return;
      }
      next();
      return;
    }
    res.locals['cacheControl'] = `${deps.authEnabled ? 'private' : 'public'}, ${IMMUTABLE}`;
    readScope(req, res, next);
  };

  router.get<typeof WAVEFORM>(WAVEFORM, access, async (req, res) => {
    const file = await deps.jobs.waveformPath(parseJobId(req.params.id));
    res.setHeader('Content-Type', 'application/json');
    await send(deps.files, req, res, file, 'WAVEFORM_NOT_FOUND');
  });

  router.get<typeof DOWNLOAD>(DOWNLOAD, access, async (req, res) => {
    const jobId = parseJobId(req.params.id);
    const { file, trackId } = await deps.jobs.downloadPath(jobId);
    res.setHeader('Content-Type', 'audio/mp4');
    res.setHeader('Content-Disposition', attachment(trackId ?? jobId));
    await send(deps.files, req, res, file, 'DOWNLOAD_NOT_FOUND');
  });

  return router;
}

/**
 * `attachment; filename="…"` with an ASCII fallback and the UTF-8 name
 * (RFC 6266 / 8187); the track id is the caller's text, so anything that
 * could break the header is replaced.
 */
function attachment(trackId: string): string {
  const base = trackId.replace(/\p{Cc}/gu, '').trim() || 'track';
  const ascii = base.replace(/[^\x20-\x7e]|["\\%;/]/g, '_');
  const encoded = encodeURIComponent(`${base}.m4a`).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}.m4a"; filename*=UTF-8''${encoded}`;
}

function tokenParam(req: Request<{ id: string }>): unknown {
  const query: unknown = req.query;
  return typeof query === 'object' && query !== null ? Reflect.get(query, 'token') : undefined;
}

/** Sends a file with validators and range support; a vanished file is a 404 with `missingCode`. */
function send(
  files: StoredFileSender,
  req: Request<{ id: string }>,
  res: Response,
  file: string,
  missingCode: string,
): Promise<void> {
  const cache: unknown = res.locals['cacheControl'];
  res.setHeader('Cache-Control', typeof cache === 'string' ? cache : 'no-store');
  return files.send(
    req,
    res,
    file,
    { code: missingCode, message: 'The file is no longer stored.' },
    { redirect: true },
  );
}
