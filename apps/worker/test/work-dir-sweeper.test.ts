import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StorageLayout, StorageRepository } from '@stream-server/storage';
import { sweepWorkDirs } from '../src/work-dir-sweeper';

const RUNNING = '00000000-0000-4000-8000-0000000000a1';
const DEAD = '00000000-0000-4000-8000-0000000000a2';

let root: string;
let storage: StorageRepository;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sweeper-'));
  storage = new StorageRepository(new StorageLayout(root));
  await storage.ensureLayout();
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

it('removes work dirs and live copies of jobs that are not running, and nothing else', async () => {
  const { tmpDir, liveDir } = storage.layout;
  for (const dir of [
    path.join(tmpDir, `${RUNNING}.1.abc`),
    path.join(tmpDir, `${DEAD}.2.def`),
    path.join(tmpDir, 'not-a-work-dir'),
    path.join(liveDir, RUNNING),
    path.join(liveDir, DEAD),
    path.join(liveDir, 'lost+found'),
  ]) {
    await mkdir(dir, { recursive: true });
  }
  const removed = await sweepWorkDirs(storage, async (jobId) => jobId === RUNNING);
  expect(removed).toBe(2);
  expect((await readdir(tmpDir)).sort()).toEqual([`${RUNNING}.1.abc`, 'not-a-work-dir']);
  expect((await readdir(liveDir)).sort()).toEqual([RUNNING, 'lost+found']);
});
