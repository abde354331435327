import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildMultivariantPlaylist,
  HLS_CODEC_STRINGS,
  HLS_LIVE_MANIFEST,
  HLS_MANIFEST,
  livePlaylist,
  measureBandwidth,
  parseMediaPlaylist,
  playlistVersion,
  timedSegments,
  vodPlaylist,
  type Variant,
} from '@stream-server/ffmpeg';
import { describeError, type Logger } from '@stream-server/logger';
import { isSegmentName, type MediaStorage } from '@stream-server/storage';
import type { Rung } from './output-check';

type LiveStorage = Pick<MediaStorage, 'linkLive' | 'writeLive' | 'readText' | 'fileSize'>;

export interface LiveMirrorOptions {
  readonly storage: LiveStorage;
  readonly jobId: string;
  /** The attempt's work dir, where ffmpeg writes. */
  readonly workDir: string;
  readonly rungs: readonly Rung[];
  /** Called once, when every rung has a whole segment and the live playlists are in place. */
  readonly onPlayable: () => void;
  readonly log: Logger;
  /**
   * Set when this mirror is one part of a ladder job among others writing
   * the same live/<job>/ (see LiveMirror): every rung of the job, and that
   * live dir, from which the multivariant playlist is built.
   */
  readonly shared?: { readonly ladder: readonly Rung[]; readonly liveDir: string } | undefined;
}

/** How often the work dir's playlists are looked at until the job is playable (a fraction of any segment's length). */
const SYNC_INTERVAL_MS = 100;
/**
 * How often once playable: players reload a playlist about once a segment
 * (at least a second), so twice a second keeps the live copy well ahead of
 * them. Each look reads every rung's playlist and the shared multivariant
 * one; looking five times less often leaves more of the CPU to ffmpeg.
 */
const FOLLOW_INTERVAL_MS = 500;

/**
 * Makes a running encode playable: ffmpeg rewrites each rung's EVENT
 * playlist in the work dir whenever it closes a segment; this links the
 * segments it lists into live/<job>/ and then writes the live playlist
 * beside them, so a reader never sees a segment that is not whole or a
 * playlist naming a segment that is not there. The live copy never ends:
 * only the published output's live.m3u8 carries EXT-X-ENDLIST, once the
 * job has completed. For a ladder, the multivariant live.m3u8 is written
 * once every rung has a segment (all rungs come from one ffmpeg, so they
 * start together); its BANDWIDTH figures are measured from the segments
 * so far. Best effort: a failure here is logged and never fails the job.
 *
 * The parts of a ladder job (`shared`) run on different workers and may
 * start at different times (one worker alone runs them one after the
 * other), so the multivariant live.m3u8 lists the rungs that are producing:
 * those with a live playlist in live/<job>/. Every part rewrites it from
 * that dir whenever what it lists differs, each time one of its rungs
 * closes a segment, so the parts converge on the full list however their
 * writes interleave; a part
 * reports the job playable once it has written it. Players that loaded it
 * before a later rung appeared play the rungs they saw.
 */
export class LiveMirror {
  private readonly linked = new Map<string, Set<string>>();
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private playable = false;
  private failures = 0;
  /** A rung's playlist changed in the current look. */
  private changed = false;

  constructor(private readonly options: LiveMirrorOptions) {}

  start(): void {
    this.timer = setTimeout(() => {
      this.running = this.running.then(() => this.sync());
      // Not after stop(): it cleared the timer.
      if (this.timer !== undefined) this.start();
    }, this.interval());
    this.timer.unref();
  }

  /** Stops looking; resolves once the sync under way (if any) is done. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private interval(): number {
    return this.playable ? FOLLOW_INTERVAL_MS : SYNC_INTERVAL_MS;
  }

  /** One look at every rung's playlist (exposed for tests; never throws). */
  async sync(): Promise<void> {
    try {
      let ready = 0;
      this.changed = false;
      for (const rung of this.options.rungs) if (await this.syncRung(rung)) ready += 1;
      if (this.options.shared) {
        // Looked at when this part closed a segment: a few times a segment, not every 100 ms.
        const wrote = ready > 0 && this.changed && (await this.refreshSharedMultivariant(this.options.shared));
        if (wrote && !this.playable) {
          this.playable = true;
          this.options.onPlayable();
        }
        return;
      }
      if (!this.playable && ready === this.options.rungs.length) {
        if (this.options.rungs.some((rung) => rung.dir !== null)) await this.writeMultivariant();
        this.playable = true;
        this.options.onPlayable();
      }
    } catch (err) {
      // One warning per attempt is enough: a broken live copy costs listeners, not the job.
      if (this.failures === 0) this.options.log.warn('live playlist not updated', describeError(err));
      this.failures += 1;
    }
  }

  /** Mirrors one rung; true once its live playlist lists a segment. */
  private async syncRung(rung: Rung): Promise<boolean> {
    const key = rung.dir ?? '';
    const dir = rung.dir === null ? this.options.workDir : path.join(this.options.workDir, rung.dir);
    const text = await readFile(path.join(dir, HLS_MANIFEST), 'utf8').catch(() => null);
    // ffmpeg renames each version into place, so a read is never torn; a
    // missing or unchanged playlist means no new segment.
    if (text === null || text === this.seen.get(key)) return this.linked.has(key);
    const playlist = parseMediaPlaylist(text);
    if (playlist.segments.length === 0) return false;
    const linked = this.linked.get(key) ?? new Set<string>();
    const names = playlist.initSegment ? [playlist.initSegment, ...playlist.segments] : playlist.segments;
    for (const name of names) {
      if (linked.has(name)) continue;
      if (!isSegmentName(name)) throw new Error(`playlist names an unexpected file: ${name}`);
      await this.options.storage.linkLive(path.join(dir, name), this.options.jobId, relative(rung, name));
      linked.add(name);
    }
    // Only the published copy ends: this one may still be cancelled or retried.
    const open = text.replace(/^#EXT-X-ENDLIST\s*$/m, '');
    await this.options.storage.writeLive(this.options.jobId, relative(rung, HLS_LIVE_MANIFEST), livePlaylist(open));
    this.linked.set(key, linked);
    this.seen.set(key, text);
    this.changed = true;
    return true;
  }

  private async refreshSharedMultivariant(shared: NonNullable<LiveMirrorOptions['shared']>): Promise<boolean> {
    return rewriteShared(this.options.storage, this.options.jobId, shared);
  }

  private async writeMultivariant(): Promise<void> {
    const variants = [];
    let version = 3;
    for (const rung of this.options.rungs) {
      const text = this.seen.get(rung.dir ?? '') ?? '';
      variants.push(
        await liveVariant(this.options.storage, rung, path.join(this.options.workDir, rung.dir ?? ''), text),
      );
      version = Math.max(version, playlistVersion(text));
    }
    await this.options.storage.writeLive(
      this.options.jobId,
      HLS_LIVE_MANIFEST,
      buildMultivariantPlaylist(variants, version),
    );
  }
}

/**
 * Rewrites the job's multivariant live.m3u8 from live/<job>/ when the rungs
 * it lists are not those producing there now; true when it wrote.
 */
async function rewriteShared(
  storage: LiveStorage,
  jobId: string,
  shared: { readonly ladder: readonly Rung[]; readonly liveDir: string },
): Promise<boolean> {
  const producing: { rung: Rung; text: string }[] = [];
  for (const rung of shared.ladder) {
    const text = await storage.readText(path.join(shared.liveDir, relative(rung, HLS_LIVE_MANIFEST))).catch(() => null);
    if (text !== null && parseMediaPlaylist(text).segments.length > 0) producing.push({ rung, text });
  }
  const current = (await storage.readText(path.join(shared.liveDir, HLS_LIVE_MANIFEST)).catch(() => null)) ?? '';
  const listed = current.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const wanted = producing.map(({ rung }) => relative(rung, HLS_LIVE_MANIFEST));
  if (wanted.length === 0 || (listed.length === wanted.length && listed.every((uri, i) => uri === wanted[i]))) {
    return false;
  }
  const variants = [];
  let version = 3;
  for (const { rung, text } of producing) {
    variants.push(await liveVariant(storage, rung, path.join(shared.liveDir, rung.dir ?? ''), text));
    version = Math.max(version, playlistVersion(text));
  }
  await storage.writeLive(jobId, HLS_LIVE_MANIFEST, buildMultivariantPlaylist(variants, version));
  return true;
}

function relative(rung: Rung, name: string): string {
  return rung.dir === null ? name : `${rung.dir}/${name}`;
}

/**
 * Once ffmpeg has ended every rung: each rung's live.m3u8 is its ended
 * EVENT playlist (what live players go on reading), and index.m3u8 turns
 * into the VOD playlist the service has always published.
 */
export async function finishPlaylists(workDir: string, rungs: readonly Rung[]): Promise<void> {
  for (const rung of rungs) {
    const dir = rung.dir === null ? workDir : path.join(workDir, rung.dir);
    const text = await readFile(path.join(dir, HLS_MANIFEST), 'utf8');
    await writeFile(path.join(dir, HLS_LIVE_MANIFEST), livePlaylist(text));
    await writeFile(path.join(dir, HLS_MANIFEST), vodPlaylist(text));
  }
}

/** One rung's entry in a multivariant live playlist, BANDWIDTH measured from its segments so far (in `dir`). */
async function liveVariant(
  storage: Pick<LiveStorage, 'fileSize'>,
  rung: Rung,
  dir: string,
  text: string,
): Promise<Variant> {
  const samples = [];
  for (const segment of timedSegments(text)) {
    samples.push({ bytes: await storage.fileSize(path.join(dir, segment.uri)), seconds: segment.seconds });
  }
  const bandwidth = measureBandwidth(samples, parseMediaPlaylist(text).targetDuration ?? 0);
  return {
    uri: relative(rung, HLS_LIVE_MANIFEST),
    bandwidth: bandwidth.peak,
    averageBandwidth: bandwidth.average,
    codecs: HLS_CODEC_STRINGS[rung.plan.codec],
  };
}
