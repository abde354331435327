import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './processes';

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Socket errors plus non-2xx/3xx answers: a run with errors does not count. */
  readonly errors: number;
  /** The errors, as wrk reports them: e.g. "connect 0, read 0, write 0, timeout 2; non-2xx/3xx 0". */
  readonly errorKinds: string;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
}

export interface WrkOptions {
  readonly url: string;
  readonly seconds: number;
  readonly connections?: number;
  readonly threads?: number;
  /** Paths to rotate over (each wrk thread walks the list in turn); else `url` alone. */
  readonly paths?: readonly string[];
  /** Where to write the Lua script when `paths` is given. */
  readonly scriptDir?: string;
}

/** One wrk run (keep-alive, 64 connections, 2 threads unless told). */
export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    '-c',
    String(options.connections ?? 64),
    '-t',
    String(options.threads ?? 2),
    '-d',
    `${options.seconds}s`,
    '--latency',
  ];
  if (options.paths && options.paths.length > 0) {
    const script = path.join(options.scriptDir ?? '/tmp', `rotate-${process.pid}-${Date.now()}.lua`);
    const list = options.paths.map((p) => `  ${JSON.stringify(p)},`).join('\n');
    await writeFile(
      script,
      `local paths = {\n${list}\n}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n`,
    );
    args.push('-s', script);
  }
  args.push(options.url);
  return parseWrk(await run('wrk', args));
}

function parseWrk(text: string): WrkResult {
  const number = (re: RegExp): number | null => {
    const match = re.exec(text);
    return match?.[1] ? Number(match[1]) : null;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socket = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const bad = number(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/) ?? 0,
    requests: number(/(\d+) requests in/) ?? 0,
    errors: socket + bad,
    errorKinds: `${socketErrors?.[0].replace('Socket errors: ', '') ?? 'no socket errors'}; non-2xx/3xx ${bad}`,
    latencyP50Ms: latencyMs(text, '50%'),
    latencyP99Ms: latencyMs(text, '99%'),
  };
}

function latencyMs(text: string, label: string): number | null {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}
