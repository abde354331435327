/**
 * `npm run bench [-- --only upload,status] [--quick] [--cpu-prof]`: builds
 * (the npm script runs `tsc -b` first), then measures every figure of the
 * performance issue side by side with its baseline in one run, prints a
 * table and writes JSON to bench/results/<timestamp>.json (and latest.json
 * for a full run: all figures, not --quick).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, Figure, FigureRow } from './support/figure';
import { benchBinaries } from './support/media';
import { cleanUpEverything, installSignalHandlers, removeOnCleanup } from './support/processes';
import { setApiProfileDir } from './support/stack';
import { jobOverheadMp3, jobOverheadWav } from './figures/job-overhead';
import { queuePickup } from './figures/queue-pickup';
import { upload } from './figures/upload';
import { segmentServing } from './figures/segment-serving';
import { statusReads } from './figures/status-reads';
import { fleetScaling } from './figures/fleet-scaling';
import { ladder } from './figures/ladder';
import { timeToPlayable } from './figures/time-to-playable';
import { s3SegmentServing } from './figures/s3-segment-serving';
import { s3Upload } from './figures/s3-upload';
import { tusUpload } from './figures/tus-upload';

const FIGURES: readonly Figure[] = [
  jobOverheadWav,
  jobOverheadMp3,
  queuePickup,
  upload,
  segmentServing,
  statusReads,
  fleetScaling,
  ladder,
  timeToPlayable,
  s3Upload,
  s3SegmentServing,
  tusUpload,
];

interface Options {
  readonly only: readonly string[] | null;
  readonly quick: boolean;
  readonly cpuProf: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let only: string[] | null = null;
  let quick = false;
  let cpuProf = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--quick') quick = true;
    else if (arg === '--cpu-prof') cpuProf = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const list = arg === '--only' ? (argv[++i] ?? '') : arg.slice('--only='.length);
      only = list
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
    } else {
      throw new Error(`unknown option ${arg}; use --only ${FIGURES.map((f) => f.id).join(',')}, --quick, --cpu-prof`);
    }
  }
  const unknown = (only ?? []).filter((id) => !FIGURES.some((f) => f.id === id));
  if (unknown.length > 0)
    throw new Error(`unknown figure ${unknown.join(', ')}; known: ${FIGURES.map((f) => f.id).join(', ')}`);
  return { only, quick, cpuProf };
}

async function machine(): Promise<Record<string, string | number>> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const { ffmpeg, version } = await benchBinaries();
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  return {
    nproc: os.availableParallelism(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((memKb / 1024 / 1024) * 10) / 10,
    ffmpeg: `${ffmpeg} (${version})`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
  };
}

function table(rows: readonly FigureRow[]): string {
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((row) => [
    row.figure,
    row.measured,
    row.baseline,
    row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`,
    row.target,
    row.pass === null ? 'n/a' : row.pass ? 'pass' : 'FAIL',
  ]);
  const line = (values: readonly string[]) => `| ${values.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  installSignalHandlers();
  const options = parseOptions(process.argv.slice(2));
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'stream-bench-'));
  removeOnCleanup(tmpDir);
  if (options.cpuProf) {
    const dir = path.join(os.tmpdir(), `stream-bench-profiles-${Date.now()}`);
    await mkdir(dir, { recursive: true });
    setApiProfileDir(dir);
    process.stderr.write(`bench: API CPU profiles go to ${dir}\n`);
  }
  const ctx: BenchContext = { quick: options.quick, tmpDir, log: (message) => process.stderr.write(`${message}\n`) };
  const info = await machine();
  const started = new Date();
  const rows: FigureRow[] = [];
  for (const figure of FIGURES.filter((f) => options.only === null || options.only.includes(f.id))) {
    const t0 = Date.now();
    ctx.log(`bench: ${figure.title}…`);
    const loadBefore = os.loadavg()[0] ?? 0;
    try {
      const row = await figure.run(ctx);
      // The 1-minute load average around each figure: how busy the machine was besides the bench.
      rows.push({
        ...row,
        details: { ...row.details, loadAverage1m: [loadBefore, os.loadavg()[0] ?? 0].map((n) => Number(n.toFixed(2))) },
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log(`  failed: ${message}`);
      rows.push({
        id: figure.id,
        figure: figure.title,
        measured: `error: ${message.split('\n')[0] ?? ''}`,
        baseline: '—',
        ratio: null,
        target: '—',
        pass: false,
        details: { error: message },
      });
    }
    ctx.log(`  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const results = {
    startedAt: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    quick: options.quick,
    machine: {
      ...info,
      loadAverageAtEnd: os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' '),
    },
    gitCommit: gitCommit(),
    rows,
  };
  const dir = path.join(__dirname, 'results');
  await mkdir(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path.join(dir, `${stamp}.json`), json);
  // latest.json (kept in git, quoted in the README) only ever holds a whole, full-length run.
  const complete = options.only === null && !options.quick;
  if (complete) await writeFile(path.join(dir, 'latest.json'), json);
  process.stdout.write(
    `\n${table(rows)}\n\nmachine: ${Object.entries(results.machine)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}\n`,
  );
  process.stdout.write(
    `results: bench/results/${stamp}.json${complete ? ' and latest.json' : ''}, ${results.seconds} s\n`,
  );
  process.exitCode = rows.every((row) => row.pass !== false) ? 0 : 1;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  })
  .finally(() => cleanUpEverything());
