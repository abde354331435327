import type { Request, Response } from 'express';

/** One finished HTTP request, as the request-context middleware saw it. */
export interface RequestSample {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

/** Label for requests no route matched (404s, scanners): one value, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Where a mounted sub-app (bull-board) names its requests: Express does
 * not leave its `req.route` behind, so its mount sets this label.
 */
export const ROUTE_LABEL_LOCAL = 'routeLabel';

/**
 * The Express route pattern that handled a request (`/v1/stream/job/:id`),
 * never the raw URL: raw paths carry job ids and tokens, which would make
 * one time series per job. Read once the response has ended, when
 * `req.route` names the matched route (with its router's mount path).
 */
export function routeLabel(req: Request, res: Response): string {
  const label: unknown = res.locals[ROUTE_LABEL_LOCAL];
  if (typeof label === 'string') return label;
  const route: unknown = req.route;
  if (typeof route !== 'object' || route === null || !('path' in route)) return UNMATCHED_ROUTE;
  const path: unknown = route.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl}${path}` || '/';
}
