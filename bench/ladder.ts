/**
 * The ladder figure: a 3-rung AAC ladder (low, medium, high) made in one
 * ffmpeg pass against one rung (high), on the same generated 5-minute
 * track, through the worker's own code path (FfmpegRepository.encode with
 * the arguments the worker builds: the analysis PCM measured in Node for
 * loudness and the waveform included, as on every job). Runs alternate (ladder, single,
 * ladder, …) so drift in machine load hits both sides alike; medians.
 *
 *   node -r ts-node/register/transpile-only bench/ladder.ts [runs]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
// Named imports: this file also runs under ts-node without the bench tsconfig (no esModuleInterop).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FfmpegRepository,
  resolveBinaries,
  runProcess,
  type EncodeJob,
  type RenditionOutput,
} from '@stream-server/ffmpeg';
import { resolveEncodingPlan, type QualityProfile, type SourceAudio } from '@stream-server/profiles';

export interface LadderFigures {
  readonly ladderSeconds: number;
  readonly singleSeconds: number;
  readonly ratio: number;
}

const TRACK_SECONDS = 300;
const DEFAULT_RUNS = 3;

const SOURCE: SourceAudio = {
  codec: 'pcm_s16le',
  sampleRate: 44_100,
  channels: 2,
  bitsPerSample: 16,
  durationSeconds: TRACK_SECONDS,
  bitrate: 1_411_200,
};

/** Times both sides `runs` times, alternating, and returns the medians and their ratio. */
export async function runLadderBench(
  runs = DEFAULT_RUNS,
  log: (line: string) => void = () => undefined,
): Promise<LadderFigures> {
  const binaries = await resolveBinaries({});
  const ffmpeg = new FfmpegRepository(binaries);
  const dir = await mkdtemp(join(tmpdir(), 'ladder-bench-'));
  try {
    const input = join(dir, 'track.wav');
    const made = await runProcess(binaries.ffmpeg, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=44100:duration=${TRACK_SECONDS}`,
      '-f',
      'lavfi',
      '-i',
      `anoisesrc=color=pink:amplitude=0.3:sample_rate=44100:duration=${TRACK_SECONDS}`,
      '-filter_complex',
      '[0:a][1:a]amix=inputs=2:duration=shortest,aformat=channel_layouts=stereo',
      '-c:a',
      'pcm_s16le',
      input,
    ]);
    if (made.exitCode !== 0) throw new Error(`could not make the bench track: ${made.stderrTail}`);

    const ladder: number[] = [];
    const single: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      ladder.push(await timeEncode(ffmpeg, dir, input, ['low', 'medium', 'high']));
      single.push(await timeEncode(ffmpeg, dir, input, ['high']));
      log(`  run ${run + 1}/${runs}: ladder ${ladder[run]?.toFixed(2)} s, single ${single[run]?.toFixed(2)} s`);
    }
    const ladderSeconds = median(ladder);
    const singleSeconds = median(single);
    return { ladderSeconds, singleSeconds, ratio: ladderSeconds / singleSeconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One job's encode, as the worker runs it, in a fresh work dir; wall seconds. */
async function timeEncode(
  ffmpeg: FfmpegRepository,
  root: string,
  input: string,
  profiles: readonly QualityProfile[],
): Promise<number> {
  const workDir = await mkdtemp(join(root, 'work-'));
  const ladder = profiles.length > 1;
  const renditions: RenditionOutput[] = profiles.map((profile) => ({
    dir: ladder ? profile : null,
    plan: resolveEncodingPlan({ profile, codec: 'aac' }, SOURCE),
    encoder: 'aac',
  }));
  for (const rendition of renditions) if (rendition.dir) await mkdir(join(workDir, rendition.dir));
  const job: EncodeJob = {
    input,
    demuxer: 'wav',
    renditions,
    segmentSeconds: 6,
    maxDurationSeconds: 14_400,
    sourceSampleRate: SOURCE.sampleRate,
    sourceChannels: SOURCE.channels,
    normalize: null,
    waveformSamplesPerPixel: 512,
    download: null,
  };
  const started = process.hrtime.bigint();
  await ffmpeg.encode(job, { workDir, durationSeconds: TRACK_SECONDS });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await rm(workDir, { recursive: true, force: true });
  return seconds;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? DEFAULT_RUNS);
  console.log(`ladder bench: ${TRACK_SECONDS / 60}-minute 44.1 kHz stereo track, ${runs} alternated runs each`);
  runLadderBench(Number.isInteger(runs) && runs > 0 ? runs : DEFAULT_RUNS, (line) => console.log(line))
    .then((figures) => {
      console.log('');
      console.log('                       median wall time');
      console.log(
        `  3 rungs, one pass    ${figures.ladderSeconds.toFixed(2)} s   (low 64k + medium 128k + high 256k AAC)`,
      );
      console.log(`  1 rung               ${figures.singleSeconds.toFixed(2)} s   (high 256k AAC)`);
      console.log(`  ratio                ${figures.ratio.toFixed(2)}×   (target ≤ 1.6×)`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
