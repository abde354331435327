import { stat } from 'node:fs/promises';
import { HELP, parseCli, UsageError, type CliEnv, type CliInvocation } from './cli-args';
import { formatJob, formatStats } from './cli-format';
import { StreamApiError, StreamNetworkError, StreamTimeoutError } from './errors';
import { ProgressReporter, type ProgressOutput } from './progress-bar';
import { StreamClient, type StreamClientOptions } from './stream-client';
import type { SubmitOptions, SubmitResponse } from './types';

const EXIT = { ok: 0, jobFailed: 1, usage: 2, server: 3 } as const;

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressOutput;
}

export interface CliDeps {
  /** Swapped by tests; the CLI itself uses the real client. */
  readonly makeClient?: (options: StreamClientOptions) => StreamClient;
  readonly version?: string;
}

/** Runs one command line; resolves with the process exit code. Never throws. */
export async function runCli(argv: readonly string[], env: CliEnv, io: CliIo, deps: CliDeps = {}): Promise<number> {
  let invocation: CliInvocation;
  try {
    invocation = parseCli(argv, env);
  } catch (err) {
    io.stderr.write(
      `usage error: ${err instanceof Error ? err.message : String(err)}\nRun "stream-server --help" for usage.\n`,
    );
    return EXIT.usage;
  }
  const client = (deps.makeClient ?? ((options) => new StreamClient(options)))({
    baseUrl: invocation.url,
    apiKey: invocation.apiKey,
  });
  try {
    return await run(invocation, client, io, deps);
  } catch (err) {
    io.stderr.write(`${describe(err, invocation.url)}\n`);
    if (err instanceof UsageError) return EXIT.usage;
    return EXIT.server;
  }
}

async function run(invocation: CliInvocation, client: StreamClient, io: CliIo, deps: CliDeps): Promise<number> {
  const { command } = invocation;
  const print = (value: unknown): void => {
    io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  };
  switch (command.kind) {
    case 'help':
      io.stdout.write(HELP);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${deps.version ?? 'unknown'}\n`);
      return EXIT.ok;
    case 'status': {
      const job = await client.get(command.id);
      if (command.json) print(job);
      else io.stdout.write(formatJob(job, (path) => client.url(path)));
      return EXIT.ok;
    }
    case 'cancel': {
      const job = await client.cancel(command.id);
      if (command.json) print(job);
      else io.stdout.write(`${job.id} ${job.status}\n`);
      return EXIT.ok;
    }
    case 'stats': {
      const stats = await client.stats();
      if (command.json) print(stats);
      else io.stdout.write(formatStats(stats));
      return EXIT.ok;
    }
    case 'transcode': {
      const info = await stat(command.file).catch(() => null);
      if (!info?.isFile()) throw new UsageError(`No such file: ${command.file}`);
      const { job_id: id } = command.resumable
        ? await uploadResumable(client, command.file, command.submit, command.resumable, io)
        : await client.submit(command.file, command.submit);
      io.stderr.write(`Submitted job ${id}\n`);
      if (!command.wait) {
        if (command.json) print({ job_id: id });
        else io.stdout.write(`${id}\n`);
        return EXIT.ok;
      }
      const bar = new ProgressReporter(io.stderr, id.slice(0, 8));
      const job = await client
        .waitFor(id, {
          timeoutMs: command.timeoutMs,
          onProgress: (progress, body) =>
            bar.update(progress, body?.status.startsWith('Failed(') ? 'Failed' : body?.status),
        })
        .finally(() => bar.finish());
      if (command.json) print(job);
      if (job.status !== 'Completed') {
        io.stderr.write(`Job ${id} ended ${job.status}${job.error ? `: ${job.error}` : ''}\n`);
        return EXIT.jobFailed;
      }
      if (!command.json) io.stdout.write(`${client.manifestUrl(job)}\n`);
      return EXIT.ok;
    }
  }
}

/**
 * A tus upload with its own bar on stderr. The bar counts the bytes the
 * server holds, so after a resume it picks up at the server's offset; the
 * upload's URL is printed first so a killed run can be continued with
 * `--resume`.
 */
async function uploadResumable(
  client: StreamClient,
  file: string,
  submit: SubmitOptions,
  options: { chunkBytes: number | undefined; resumeUrl: string | undefined },
  io: CliIo,
): Promise<SubmitResponse> {
  const bar = new ProgressReporter(io.stderr, 'upload');
  return client
    .uploadResumable(file, submit, {
      chunkBytes: options.chunkBytes,
      resumeUrl: options.resumeUrl,
      onUploadUrl: (url) => io.stderr.write(`Upload ${url} (continue with --resume ${url})\n`),
      onProgress: (sent, total) => bar.update(total > 0 ? (sent / total) * 100 : 100),
    })
    .finally(() => bar.finish());
}

/** One line a person can act on. Server errors read `error CODE: message`. */
function describe(err: unknown, url: string): string {
  if (err instanceof StreamApiError) return `error ${err.code}: ${err.message}`;
  if (err instanceof StreamNetworkError)
    return `error: ${err.message} (is the server running? set --url or STREAM_SERVER_URL; now ${url})`;
  if (err instanceof StreamTimeoutError) return `error: ${err.message}`;
  if (err instanceof UsageError) return `usage error: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
