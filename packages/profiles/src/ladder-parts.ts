import type { QualityProfile } from './codecs';
import type { EncodingPlan } from './encoding-plan';

/** What the split reads of a rung (a RenditionPlan has it). */
interface PartRung {
  readonly name: QualityProfile;
  readonly plan: Pick<EncodingPlan, 'bitrate'>;
}

/**
 * One part of a ladder job: the rungs one worker encodes in one ffmpeg,
 * and whether that ffmpeg also makes the job's extras (loudness meter,
 * waveform, download.m4a). `cost` is the part's estimated encode cost in
 * the units of `rungCost` (weights its share of the job's progress).
 */
export interface LadderPart {
  readonly rungs: readonly QualityProfile[];
  readonly extras: boolean;
  readonly cost: number;
}

/**
 * A ladder is split into at most this many parts. Two, not the size of the
 * fleet at submit time: workers come and go before the job runs, a part
 * costs one more decode of the source (cheap next to encoding it), and
 * with two parts the top rung, most of a ladder's work, runs beside the
 * rest. More parts would only help fleets with idle cores to spare for
 * the lower rungs, which already fit beside the top one.
 */
export const MAX_LADDER_PARTS = 2;

/** Cost of the loudness meter and the waveform branch, in `rungCost` units. */
const METER_AND_WAVEFORM_COST = 0.25;

/**
 * Estimated encode cost of one output: a fixed share (decode, filters,
 * muxing) plus a share growing with the bitrate, in units of a 128 kb/s
 * encode's bitrate-dependent part. Measured on ffmpeg 5.1's AAC encoder,
 * 64k : 128k : 256k cost about 1 : 1.6 : 2.1 of CPU; this gives
 * 1.5 : 2 : 3, close enough to rank groupings. Lossless (no bitrate)
 * counts as a 256 kb/s encode. Pure.
 */
export function rungCost(plan: Pick<EncodingPlan, 'bitrate'>): number {
  return 1 + (plan.bitrate ?? 256_000) / 128_000;
}

/**
 * Splits a ladder's rungs into parts that balance the estimated encode
 * cost, so the slowest part (the job's wall time when the parts run side
 * by side) is as short as it can be: every assignment of ≤ 4 rungs to ≤
 * MAX_LADDER_PARTS parts, with the extras in either part, is tried (at
 * most 32) and the one with the smallest largest part kept. Ties keep the
 * top rung in the part with fewest rungs (alone when it can be), then the
 * extras in the part that was cheaper without them. `extrasCost` is the
 * download's encode, when the job asks for one. Parts list their rungs in
 * the ladder's order, the top rung's part first. Pure.
 */
export function planLadderParts(
  renditions: readonly PartRung[],
  download: Pick<EncodingPlan, 'bitrate'> | null,
): LadderPart[] {
  const names = renditions.map((rung) => rung.name);
  const costs = renditions.map((rung) => rungCost(rung.plan));
  const extrasCost = METER_AND_WAVEFORM_COST + (download ? rungCost(download) : 0);
  const parts = Math.min(MAX_LADDER_PARTS, renditions.length);
  if (parts <= 1) return [{ rungs: names, extras: true, cost: sum(costs) + extrasCost }];

  const top = renditions.length - 1;
  let best: { score: readonly number[]; parts: LadderPart[] } | null = null;
  // Part 0 always holds the top rung; each other rung is in part 0 or 1.
  for (let mask = 0; mask < 1 << top; mask += 1) {
    const inTopPart = (index: number) => index === top || (mask & (1 << index)) !== 0;
    const groups = [0, 1].map((part) => names.map((_, index) => index).filter((i) => inTopPart(i) === (part === 0)));
    if (groups.some((group) => group.length === 0)) continue;
    const base = groups.map((group) => sum(group.map((index) => costs[index] ?? 0)));
    for (const extrasPart of [0, 1]) {
      const loads = base.map((cost, part) => cost + (part === extrasPart ? extrasCost : 0));
      const score = [
        round(Math.max(...loads)),
        groups[0]?.length ?? 0,
        (base[extrasPart] ?? 0) <= Math.min(...base) ? 0 : 1,
        round(Math.min(...loads)),
      ];
      if (best === null || compare(score, best.score) < 0) {
        best = {
          score,
          parts: groups.map((group, part) => ({
            rungs: group.map((index) => names[index] ?? names[0] ?? 'high'),
            extras: part === extrasPart,
            cost: round(loads[part] ?? 0),
          })),
        };
      }
    }
  }
  if (best === null) throw new Error('a ladder of two or more rungs always splits');
  return best.parts;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Costs compare at a thousandth: float noise must not break ties. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
