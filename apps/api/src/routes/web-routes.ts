import path from 'node:path';
import express, { Router, type Response } from 'express';
import { webModuleSource } from '@stream-server/contract';
import { NotFoundError } from '@stream-server/errors';

/**
 * The web page's files live in apps/web and are read from there at run
 * time (no build step). This file sits in apps/api/src/routes under ts-jest
 * and in apps/api/dist/routes once compiled: three levels up is apps/ in both.
 */
export const WEB_ROOT = path.resolve(__dirname, '../../../web');

/** Pages may change with a deploy: always revalidated (cheap with the ETag). */
const PAGE_CACHE = 'no-cache';
/** Our scripts and styles: a short lifetime, then a 304 through the ETag. */
const ASSET_MAX_AGE_MS = 5 * 60 * 1000;
/** hls.js and tus-js-client change only with their package versions, which a deploy changes with the page. */
const VENDOR_CACHE = 'public, max-age=86400';

/**
 * `GET /` (upload and listen), `GET /ops` (the queue view) and
 * `GET /assets/*`, plus `/assets/vendor/hls.min.js` and
 * `/assets/vendor/tus.min.js` (the page's resumable uploads) from the
 * installed packages, so the page needs no CDN, and `/assets/contract.js`, the
 * API bodies' field names and enums written from the contract package,
 * so the page's scripts hold no copies. All open: the pages hold no
 * data; the API calls they make carry the user's key.
 */
export function webRoutes(webRoot: string = WEB_ROOT): Router {
  const router = Router();
  const hlsFile = require.resolve('hls.js/dist/hls.min.js');
  // The browser bundle (UMD, window.tus); the package's main entry is Node's.
  const tusFile = require.resolve('tus-js-client/dist/tus.min.js');
  const contractModule = webModuleSource();

  router.get('/', (_req, res) => sendPage(res, path.join(webRoot, 'index.html')));
  router.get('/ops', (_req, res) => sendPage(res, path.join(webRoot, 'ops.html')));
  router.get('/assets/vendor/hls.min.js', (_req, res) =>
    sendFile(res, hlsFile, VENDOR_CACHE, 'application/javascript; charset=utf-8'),
  );
  router.get('/assets/vendor/tus.min.js', (_req, res) =>
    sendFile(res, tusFile, VENDOR_CACHE, 'application/javascript; charset=utf-8'),
  );
  router.get('/assets/contract.js', (_req, res) => {
    // res.send adds the ETag and answers a matching If-None-Match with 304.
    res.setHeader('Cache-Control', `public, max-age=${ASSET_MAX_AGE_MS / 1000}`);
    res.type('application/javascript; charset=utf-8').send(contractModule);
  });
  router.use(
    '/assets',
    express.static(path.join(webRoot, 'assets'), {
      index: false,
      dotfiles: 'ignore',
      etag: true,
      lastModified: true,
      maxAge: ASSET_MAX_AGE_MS,
      redirect: false,
      // Anything missing falls through to the API's JSON 404.
      fallthrough: true,
    }),
  );
  return router;
}

function sendPage(res: Response, file: string): Promise<void> {
  return sendFile(res, file, PAGE_CACHE, 'text/html; charset=utf-8');
}

function sendFile(res: Response, file: string, cacheControl: string, type: string): Promise<void> {
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Content-Type', type);
  return new Promise((resolve, reject) => {
    res.sendFile(file, { cacheControl: false, etag: true, lastModified: true, dotfiles: 'deny' }, (err?: Error) => {
      if (!err) return resolve();
      if (res.headersSent) return resolve(); // client went away mid-send
      res.removeHeader('Cache-Control');
      res.removeHeader('Content-Type');
      reject(new NotFoundError('NOT_FOUND', 'No such page.'));
    });
  });
}
