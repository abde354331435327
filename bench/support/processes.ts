import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';

// The repo root, the built entry points and a free loopback port are the
// test harness's (plain Node, no jest): one definition for both.
import { ENTRY, freePort, ROOT } from '../../tests/support/processes';

export { ENTRY, freePort };

export interface Child {
  readonly proc: ChildProcess;
  readonly name: string;
  /** Last 8 KiB of stdout + stderr, for error messages. */
  output(): string;
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Everything the bench starts (processes, temp dirs, cleanup callbacks) is
 * registered here, so a normal end, an error and Ctrl-C all leave nothing
 * running and nothing on disk.
 */
const children = new Set<Child>();
const cleanups: Array<() => Promise<void>> = [];

export function onCleanup(step: () => Promise<void>): void {
  cleanups.push(step);
}

export function removeOnCleanup(dir: string): void {
  onCleanup(() => rm(dir, { recursive: true, force: true }));
}

export function startChild(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, [...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8192);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('error', () => resolve(null));
    proc.once('close', (code) => resolve(code));
  });
  const child: Child = {
    proc,
    name,
    output: () => tail,
    exited,
    async stop(graceMs = 5_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** A built entry point run with node, with only PATH and `env` (no inherited config). */
export function startNode(
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Child {
  return startChild(name, process.execPath, [...nodeArgs, entry], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
  });
}

export async function cleanUpEverything(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop(2_000)));
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
}

let exiting = false;
/** Ctrl-C / SIGTERM: stop every child and delete temp files before leaving. */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      process.stderr.write(`\nbench: ${signal}, cleaning up…\n`);
      void cleanUpEverything().finally(() => process.exit(130));
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits until `url` answers 200 (or the child dies). */
export async function waitForHttp(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  let dead = false;
  void child.exited.then(() => (dead = true));
  await waitFor(
    async () => {
      if (dead) throw new Error(`${child.name} exited: ${child.output()}`);
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.ok ? true : undefined;
    },
    timeoutMs,
    `${child.name} at ${url}`,
  ).catch((err: unknown) => {
    if (dead) throw new Error(`${child.name} exited during start:\n${child.output()}`);
    throw err;
  });
}

/** Peak resident set (VmHWM) of a process, in bytes; null when unreadable. */
export async function peakRss(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] ? Number(match[1]) * 1024 : null;
}

/** Runs a command to its end; rejects on a non-zero exit. */
export async function run(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<string> {
  const child = startChild(path.basename(command), command, args, options);
  let stdout = '';
  child.proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await child.exited;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${String(code)}:\n${child.output()}`);
  return stdout;
}
