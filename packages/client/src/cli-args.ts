import { parseArgs } from 'node:util';
import { CODECS, PRIORITIES, QUALITY_PROFILES as PROFILES } from '@stream-server/contract';
import type { QualityProfile, SubmitOptions } from './types';

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'transcode';
      file: string;
      submit: SubmitOptions;
      wait: boolean;
      timeoutMs: number | undefined;
      json: boolean;
      /** Over tus (`upload --resumable`): undefined for a multipart submit. */
      resumable: { chunkBytes: number | undefined; resumeUrl: string | undefined } | undefined;
    }
  | { kind: 'status'; id: string; json: boolean }
  | { kind: 'cancel'; id: string; json: boolean }
  | { kind: 'stats'; json: boolean };

export interface CliInvocation {
  command: CliCommand;
  url: string;
  apiKey: string | undefined;
}

/** The only environment the CLI reads; passed in so parsing stays pure. */
export interface CliEnv {
  STREAM_SERVER_URL?: string | undefined;
  STREAM_SERVER_API_KEY?: string | undefined;
}

export const DEFAULT_URL = 'http://localhost:8082';

const OPTIONS = {
  profile: { type: 'string', short: 'p' },
  codec: { type: 'string', short: 'c' },
  bitrate: { type: 'string', short: 'b' },
  priority: { type: 'string' },
  renditions: { type: 'string' },
  'track-id': { type: 'string' },
  'callback-url': { type: 'string' },
  abr: { type: 'boolean' },
  normalize: { type: 'boolean' },
  download: { type: 'boolean' },
  wait: { type: 'boolean', short: 'w' },
  timeout: { type: 'string' },
  resumable: { type: 'boolean' },
  resume: { type: 'string' },
  'chunk-size': { type: 'string' },
  url: { type: 'string', short: 'u' },
  'api-key': { type: 'string', short: 'k' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Options that only make sense for `transcode` (and `upload`, its other name). */
const TRANSCODE_ONLY = [
  'profile',
  'codec',
  'bitrate',
  'priority',
  'renditions',
  'track-id',
  'callback-url',
  'abr',
  'normalize',
  'download',
  'wait',
  'timeout',
  'resumable',
  'resume',
  'chunk-size',
] as const;

/** Parses `argv` (without node and the script). Throws UsageError for anything it cannot run. */
export function parseCli(argv: readonly string[], env: CliEnv = {}): CliInvocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err));
  }
  const { values, positionals } = parsed;
  const url = parseUrl(values.url ?? nonEmpty(env.STREAM_SERVER_URL) ?? DEFAULT_URL);
  const apiKey = values['api-key'] ?? nonEmpty(env.STREAM_SERVER_API_KEY);
  const done = (command: CliCommand): CliInvocation => ({ command, url, apiKey });

  if (values.help) return done({ kind: 'help' });
  if (values.version) return done({ kind: 'version' });
  const [name, ...args] = positionals;
  if (name === undefined) return done({ kind: 'help' });
  if (name === 'help') return done({ kind: 'help' });

  if (name !== 'transcode' && name !== 'upload') {
    const misplaced = TRANSCODE_ONLY.filter((option) => values[option] !== undefined);
    if (misplaced.length > 0) throw new UsageError(`--${misplaced[0]} only applies to "transcode" and "upload".`);
  }
  const json = values.json ?? false;
  switch (name) {
    case 'upload':
    case 'transcode': {
      const file = single(args, name, '<file>');
      const resumable = values.resumable === true || values.resume !== undefined;
      if (!resumable && values['chunk-size'] !== undefined) throw new UsageError('--chunk-size needs --resumable.');
      const submit: SubmitOptions = {
        codec: oneOf('codec', values.codec, CODECS),
        profile: oneOf('profile', values.profile, PROFILES),
        priority: oneOf('priority', values.priority, PRIORITIES),
        bitrate: positiveInt('bitrate', values.bitrate),
        renditions: renditionList(values.renditions),
        trackId: values['track-id'],
        callbackUrl: values['callback-url'],
        abr: values.abr,
        normalize: values.normalize,
        download: values.download,
      };
      const seconds = positiveInt('timeout', values.timeout);
      return done({
        kind: 'transcode',
        file,
        submit,
        wait: values.wait ?? false,
        timeoutMs: seconds === undefined ? undefined : seconds * 1000,
        json,
        resumable: resumable
          ? {
              chunkBytes: positiveInt('chunk-size', values['chunk-size']),
              resumeUrl: values.resume === undefined ? undefined : parseUrl(values.resume, 'resume'),
            }
          : undefined,
      });
    }
    case 'status':
      return done({ kind: 'status', id: single(args, 'status', '<job-id>'), json });
    case 'cancel':
      return done({ kind: 'cancel', id: single(args, 'cancel', '<job-id>'), json });
    case 'stats':
      if (args.length > 0) throw new UsageError('"stats" takes no arguments.');
      return done({ kind: 'stats', json });
    default:
      throw new UsageError(`Unknown command "${name}". Commands: transcode (or upload), status, cancel, stats.`);
  }
}

function single(args: readonly string[], command: string, what: string): string {
  if (args.length !== 1 || !args[0]) throw new UsageError(`"${command}" takes exactly one ${what}.`);
  return args[0];
}

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}").`);
  return found;
}

function positiveInt(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${option} must be a positive whole number (got "${value}").`);
  }
  return Number(value);
}

function renditionList(value: string | undefined): QualityProfile[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((name) => {
    const profile = oneOf('renditions', name.trim(), PROFILES);
    if (profile === undefined) throw new UsageError('--renditions needs at least one profile.');
    return profile;
  });
}

function parseUrl(value: string, option = 'url'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${option} must be an http(s) URL (got "${value}").`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${option} must be an http(s) URL (got "${value}").`);
  return value.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export const HELP = `stream-server: submit audio to a stream-server and follow its jobs.

Usage:
  stream-server transcode <file> [options]   upload a track; prints the job id, or with --wait the playlist URL
  stream-server upload <file> [options]      the same ("upload --resumable <file>" resumes after a dropped connection)
  stream-server status <job-id> [--json]     show a job
  stream-server cancel <job-id> [--json]     cancel a pending or running job
  stream-server stats [--json]               queue counts, workers and throughput

Transcode options:
  -p, --profile <low|medium|high|hi_res>     quality profile (server default: high)
  -c, --codec <aac|mp3|opus|flac>            output codec (default: AAC, FLAC for hi_res)
  -b, --bitrate <bits/s>                     explicit bitrate, wins over the profile
      --priority <urgent|normal|background>  queue priority (default: normal)
      --renditions <low,medium,high>         several renditions behind one master playlist
      --abr                                  the server's default ABR ladder
      --normalize                            normalise loudness (EBU R128)
      --download                             also make a downloadable file
      --track-id <id>                        echoed in the job (default: the file name)
      --callback-url <url>                   webhook called when the job ends
  -w, --wait                                 wait for the end, with a progress bar on stderr
      --timeout <seconds>                    give up waiting after this long
      --resumable                            upload over tus: retried from the server's offset when the
                                             connection drops, with an upload progress bar on stderr
      --resume <upload-url>                  continue an earlier resumable upload (the URL it printed)
      --chunk-size <bytes>                   bytes per PATCH (default: the whole file in one)

Common options:
  -u, --url <url>        server (default: $STREAM_SERVER_URL or ${DEFAULT_URL})
  -k, --api-key <key>    bearer API key or JWT (default: $STREAM_SERVER_API_KEY)
      --json             print JSON instead of text
  -h, --help             this help

Exit codes: 0 ok, 1 the job failed or was cancelled, 2 usage error, 3 server or network error.
`;
