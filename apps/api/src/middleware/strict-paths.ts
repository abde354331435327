import type { RequestHandler } from 'express';
import { notFoundHandler } from './error-handler';

/**
 * API paths name resources and files: `segment_00001.ts/` is not
 * `segment_00001.ts`, yet Express routers match both (non-strict routing),
 * and a cache or CDN in front would then keep two copies of every file.
 * The `strict` option is per router; this refuses a trailing slash once,
 * in front of them all. Mounted on /v1 only: the web pages, /health and
 * the dashboard keep Express's lenient matching.
 */
export const refuseTrailingSlash: RequestHandler = (req, res, next) => {
  if (req.path.length > 1 && req.path.endsWith('/')) {
    notFoundHandler(req, res, next);
    return;
  }
  next();
};
