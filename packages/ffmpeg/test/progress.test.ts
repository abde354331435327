import { ProgressParser, throttle } from '@stream-server/ffmpeg';

/** One block as `ffmpeg -progress pipe:1` prints it for an audio-only encode. */
function block(outTimeUs: number | string, progress: 'continue' | 'end' = 'continue', key = 'out_time_us'): string[] {
  return [
    'bitrate= 256.0kbits/s',
    'total_size=262188',
    `${key}=${outTimeUs}`,
    ...(key === 'out_time_us' ? [`out_time_ms=${outTimeUs}`] : []),
    'out_time=00:00:02.500000',
    'dup_frames=0',
    'drop_frames=0',
    'speed=41.7x',
    `progress=${progress}`,
  ];
}

/** Feeds lines; returns every non-null value the parser produced. */
function feed(parser: ProgressParser, lines: readonly string[]): number[] {
  const out: number[] = [];
  for (const line of lines) {
    const value = parser.push(line);
    if (value !== null) out.push(value);
  }
  return out;
}

describe('ProgressParser', () => {
  it('reports the percentage of the duration once per block', () => {
    const parser = new ProgressParser(10);
    expect(feed(parser, block(2_500_000))).toEqual([25]);
    expect(feed(parser, block(5_000_000))).toEqual([50]);
    expect(feed(parser, block(7_250_000))).toEqual([72.5]);
  });

  it('returns null for every line but progress=', () => {
    const parser = new ProgressParser(10);
    const lines = block(2_500_000);
    const results = lines.map((line) => parser.push(line));
    expect(results).toEqual([null, null, null, null, null, null, null, null, 25]);
  });

  it('understands out_time_ms (microseconds, despite its name)', () => {
    const parser = new ProgressParser(4);
    expect(feed(parser, block(1_000_000, 'continue', 'out_time_ms'))).toEqual([25]);
  });

  it('rounds to one decimal', () => {
    const parser = new ProgressParser(3);
    expect(feed(parser, block(1_000_000))).toEqual([33.3]);
    expect(feed(parser, block(2_000_000))).toEqual([66.7]);
  });

  it('caps at 99.9, even at and past the end', () => {
    const parser = new ProgressParser(10);
    expect(feed(parser, block(9_999_999))).toEqual([99.9]);
    expect(feed(parser, block(10_000_000))).toEqual([99.9]);
    expect(feed(parser, block(12_000_000, 'end'))).toEqual([99.9]);
  });

  it('never decreases', () => {
    const parser = new ProgressParser(10);
    const values = feed(parser, [
      ...block(6_000_000),
      ...block(3_000_000),
      ...block('N/A'),
      ...block(-1),
      ...block(7_000_000),
    ]);
    expect(values).toEqual([60, 60, 60, 60, 70]);
  });

  it('starts at 0 while out_time is N/A or negative (the start of an encode)', () => {
    const parser = new ProgressParser(10);
    expect(feed(parser, block('N/A'))).toEqual([0]);
    expect(feed(parser, block(-23_220))).toEqual([0]);
    expect(parser.percent()).toBe(0);
  });

  it.each([0, -5, Number.NaN])('is 0 for a duration of %p', (duration) => {
    const parser = new ProgressParser(duration);
    expect(feed(parser, block(5_000_000))).toEqual([0]);
    expect(parser.percent()).toBe(0);
  });

  it('takes the share of the source read over the header duration when it is known', () => {
    let read: number | null = 0.1;
    // The header says 10 s; the bytes say a tenth is read while 9 s are out.
    const parser = new ProgressParser(10, () => read);
    expect(feed(parser, block(9_000_000))).toEqual([10]);
    read = 0.5;
    expect(feed(parser, block(45_000_000))).toEqual([50]);
    read = 1;
    expect(feed(parser, block(90_000_000))).toEqual([99.9]);
  });

  it('falls back on the output time when the share read is unknown, and never goes back', () => {
    let read: number | null = null;
    const parser = new ProgressParser(10, () => read);
    expect(feed(parser, block(4_000_000))).toEqual([40]);
    read = 0.3;
    expect(feed(parser, block(5_000_000))).toEqual([40]);
    read = 0.6;
    expect(feed(parser, block(6_000_000))).toEqual([60]);
    read = null;
    expect(feed(parser, block(1_000_000))).toEqual([60]);
  });

  it('ignores garbage lines', () => {
    const parser = new ProgressParser(10);
    const values = feed(parser, [
      '',
      'garbage',
      '=',
      '==',
      'out_time_us',
      'out_time_us=',
      'out_time_us=abc',
      'out_time_us=Infinity',
      'out_time_us=1e400',
      'OUT_TIME_US=9000000',
      'frame=100',
      '[aac @ 0x5555] Qavg: 123.4',
    ]);
    expect(values).toEqual([]);
    expect(parser.percent()).toBe(0);
    expect(feed(parser, ['out_time_us=4000000', 'progress=continue'])).toEqual([40]);
  });

  it('tolerates spaces and a trailing carriage return', () => {
    const parser = new ProgressParser(10);
    expect(feed(parser, [' out_time_us = 3000000\r', 'progress=continue\r'])).toEqual([30]);
  });
});

describe('throttle', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const clock = () => jest.now();

  it('emits the first value at once', () => {
    const emitted: number[] = [];
    const t = throttle((v) => emitted.push(v), 250, clock);
    t.push(1);
    expect(emitted).toEqual([1]);
  });

  it('coalesces values within the interval into the last one, sent when it ends', () => {
    const emitted: number[] = [];
    const t = throttle((v) => emitted.push(v), 250, clock);
    t.push(1);
    jest.advanceTimersByTime(50);
    t.push(2);
    jest.advanceTimersByTime(50);
    t.push(3);
    jest.advanceTimersByTime(50);
    t.push(4);
    expect(emitted).toEqual([1]);
    jest.advanceTimersByTime(99); // t = 249 ms after the first emit
    expect(emitted).toEqual([1]);
    jest.advanceTimersByTime(1); // t = 250 ms
    expect(emitted).toEqual([1, 4]);
    jest.advanceTimersByTime(1_000);
    expect(emitted).toEqual([1, 4]);
  });

  it('emits at once again after a quiet interval', () => {
    const emitted: number[] = [];
    const t = throttle((v) => emitted.push(v), 250, clock);
    t.push(1);
    jest.advanceTimersByTime(300);
    t.push(2);
    expect(emitted).toEqual([1, 2]);
  });

  it('cancel() drops the pending value', () => {
    const emitted: number[] = [];
    const t = throttle((v) => emitted.push(v), 250, clock);
    t.push(1);
    t.push(2);
    t.cancel();
    // No stray timer is left behind (it would hold the process open).
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1_000);
    expect(emitted).toEqual([1]);
  });

  it('still works after cancel()', () => {
    const emitted: number[] = [];
    const t = throttle((v) => emitted.push(v), 250, clock);
    t.push(1);
    t.push(2);
    t.cancel();
    t.push(3);
    expect(emitted).toEqual([1]);
    jest.advanceTimersByTime(250);
    expect(emitted).toEqual([1, 3]);
  });

  it('a burst of 100 pushes over 1 s gives at most 5 emissions, ending with the last value', () => {
    const emitted: Array<[number, number]> = [];
    const start = jest.now();
    const t = throttle((v) => emitted.push([jest.now() - start, v]), 250, clock);
    for (let i = 0; i < 100; i++) {
      t.push(i);
      jest.advanceTimersByTime(10);
    }
    jest.advanceTimersByTime(1_000);
    expect(emitted.length).toBeLessThanOrEqual(5);
    // Emitted at 0, 250, 500, 750 and 1000 ms, each the latest value pushed by then.
    expect(emitted).toEqual([
      [0, 0],
      [250, 24],
      [500, 49],
      [750, 74],
      [1000, 99],
    ]);
    // No two emissions closer than the interval.
    for (let i = 1; i < emitted.length; i++) {
      expect((emitted[i] as [number, number])[0] - (emitted[i - 1] as [number, number])[0]).toBeGreaterThanOrEqual(250);
    }
  });

  it('uses the injected clock, not the real one', () => {
    let fakeNow = 0;
    const emitted: number[] = [];
    const t = throttle(
      (v) => emitted.push(v),
      250,
      () => fakeNow,
    );
    t.push(1);
    fakeNow = 1_000; // the injected clock says a second has passed
    t.push(2);
    expect(emitted).toEqual([1, 2]);
  });
});
