import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger as silent, type Logger } from '@stream-server/logger';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { finishPlaylists, LiveMirror } from '../src/live-mirror';
import type { Rung } from '../src/output-check';
import { PLAN } from './processor-fakes';

const JOB = '00000000-0000-4000-8000-0000000000aa';

let root: string;
let storage: StorageRepository;
let workDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'live-mirror-'));
  storage = new StorageRepository(new StorageLayout(root));
  await storage.ensureLayout();
  workDir = await storage.createWorkDir(JOB, 1);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** What ffmpeg's HLS muxer leaves after closing `count` segments (ended: after the last). */
async function ffmpegWrote(dir: string, count: number, ended = false): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', '#EXT-X-MEDIA-SEQUENCE:1'];
  lines.push('#EXT-X-PLAYLIST-TYPE:EVENT');
  for (let n = 1; n <= count; n += 1) {
    const name = `segment_${String(n).padStart(5, '0')}.ts`;
    await writeFile(path.join(dir, name), Buffer.alloc(96_000, n));
    lines.push('#EXTINF:6.000000,', name);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  await writeFile(path.join(dir, 'index.m3u8'), `${lines.join('\n')}\n`);
}

function mirror(rungs: Rung[], onPlayable: () => void): LiveMirror {
  return new LiveMirror({ storage, jobId: JOB, workDir, rungs, onPlayable, log: silent });
}

const root1: Rung[] = [{ name: 'high', dir: null, plan: PLAN }];

it('serves nothing before the first whole segment, then links segments before listing them', async () => {
  let playable = 0;
  const live = mirror(root1, () => (playable += 1));
  const liveDir = storage.layout.jobLiveDir(JOB);

  await live.sync();
  expect(playable).toBe(0);
  await expect(stat(liveDir)).rejects.toThrow();

  await ffmpegWrote(workDir, 1);
  await live.sync();
  expect(playable).toBe(1);
  const first = await readFile(path.join(liveDir, 'live.m3u8'), 'utf8');
  expect(first).toContain('#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-START:TIME-OFFSET=0\n');
  expect(first).toContain('segment_00001.ts');
  // The same file, not a copy: the bytes are the ones that will be published.
  const [work, served] = await Promise.all([
    stat(path.join(workDir, 'segment_00001.ts')),
    stat(path.join(liveDir, 'segment_00001.ts')),
  ]);
  expect(served.ino).toBe(work.ino);

  await ffmpegWrote(workDir, 3, true);
  await live.sync();
  expect(playable).toBe(1);
  const last = await readFile(path.join(liveDir, 'live.m3u8'), 'utf8');
  expect(last).toContain('segment_00003.ts');
  // Only the published copy ends: the job may still be cancelled.
  expect(last).not.toContain('#EXT-X-ENDLIST');
});

it('makes a ladder playable once every rung has a segment, with a multivariant live playlist', async () => {
  let playable = 0;
  const rungs: Rung[] = [
    { name: 'low', dir: 'low', plan: { ...PLAN, profile: 'low', bitrate: 96_000 } },
    { name: 'high', dir: 'high', plan: PLAN },
  ];
  const live = mirror(rungs, () => (playable += 1));
  await ffmpegWrote(path.join(workDir, 'high'), 1);
  await live.sync();
  expect(playable).toBe(0);
  await ffmpegWrote(path.join(workDir, 'low'), 1);
  await live.sync();
  expect(playable).toBe(1);
  const master = await readFile(path.join(storage.layout.jobLiveDir(JOB), 'live.m3u8'), 'utf8');
  expect(master).toContain('#EXT-X-STREAM-INF:BANDWIDTH=128000,AVERAGE-BANDWIDTH=128000,CODECS="mp4a.40.2"');
  expect(master.match(/^(?:low|high)\/live\.m3u8$/gm)).toEqual(['low/live.m3u8', 'high/live.m3u8']);
});

it('never fails the job: a playlist naming a foreign file is reported and skipped', async () => {
  const warnings: string[] = [];
  const live = new LiveMirror({
    storage,
    jobId: JOB,
    workDir,
    rungs: root1,
    onPlayable: () => undefined,
    log: warningsTo(warnings),
  });
  await writeFile(
    path.join(workDir, 'index.m3u8'),
    '#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXTINF:6,\n../../etc/passwd\n',
  );
  await expect(live.sync()).resolves.toBeUndefined();
  expect(warnings).toEqual(['live playlist not updated']);
  await expect(stat(storage.layout.jobLiveDir(JOB))).rejects.toThrow();
});

it('finishPlaylists keeps the ended EVENT playlist as live.m3u8 and turns index.m3u8 into VOD', async () => {
  await ffmpegWrote(workDir, 2, true);
  await finishPlaylists(workDir, root1);
  const live = await readFile(path.join(workDir, 'live.m3u8'), 'utf8');
  const vod = await readFile(path.join(workDir, 'index.m3u8'), 'utf8');
  expect(live).toContain('#EXT-X-START:TIME-OFFSET=0');
  expect(live).toContain('#EXT-X-ENDLIST');
  expect(vod).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
  expect(vod).not.toContain('EVENT');
  expect(vod).not.toContain('#EXT-X-START');
});

function warningsTo(warnings: string[]): Logger {
  const log: Logger = {
    ...silent,
    warn: (message: string) => {
      warnings.push(message);
    },
    child: () => log,
  };
  return log;
}

describe('parts of a ladder sharing live/<job>/', () => {
  const LOW = { ...PLAN, profile: 'low', bitrate: 64_000 } as const;
  const ladder: Rung[] = [
    { name: 'low', dir: 'low', plan: LOW },
    { name: 'high', dir: 'high', plan: PLAN },
  ];

  it('lists the rungs producing, playable from the first write, and converges on every rung', async () => {
    const liveDir = storage.layout.jobLiveDir(JOB);
    const otherWorkDir = await storage.createWorkDir(JOB, 1, 1);
    let playable = 0;
    const part = (dir: string, rungs: Rung[]) =>
      new LiveMirror({
        storage,
        jobId: JOB,
        workDir: dir,
        rungs,
        onPlayable: () => (playable += 1),
        log: silent,
        shared: { ladder, liveDir },
      });
    const high = part(workDir, [ladder[1] as Rung]);
    const low = part(otherWorkDir, [ladder[0] as Rung]);
    const listed = async () =>
      (await readFile(path.join(liveDir, 'live.m3u8'), 'utf8')).split('\n').filter((line) => line.endsWith('.m3u8'));

    // Only the top rung's part has started: the multivariant playlist lists it alone.
    await ffmpegWrote(path.join(workDir, 'high'), 1);
    await high.sync();
    expect(playable).toBe(1);
    expect(await listed()).toEqual(['high/live.m3u8']);

    // The other part starts later and adds its rung, lowest first.
    await ffmpegWrote(path.join(otherWorkDir, 'low'), 1);
    await low.sync();
    expect(await listed()).toEqual(['low/live.m3u8', 'high/live.m3u8']);

    // A stale write (the first part's, say) is put right by the next look of any part.
    await storage.writeLive(JOB, 'live.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhigh/live.m3u8\n');
    await ffmpegWrote(path.join(workDir, 'high'), 2);
    await high.sync();
    expect(await listed()).toEqual(['low/live.m3u8', 'high/live.m3u8']);
  });
});
