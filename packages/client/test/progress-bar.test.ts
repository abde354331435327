import { ProgressReporter, renderBar } from '../src/progress-bar';

function recorder(isTTY: boolean): { out: { isTTY: boolean; write(text: string): void }; text: () => string } {
  const chunks: string[] = [];
  return { out: { isTTY, write: (text: string) => void chunks.push(text) }, text: () => chunks.join('') };
}

describe('renderBar', () => {
  it('fills proportionally and clamps', () => {
    expect(renderBar(0, 10)).toBe('[----------]   0%');
    expect(renderBar(42.7, 10)).toBe('[####------]  42%');
    expect(renderBar(100, 10)).toBe('[##########] 100%');
    expect(renderBar(250, 10)).toBe('[##########] 100%');
    expect(renderBar(-5, 10)).toBe('[----------]   0%');
    expect(renderBar(Number.NaN, 10)).toBe('[----------]   0%');
  });
});

describe('ProgressReporter', () => {
  it('redraws one line on a terminal and ends it once', () => {
    const { out, text } = recorder(true);
    const bar = new ProgressReporter(out, 'job');
    bar.update(0, 'Pending');
    bar.update(0, 'Pending'); // unchanged: not redrawn
    bar.update(50, 'Processing');
    bar.update(100, 'Completed');
    bar.finish();
    const drawn = text();
    expect(drawn.split('\r')).toHaveLength(4); // three draws
    expect(drawn).toContain(`job ${renderBar(50)} Processing`);
    expect(drawn).toMatch(/\[#+\] 100% Completed *\n$/);
    expect(drawn.match(/\n/g)).toHaveLength(1);
  });

  it('pads over a longer previous line', () => {
    const { out, text } = recorder(true);
    const bar = new ProgressReporter(out, 'j');
    bar.update(10, 'Processing');
    bar.update(10, 'Done');
    const [, first, second] = text().split('\r');
    expect(second).toHaveLength(first?.length ?? -1);
  });

  it('prints a line per 10 % step when not a terminal', () => {
    const { out, text } = recorder(false);
    const bar = new ProgressReporter(out, 'job');
    for (const p of [0, 3, 9.9, 10, 12, 35, 36, 99, 100, 100]) bar.update(p);
    bar.finish();
    expect(text()).toBe(['job 0%', 'job 10%', 'job 30%', 'job 90%', 'job 100%', ''].join('\n'));
    expect(text()).not.toContain('\r');
  });
});
