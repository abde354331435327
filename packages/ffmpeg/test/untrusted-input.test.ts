/**
 * The whitelists on real ffprobe/ffmpeg: stored uploads have no extension,
 * which already stops ffmpeg from sniffing them as HLS, and concat is never
 * sniffed; these tests name the files as an attacker would like them named
 * to show the whitelists hold on their own (defence in depth).
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FfmpegError, FfmpegRepository, resolveBinaries, runProcess, type FfmpegBinaries } from '@stream-server/ffmpeg';
import type { EncodingPlan } from '@stream-server/profiles';

let dir: string;
let binaries: FfmpegBinaries;
let secret: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'untrusted-'));
  binaries = await resolveBinaries({});
  // ADTS AAC: an extension ffmpeg's HLS demuxer accepts for segments
  // (newer builds refuse e.g. .wav segments, older ones anything goes).
  secret = path.join(dir, 'secret.aac');
  const made = await runProcess(binaries.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=3', '-c:a', 'aac', secret]);
  expect(made.exitCode).toBe(0);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PLAN: EncodingPlan = { codec: 'aac', profile: 'low', bitrate: 64_000, sampleRate: 44_100, channels: 1, bitDepth: null, container: 'mpegts' };

it('ffprobe would read a playlist named .m3u8, but not with our arguments', async () => {
  const playlist = path.join(dir, 'evil.m3u8');
  await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:3,\n${secret}\n#EXT-X-ENDLIST\n`);
  // Without the whitelist ffprobe follows the playlist to the secret file…
  const naive = await runProcess(binaries.ffprobe, ['-v', 'error', '-show_entries', 'format=format_name', '-of', 'csv=p=0', playlist], {
    collectStdout: true,
  });
  expect(naive.stdout.trim()).toBe('hls');
  // …with it, the file is refused.
  const ffmpeg = new FfmpegRepository(binaries);
  const outcome = await ffmpeg.probe(playlist);
  expect(outcome.ok).toBe(false);
});

it.each(['hls', 'concat'])('ffmpeg refuses to read an upload as %s even if a payload asked for it', async (demuxer) => {
  const input = path.join(dir, `evil-${demuxer}`);
  await writeFile(
    input,
    demuxer === 'hls'
      ? `#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:3,\n${secret}\n#EXT-X-ENDLIST\n`
      : `ffconcat version 1.0\nfile '${secret}'\n`,
  );
  const workDir = path.join(dir, `out-${demuxer}`);
  await mkdir(workDir);
  const ffmpeg = new FfmpegRepository(binaries);
  await expect(
    ffmpeg.transcodeHls(
      { input, demuxer, plan: PLAN, encoder: 'aac', segmentSeconds: 6, durationSeconds: 3, maxDurationSeconds: 60 },
      { workDir },
    ),
  ).rejects.toBeInstanceOf(FfmpegError);
  // Nothing was written: no byte of the secret reached an output.
  expect(await readdir(workDir)).toEqual([]);
});
