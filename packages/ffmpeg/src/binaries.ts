import { runProcess } from './process-runner';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** Where they came from, for the start-up log line. */
  readonly source: 'env' | 'system' | 'bundled';
  /** First line of `ffmpeg -version`. */
  readonly version: string;
  /** util-linux `setpriv` when it works here (Linux), else null. */
  readonly parentDeathWrapper: string | null;
}

export interface BinaryOverrides {
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
}

/** The oldest system ffmpeg we prefer to the bundled 2018 build. */
export const MIN_SYSTEM_MAJOR = 5;

/**
 * Major version from `ffmpeg -version`'s first line. Release builds say
 * "ffmpeg version 5.1.6-0+deb12u1"; git/static builds say
 * "ffmpeg version N-92722-g..." and have no major (null).
 */
export function parseFfmpegMajor(versionLine: string): number | null {
  const match = /version\s+n?(\d+)\.(\d+)/i.exec(versionLine);
  return match?.[1] ? Number(match[1]) : null;
}

/**
 * Resolves ffmpeg/ffprobe: FFMPEG_PATH/FFPROBE_PATH, else a system ffmpeg
 * ≥ 5 on PATH, else the binaries bundled by @ffmpeg-installer (old, but
 * always there). Runs `-version` to check each candidate really starts.
 */
export async function resolveBinaries(overrides: BinaryOverrides = {}): Promise<FfmpegBinaries> {
  if (overrides.ffmpegPath || overrides.ffprobePath) {
    const ffmpeg = overrides.ffmpegPath ?? (await systemOrBundled()).ffmpeg;
    const ffprobe = overrides.ffprobePath ?? (await systemOrBundled()).ffprobe;
    const version = await versionLine(ffmpeg);
    if (version === null) throw new Error(`FFMPEG_PATH does not run: ${ffmpeg}`);
    if ((await versionLine(ffprobe)) === null) throw new Error(`FFPROBE_PATH does not run: ${ffprobe}`);
    return { ffmpeg, ffprobe, source: 'env', version, parentDeathWrapper: await findParentDeathWrapper() };
  }
  return { ...(await systemOrBundled()), parentDeathWrapper: await findParentDeathWrapper() };
}

/**
 * `setpriv --pdeathsig` (util-linux, on every Debian) makes the kernel kill
 * ffmpeg when the worker that started it dies; checked by running it once.
 */
async function findParentDeathWrapper(): Promise<string | null> {
  try {
    const result = await runProcess('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { timeoutMs: 5_000 });
    return result.exitCode === 0 ? 'setpriv' : null;
  } catch {
    return null;
  }
}

async function systemOrBundled(): Promise<Omit<FfmpegBinaries, 'parentDeathWrapper'>> {
  const systemVersion = await versionLine('ffmpeg');
  const major = systemVersion === null ? null : parseFfmpegMajor(systemVersion);
  if (
    systemVersion !== null &&
    major !== null &&
    major >= MIN_SYSTEM_MAJOR &&
    (await versionLine('ffprobe')) !== null
  ) {
    return { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', source: 'system', version: systemVersion };
  }
  const ffmpeg = bundledPath('@ffmpeg-installer/ffmpeg');
  const ffprobe = bundledPath('@ffprobe-installer/ffprobe');
  const version = await versionLine(ffmpeg);
  if (version === null) throw new Error('no usable ffmpeg: install ffmpeg >= 5 or set FFMPEG_PATH');
  return { ffmpeg, ffprobe, source: 'bundled', version };
}

function bundledPath(moduleName: string): string {
  // Both installer packages export `{ path }`; loaded lazily so a system
  // ffmpeg works even where the optional platform binary is missing.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, lazy load of an optional package.
  const loaded: unknown = require(moduleName);
  const found = typeof loaded === 'object' && loaded !== null && 'path' in loaded ? loaded.path : undefined;
  if (typeof found !== 'string') throw new Error(`${moduleName} has no binary for this platform`);
  return found;
}

async function versionLine(binary: string): Promise<string | null> {
  try {
    const result = await runProcess(binary, ['-version'], { collectStdout: true, timeoutMs: 10_000 });
    if (result.exitCode !== 0) return null;
    return result.stdout.split('\n')[0]?.trim() ?? null;
  } catch {
    return null;
  }
}
