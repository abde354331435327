import express, { type Express } from 'express';
import request from 'supertest';
import type { LogMeta, Logger } from '@stream-server/logger';
import { requestContext } from '../src/middleware/request-context';

interface Line {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly meta: LogMeta | undefined;
}

/** A logger that keeps what it is given, with the level it was given at. */
function recordingLogger(lines: Line[]): Logger {
  const logger: Logger = {
    debug: (message, meta) => void lines.push({ level: 'debug', message, meta }),
    info: (message, meta) => void lines.push({ level: 'info', message, meta }),
    warn: (message, meta) => void lines.push({ level: 'warn', message, meta }),
    error: (message, meta) => void lines.push({ level: 'error', message, meta }),
    child: () => logger,
  };
  return logger;
}

function appWith(lines: Line[]): Express {
  const app = express();
  app.use(requestContext(recordingLogger(lines)));
  app.get('/v1/stream/hls/:jobId/:segment', (req, res) => {
    if (req.params.segment === 'missing.ts')
      res.status(404).json({ error: 'No such file.', code: 'SEGMENT_NOT_FOUND' });
    else res.type('video/mp2t').send(Buffer.alloc(10));
  });
  app.get('/v1/stream/job/:id', (_req, res) => res.json({ ok: true }));
  return app;
}

/** The request line logged for `path`, once the response has closed. */
async function lineFor(path: string): Promise<Line | undefined> {
  const lines: Line[] = [];
  const response = await request(appWith(lines)).get(path);
  expect(response.headers['x-request-id']).toEqual(expect.any(String));
  await new Promise((resolve) => setImmediate(resolve));
  return lines.find((line) => line.message === 'request');
}

it('logs successful playback at debug, as players ask for a segment every few seconds', async () => {
  const line = await lineFor('/v1/stream/hls/job/segment_00001.ts');
  expect(line).toMatchObject({ level: 'debug', meta: { status: 200, path: '/v1/stream/hls/job/segment_00001.ts' } });
});

it('keeps playback errors and every other request at info', async () => {
  expect(await lineFor('/v1/stream/hls/job/missing.ts')).toMatchObject({ level: 'info', meta: { status: 404 } });
  expect(await lineFor('/v1/stream/job/abc')).toMatchObject({ level: 'info', meta: { status: 200 } });
});
