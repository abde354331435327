import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithLogContext, type Logger } from '@stream-server/logger';
import { routeLabel, type RequestSample } from '../metrics/http-metrics';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const PLAYBACK_PREFIX = '/v1/stream/hls/';

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane),
 * returns it in X-Request-Id, and logs one line per request when the
 * response ends: method, route pattern, path, status, duration, and the
 * credential's subject when there is one. Never the body, the query
 * string (playback tokens live there) or any header value. `observe`
 * (the Prometheus histogram) gets the same numbers. Successful playback
 * (playlists, segments) logs at debug: a player fetches a segment every
 * few seconds, so at info those lines would drown everything else.
 */
export function requestContext(logger: Logger, observe?: (sample: RequestSample) => void): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeLabel(req, res);
      const line = {
        request_id: requestId,
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        duration_ms: Math.round(ms * 10) / 10,
        aborted: !res.writableFinished,
        ...principalMeta(res.locals['principal']),
      };
      if (isRoutinePlayback(req.originalUrl, res.statusCode)) logger.debug('request', line);
      else logger.info('request', line);
      observe?.({ method: req.method, route, status: res.statusCode, seconds: ms / 1000 });
    });
    // Every line logged while handling it (a queued job, a 5xx) carries the id.
    runWithLogContext({ request_id: requestId }, () => next());
  };
}

/** Who made the request (a JWT's subject, or "api-key"), never the credential itself. */
function principalMeta(principal: unknown): Record<string, string> {
  if (typeof principal !== 'object' || principal === null) return {};
  const subject: unknown = Reflect.get(principal, 'subject');
  return typeof subject === 'string' ? { principal: subject } : {};
}

/** A playlist or segment GET that succeeded (errors stay at info). */
function isRoutinePlayback(url: string, status: number): boolean {
  return status < 400 && url.startsWith(PLAYBACK_PREFIX);
}
