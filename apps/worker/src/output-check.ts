import path from 'node:path';
import {
  buildMultivariantPlaylist,
  HLS_CODEC_STRINGS,
  HLS_LIVE_MANIFEST,
  HLS_MANIFEST,
  measureBandwidth,
  parseMediaPlaylist,
  playlistVersion,
  timedSegments,
} from '@stream-server/ffmpeg';
import type { LoudnessSummary, RenditionResult, TranscodeJobData, TranscodeJobResult } from '@stream-server/jobs';
import type { EncodingPlan, QualityProfile } from '@stream-server/profiles';
import { isSegmentName, StorageLayout, type MediaStorage } from '@stream-server/storage';

/** One rendition of a job and where it is written (null: the output root). */
export interface Rung {
  readonly name: QualityProfile;
  readonly dir: string | null;
  readonly plan: EncodingPlan;
}

/** A segment may overrun the target duration by this much (Apple's authoring spec). */
const SEGMENT_OVERRUN_SECONDS = 0.5;

/** The job's renditions: a ladder's rungs in their folders, or its one plan at the root. */
export function renditionsOf(data: TranscodeJobData): Rung[] {
  const ladder = data.renditions;
  if (ladder && ladder.length > 1) {
    return ladder.map((rung) => ({ name: rung.name, dir: StorageLayout.renditionDirName(rung.name), plan: rung.plan }));
  }
  return [{ name: data.plan.profile, dir: null, plan: data.plan }];
}

type Described = Pick<TranscodeJobResult, 'segments' | 'outputDurationSeconds' | 'renditions'>;

/**
 * Checks every media playlist of an output is whole (ended, every segment
 * on disk, none longer than the target + 0.5 s), measures each rendition's
 * bandwidth from its real segment files and, for a ladder, writes the
 * multivariant `index.m3u8` and `live.m3u8` (`writeMultivariant`: false when re-reading an
 * output already published). `segments` and the duration are the top
 * rung's, as for a one-rendition job.
 */
export async function describeRenditions(
  storage: Pick<MediaStorage, 'exists' | 'readText' | 'fileSize' | 'writeText'>,
  dir: string,
  rungs: readonly Rung[],
  writeMultivariant = true,
): Promise<Described> {
  const results: RenditionResult[] = [];
  let version = 3;
  let top = { segments: 0, outputDurationSeconds: 0 };
  for (const rung of rungs) {
    const rungDir = rung.dir === null ? dir : path.join(dir, rung.dir);
    const text = await storage.readText(path.join(rungDir, HLS_MANIFEST));
    if (text === null) throw new Error(`ffmpeg left no playlist${rung.dir === null ? '' : ` for ${rung.name}`}`);
    const playlist = parseMediaPlaylist(text);
    if (!playlist.ended || playlist.segments.length === 0) {
      throw new Error(`ffmpeg left an incomplete playlist${rung.dir === null ? '' : ` for ${rung.name}`}`);
    }
    const names = playlist.initSegment ? [playlist.initSegment, ...playlist.segments] : playlist.segments;
    for (const name of names) {
      if (!isSegmentName(name) || !(await storage.exists(path.join(rungDir, name)))) {
        throw new Error(`playlist names a missing or unexpected segment: ${name}`);
      }
    }
    const limit = (playlist.targetDuration ?? Number.POSITIVE_INFINITY) + SEGMENT_OVERRUN_SECONDS;
    const samples = [];
    for (const segment of timedSegments(text)) {
      if (!(segment.seconds <= limit)) {
        throw new Error(`segment ${segment.uri} lasts ${segment.seconds} s, more than the target duration allows`);
      }
      samples.push({ bytes: await storage.fileSize(path.join(rungDir, segment.uri)), seconds: segment.seconds });
    }
    const bandwidth = measureBandwidth(samples, playlist.targetDuration ?? 0);
    version = Math.max(version, playlistVersion(text));
    results.push({
      name: rung.name,
      bandwidth: bandwidth.peak,
      averageBandwidth: bandwidth.average,
      codecs: HLS_CODEC_STRINGS[rung.plan.codec],
      segments: playlist.segments.length,
    });
    top = {
      segments: playlist.segments.length,
      outputDurationSeconds: Math.round(playlist.durationSeconds * 1000) / 1000,
    };
  }
  results.sort((a, b) => a.bandwidth - b.bandwidth);
  if (writeMultivariant && rungs.some((rung) => rung.dir !== null)) {
    // The same ladder twice: of the VOD playlists, and of the ended live ones.
    for (const manifest of [HLS_MANIFEST, HLS_LIVE_MANIFEST]) {
      const variants = results.map((result) => ({
        uri: `${StorageLayout.renditionDirName(result.name)}/${manifest}`,
        bandwidth: result.bandwidth,
        averageBandwidth: result.averageBandwidth,
        codecs: result.codecs,
      }));
      await storage.writeText(path.join(dir, manifest), buildMultivariantPlaylist(variants, version));
    }
  }
  return { ...top, renditions: results };
}

/** What `loudness.json` holds: the job result's loudness fields. */
export interface StoredLoudness {
  readonly loudness: LoudnessSummary | null;
  readonly outputLoudness: LoudnessSummary | null;
}

/** Reads back `loudness.json`; anything unreadable or malformed gives nulls (the figures are a report, not the output). */
export function parseStoredLoudness(text: string | null): StoredLoudness {
  const none: StoredLoudness = { loudness: null, outputLoudness: null };
  if (text === null) return none;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return none;
  }
  if (typeof value !== 'object' || value === null) return none;
  return {
    loudness: loudnessSummaryOf(Reflect.get(value, 'loudness')),
    outputLoudness: loudnessSummaryOf(Reflect.get(value, 'outputLoudness')),
  };
}

function loudnessSummaryOf(value: unknown): LoudnessSummary | null {
  if (typeof value !== 'object' || value === null) return null;
  const integratedLufs: unknown = Reflect.get(value, 'integratedLufs');
  const loudnessRangeLu: unknown = Reflect.get(value, 'loudnessRangeLu');
  const truePeakDbtp: unknown = Reflect.get(value, 'truePeakDbtp');
  if (typeof integratedLufs !== 'number' || typeof loudnessRangeLu !== 'number' || typeof truePeakDbtp !== 'number')
    return null;
  return { integratedLufs, loudnessRangeLu, truePeakDbtp };
}
