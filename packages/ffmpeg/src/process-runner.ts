import { spawn } from 'node:child_process';

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
  /** Hard limit on the run; the process is killed and `timedOut` set. */
  readonly timeoutMs?: number;
  readonly killGraceMs?: number;
}

export interface RunResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last few KiB of stderr: enough for an error message, bounded. */
  readonly stderrTail: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const STDOUT_LIMIT_BYTES = 4 * 1024 * 1024;

/** The command and argv that run `binary args` so that it dies with us. Pure. */
export function withParentDeathSignal(wrapper: string | null, binary: string, args: readonly string[]): [string, string[]] {
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
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });

    let stdout = '';
    let stdoutBytes = 0;
    let lineBuffer = '';
    let stderrTail = '';
    let timedOut = false;
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

    const timeout = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, options.timeoutMs)
      : undefined;

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (options.collectStdout && stdoutBytes < STDOUT_LIMIT_BYTES) {
        stdout += chunk;
        stdoutBytes += chunk.length;
      }
      if (options.onStdoutLine) {
        lineBuffer += chunk;
        let newline = lineBuffer.indexOf('\n');
        while (newline >= 0) {
          options.onStdoutLine(lineBuffer.slice(0, newline));
          lineBuffer = lineBuffer.slice(newline + 1);
          newline = lineBuffer.indexOf('\n');
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });

    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('close', (exitCode, signal) => {
      cleanup();
      if (options.onStdoutLine && lineBuffer !== '') options.onStdoutLine(lineBuffer);
      resolve({ exitCode, signal, stdout, stderrTail, timedOut, aborted });
    });

    function cleanup() {
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  });
}
