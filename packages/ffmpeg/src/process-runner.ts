import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';

export interface RunOptions {
  readonly cwd?: string;
  /**
   * Path of util-linux `setpriv`: when given, the process is started through
   * `setpriv --pdeathsig KILL`, so the kernel kills it if we die (SIGKILL,
   * OOM) instead of leaving an orphan ffmpeg running. See binaries.ts.
   */
  readonly parentDeathWrapper?: string | null;
  /** Called with each complete stdout line (used for `-progress pipe:1`). */
  readonly onStdoutLine?: (line: string) => void;
  /** Keep the whole stdout (ffprobe JSON); off for ffmpeg to bound memory. */
  readonly collectStdout?: boolean;
  /** Aborting stops the process: SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly signal?: AbortSignal;
  /** Limit on the run; the process is killed and `timedOut` set (but see `extendedTimeoutMs`). */
  readonly timeoutMs?: number;
  /**
   * With a watchdog: when `timeoutMs` runs out while progress still
   * advances (the input was longer than its header said), the run goes on,
   * `timeoutMs` at a time, up to this hard limit.
   */
  readonly extendedTimeoutMs?: number;
  readonly killGraceMs?: number;
  /**
   * Kills a process that stops making progress: when neither a stdout line
   * `advanced` accepts nor side output has come for `stallMs`, it is
   * stopped and the result says `stalled`. A hung ffmpeg (a stuck read, a
   * frozen process) then frees its slot in seconds, not at the timeout.
   */
  readonly watchdog?: { readonly stallMs: number; readonly advanced: (line: string) => boolean };
  /** Bytes of stderr kept (default 8 KiB): runs that parse a summary from it keep more. */
  readonly stderrTailBytes?: number;
  /**
   * Called with each chunk ffmpeg writes to fd 3 (`pipe:3`): a side output
   * (waveform PCM) streamed to us, never collected. Reading is paced by the
   * callback, so the pipe's back-pressure bounds memory.
   */
  readonly onExtraOutput?: (chunk: Buffer) => void;
  /** Called once the process exists, with its pid (the binary's own: the wrapper execs it). */
  readonly onSpawn?: (pid: number) => void;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last few KiB of stderr: enough for an error message, bounded. */
  readonly stderrTail: string;
  readonly timedOut: boolean;
  /** Killed by the watchdog: no progress for its `stallMs`. */
  readonly stalled: boolean;
  readonly aborted: boolean;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const STDOUT_LIMIT_BYTES = 4 * 1024 * 1024;

/** The command and argv that run `binary args` so that it dies with us. Pure. */
export function withParentDeathSignal(
  wrapper: string | null,
  binary: string,
  args: readonly string[],
): [string, string[]] {
  if (wrapper === null) return [binary, [...args]];
  return [wrapper, ['--pdeathsig', 'KILL', '--', binary, ...args]];
}

/**
 * Spawns a binary with an argv array (never a shell) and waits for it.
 * Resolves for every exit, including failures and kills; rejects only when
 * the binary cannot be started at all.
 */
export function runProcess(binary: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = withParentDeathSignal(options.parentDeathWrapper ?? null, binary, args);
    const child = spawn(command, argv, {
      cwd: options.cwd,
      stdio: options.onExtraOutput ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    // Both are pipes by the stdio above; the check only narrows the types.
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const childOut = child.stdout;
    const childErr = child.stderr;
    if (!childOut || !childErr) throw new Error('spawn gave no stdout/stderr pipe');

    let stdout = '';
    let stdoutBytes = 0;
    let lineBuffer = '';
    let stderrTail = '';
    let timedOut = false;
    let stalled = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 500);
      killTimer.unref();
    };

    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const watchdog = options.watchdog;
    const startedAt = Date.now();
    // Only real progress counts for stretching the timeout, not the start.
    let progressedAt = Number.NEGATIVE_INFINITY;
    let timeout: NodeJS.Timeout | undefined;
    const armTimeout = (ms: number) => {
      timeout = setTimeout(() => {
        const elapsed = Date.now() - startedAt;
        const hard = options.extendedTimeoutMs ?? 0;
        const advancing = watchdog !== undefined && Date.now() - progressedAt < watchdog.stallMs;
        if (advancing && elapsed < hard) {
          armTimeout(Math.min(options.timeoutMs ?? hard, hard - elapsed));
          return;
        }
        timedOut = true;
        stop();
      }, ms);
    };
    if (options.timeoutMs) armTimeout(options.timeoutMs);

    let stallTimer: NodeJS.Timeout | undefined;
    const armStall = () => {
      if (!watchdog) return;
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        stop();
      }, watchdog.stallMs);
      stallTimer.unref();
    };
    const progressed = () => {
      progressedAt = Date.now();
      armStall();
    };
    armStall();

    childOut.setEncoding('utf8');
    childOut.on('data', (chunk: string) => {
      if (options.collectStdout && stdoutBytes < STDOUT_LIMIT_BYTES) {
        stdout += chunk;
        stdoutBytes += chunk.length;
      }
      if (options.onStdoutLine || watchdog) {
        lineBuffer += chunk;
        let newline = lineBuffer.indexOf('\n');
        while (newline >= 0) {
          const line = lineBuffer.slice(0, newline);
          if (watchdog?.advanced(line)) progressed();
          options.onStdoutLine?.(line);
          lineBuffer = lineBuffer.slice(newline + 1);
          newline = lineBuffer.indexOf('\n');
        }
      }
    });
    const tailBytes = options.stderrTailBytes ?? STDERR_TAIL_BYTES;
    childErr.setEncoding('utf8');
    childErr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-tailBytes);
    });
    const extra = child.stdio[3];
    if (options.onExtraOutput && extra instanceof Readable) {
      const onExtra = options.onExtraOutput;
      extra.on('data', (chunk: Buffer) => {
        progressed();
        onExtra(chunk);
      });
      // A read error on the side pipe only ends it; ffmpeg's exit tells the outcome.
      extra.on('error', () => undefined);
    }

    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('close', (exitCode, signal) => {
      cleanup();
      if (options.onStdoutLine && lineBuffer !== '') options.onStdoutLine(lineBuffer);
      resolve({ exitCode, signal, stdout, stderrTail, timedOut, stalled, aborted });
    });

    function cleanup() {
      if (timeout) clearTimeout(timeout);
      clearTimeout(stallTimer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  });
}
