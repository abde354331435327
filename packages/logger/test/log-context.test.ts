/** The async log context: ids set around a request or a job reach every line written inside it. */
import { Writable } from 'node:stream';
import { createWinstonLogger, currentLogContext, runWithLogContext } from '@stream-server/logger';

/** A winston logger writing into memory, and its lines parsed. */
function capture(): { logger: ReturnType<typeof createWinstonLogger>; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    logger: createWinstonLogger({ level: 'debug', service: 'test', stream }),
    lines: () =>
      written
        .flatMap((text) => text.split('\n'))
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

it('nests contexts and keeps them across awaits', async () => {
  expect(currentLogContext()).toEqual({});
  await runWithLogContext({ request_id: 'r1' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(currentLogContext()).toEqual({ request_id: 'r1' });
    runWithLogContext({ job_id: 'j1' }, () => expect(currentLogContext()).toEqual({ request_id: 'r1', job_id: 'j1' }));
  });
  expect(currentLogContext()).toEqual({});
});

it("adds the context to winston JSON lines; a line's own fields win", async () => {
  const output = capture();
  const logger = output.logger.child({ worker_id: 'w' });
  logger.info('outside');
  await runWithLogContext({ job_id: 'j7' }, async () => {
    await Promise.resolve();
    logger.debug('ffmpeg start', { cmd: 'ffmpeg -i x' });
    logger.warn('explicit', { job_id: 'other' });
  });
  await new Promise((resolve) => setImmediate(resolve));
  const lines = output.lines();
  expect(lines.map((line) => [line['message'], line['job_id'], line['worker_id'], line['service']])).toEqual([
    ['outside', undefined, 'w', 'test'],
    ['ffmpeg start', 'j7', 'w', 'test'],
    ['explicit', 'other', 'w', 'test'],
  ]);
});
