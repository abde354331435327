/** How a ladder is split among workers: pure, so every case is spelled out. */
import { planLadderParts, rungCost, type QualityProfile, type RenditionPlan } from '@stream-server/profiles';

const BITRATES: Readonly<Record<QualityProfile, number>> = {
  low: 64_000,
  medium: 128_000,
  high: 256_000,
  hi_res: 320_000,
};

function ladder(...names: QualityProfile[]): RenditionPlan[] {
  return names.map((name) => ({
    name,
    plan: {
      codec: 'aac',
      profile: name,
      bitrate: BITRATES[name],
      sampleRate: 44_100,
      channels: 2,
      bitDepth: null,
      container: 'mpegts',
    },
  }));
}

const DOWNLOAD = { bitrate: 256_000 };

describe('planLadderParts', () => {
  it('three AAC rungs: the top rung alone with the extras, the two lower ones together', () => {
    expect(planLadderParts(ladder('low', 'medium', 'high'), null)).toEqual([
      { rungs: ['high'], extras: true, cost: 3.25 },
      { rungs: ['low', 'medium'], extras: false, cost: 3.5 },
    ]);
  });

  it('two rungs: one each, the extras with the cheaper one', () => {
    expect(planLadderParts(ladder('low', 'high'), null)).toEqual([
      { rungs: ['high'], extras: false, cost: 3 },
      { rungs: ['low'], extras: true, cost: 1.75 },
    ]);
  });

  it('a download is an encode of its own: it goes where it balances the parts', () => {
    // low 1.5, medium 2, high 3; extras 0.25 + a 256k download 3.
    expect(planLadderParts(ladder('low', 'medium', 'high'), DOWNLOAD)).toEqual([
      { rungs: ['medium', 'high'], extras: false, cost: 5 },
      { rungs: ['low'], extras: true, cost: 4.75 },
    ]);
  });

  it('four rungs split into two balanced parts', () => {
    const parts = planLadderParts(ladder('low', 'medium', 'high', 'hi_res'), null);
    expect(parts).toHaveLength(2);
    expect(parts.flatMap((part) => part.rungs).sort()).toEqual(['hi_res', 'high', 'low', 'medium']);
    expect(parts[0]?.rungs).toContain('hi_res');
    // 1.5 + 2 + 3 + 3.5 + 0.25 = 10.25: the best split is 5.25 / 5 (hi_res+low / high+medium, or so).
    expect(Math.max(...parts.map((part) => part.cost))).toBe(5.25);
    expect(parts.filter((part) => part.extras)).toHaveLength(1);
  });

  it('ties keep the top rung alone', () => {
    // hi_res 3.5 against low + medium 3.5.
    expect(planLadderParts(ladder('low', 'medium', 'hi_res'), null)[0]?.rungs).toEqual(['hi_res']);
  });

  it('one rung is one part with everything', () => {
    expect(planLadderParts(ladder('high'), DOWNLOAD)).toEqual([{ rungs: ['high'], extras: true, cost: 6.25 }]);
  });

  it('costs grow with the bitrate; lossless counts as 256 kb/s', () => {
    expect(rungCost({ bitrate: 64_000 })).toBeLessThan(rungCost({ bitrate: 128_000 }));
    expect(rungCost({ bitrate: null })).toBe(rungCost({ bitrate: 256_000 }));
  });
});
