import {
  analysisPcmOutput,
  parseEbur128Summary,
  PcmAnalyzer,
  resolveBinaries,
  runProcess,
  TRUE_PEAK_HISTORY,
  TruePeakMeter,
  type AnalysisResult,
} from '@stream-server/ffmpeg';

/** Interleaved f32le bytes of per-channel sample generators. */
function pcm(frames: number, ...channels: Array<(i: number) => number>): Buffer {
  const buffer = Buffer.alloc(frames * channels.length * 4);
  for (let i = 0; i < frames; i++) {
    channels.forEach((sample, c) => buffer.writeFloatLE(sample(i), (i * channels.length + c) * 4));
  }
  return buffer;
}

function analyse(bytes: Buffer, rate: number, channels: number, chunk = 65_536): AnalysisResult {
  const analyzer = new PcmAnalyzer({ sampleRate: rate, channels, samplesPerPixel: 512, loudness: true });
  for (let at = 0; at < bytes.length; at += chunk) analyzer.push(bytes.subarray(at, at + chunk));
  return analyzer.finish();
}

const sine =
  (rate: number, hz: number, dbfs: number, phase = 0) =>
  (i: number) =>
    10 ** (dbfs / 20) * Math.sin((2 * Math.PI * hz * i) / rate + phase);

/** A seeded generator, so the noise tests are the same every run. */
function noise(seed: number, amplitude: number): (i: number) => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return amplitude * ((state / 2 ** 31) * 2 - 1);
  };
}

describe('PcmAnalyzer loudness (ITU-R BS.1770-4, EBU Tech 3341/3342 test signals)', () => {
  it.each([44_100, 48_000])('a 1 kHz stereo sine at -23 dBFS is -23.0 LUFS at %i Hz', (rate) => {
    const loudness = analyse(pcm(rate * 20, sine(rate, 1000, -23), sine(rate, 1000, -23)), rate, 2).loudness;
    expect(loudness?.integratedLufs).toBeCloseTo(-23, 1);
    expect(loudness?.thresholdLufs).toBeCloseTo(-33, 1);
    expect(loudness?.loudnessRangeLu).toBeCloseTo(0, 1);
    expect(loudness?.truePeakDbtp).toBeCloseTo(-23, 1);
  });

  it('loudness range of 20 s at -20 dBFS then 20 s at -30 dBFS is 10 LU (Tech 3342 case 1)', () => {
    const rate = 48_000;
    const level = (i: number) => sine(rate, 1000, i < rate * 20 ? -20 : -30)(i);
    const loudness = analyse(pcm(rate * 40, level, level), rate, 2).loudness;
    expect(loudness?.loudnessRangeLu).toBeGreaterThan(9);
    expect(loudness?.loudnessRangeLu).toBeLessThan(11);
  });

  it('is null for silence', () => {
    expect(
      analyse(
        pcm(
          44_100 * 2,
          () => 0,
          () => 0,
        ),
        44_100,
        2,
      ).loudness,
    ).toBeNull();
  });

  it('gives the same figures and waveform however the pipe cuts the bytes', () => {
    const bytes = pcm(44_100 * 3, noise(1, 0.4), sine(44_100, 440, -6));
    const whole = analyse(bytes, 44_100, 2, bytes.length);
    for (const chunk of [1, 7, 4093, 65_536]) {
      const cut = analyse(bytes, 44_100, 2, chunk);
      // Only the order of a few floating-point sums changes.
      expect(cut.loudness?.integratedLufs).toBeCloseTo(whole.loudness?.integratedLufs ?? NaN, 9);
      expect(cut.loudness?.loudnessRangeLu).toBeCloseTo(whole.loudness?.loudnessRangeLu ?? NaN, 9);
      expect(cut.loudness?.truePeakDbtp).toBe(whole.loudness?.truePeakDbtp);
      expect(cut.waveform).toEqual(whole.waveform);
    }
  });

  it('folds the mean of the channels into the waveform', () => {
    const result = analyse(
      pcm(
        1024,
        () => 0.5,
        () => -0.25,
      ),
      44_100,
      2,
    );
    // Mean 0.125 → s16 4096 → high byte 16, for both pixels.
    expect(Array.from(result.waveform ?? [])).toEqual([16, 16, 16, 16]);
  });
});

/** Every interpolated value of the Annex 2 filter, no skipping: the reference the meter must equal. */
function bruteForceTruePeak(samples: Float32Array): number {
  const p0 = [
    0.001708984375, 0.010986328125, -0.0196533203125, 0.033203125, -0.0594482421875, 0.1373291015625, 0.97216796875,
    -0.102294921875, 0.047607421875, -0.026611328125, 0.014892578125, -0.00830078125,
  ];
  const p1 = [
    -0.0291748046875, 0.029296875, -0.0517578125, 0.089111328125, -0.16650390625, 0.465087890625, 0.77978515625,
    -0.2003173828125, 0.1015625, -0.0582275390625, 0.0330810546875, -0.0189208984375,
  ];
  const phases = [p0, p1, [...p1].reverse(), [...p0].reverse()];
  const padded = new Float32Array(samples.length + 2 * TRUE_PEAK_HISTORY);
  padded.set(samples, TRUE_PEAK_HISTORY);
  let peak = 0;
  for (let n = TRUE_PEAK_HISTORY; n < padded.length; n++) {
    peak = Math.max(peak, Math.abs(padded[n] ?? 0));
    for (const taps of phases) {
      let y = 0;
      taps.forEach((tap, k) => (y += tap * (padded[n - k] ?? 0)));
      peak = Math.max(peak, Math.abs(y));
    }
  }
  return peak;
}

function meterPeak(samples: Float32Array, chunk: number): { peak: number; skipped: number } {
  const meter = new TruePeakMeter();
  const plane = new Float32Array(TRUE_PEAK_HISTORY + chunk);
  let last = 0;
  const feed = (values: Float32Array) => {
    // The previous call's last samples become this call's history.
    plane.copyWithin(0, last, last + TRUE_PEAK_HISTORY);
    plane.set(values, TRUE_PEAK_HISTORY);
    meter.push(plane, values.length);
    last = values.length;
  };
  for (let at = 0; at < samples.length; at += chunk) feed(samples.subarray(at, Math.min(samples.length, at + chunk)));
  // Zeros after the end, as the analyzer flushes.
  feed(new Float32Array(TRUE_PEAK_HISTORY));
  return { peak: meter.value(), skipped: meter.skippedBlocks };
}

describe('TruePeakMeter (BS.1770-4 Annex 2, 4× oversampling)', () => {
  it('equals interpolating every sample, on noise, a tone and bursts, whatever the chunking', () => {
    const signals = [
      Float32Array.from({ length: 20_000 }, noise(7, 0.8)),
      Float32Array.from({ length: 20_000 }, (_v, i) => sine(44_100, 997, -1, 0.3)(i)),
      Float32Array.from({ length: 20_000 }, (_v, i) =>
        i % 5000 < 40 ? 0.9 * Math.sin(i * 2.9) : 0.05 * Math.sin(i / 30),
      ),
    ];
    for (const signal of signals) {
      const expected = bruteForceTruePeak(signal);
      for (const chunk of [4096, 333, 16]) expect(meterPeak(signal, chunk).peak).toBeCloseTo(expected, 12);
    }
  });

  it('skips work where it cannot matter', () => {
    // A loud click, then a second of a tone 20 dB under it: nothing after the click can beat it.
    const signal = Float32Array.from({ length: 44_100 }, (_v, i) => (i === 100 ? 0.9 : sine(44_100, 440, -20)(i)));
    const { peak, skipped } = meterPeak(signal, 4096);
    expect(peak).toBeCloseTo(bruteForceTruePeak(signal), 12);
    expect(skipped).toBeGreaterThan((44_100 / 16) * 0.95);
  });

  it('finds the overshoot between samples: a quarter-rate sine sampled at ±45° peaks 3 dB over its samples', () => {
    // Samples are ±0.5; the continuous sine reaches 0.5 × √2.
    const samples = Float32Array.from(
      { length: 4096 },
      (_v, i) => 0.5 * Math.SQRT2 * Math.sin((Math.PI / 2) * i + Math.PI / 4),
    );
    const { peak } = meterPeak(samples, 1024);
    expect(20 * Math.log10(peak)).toBeCloseTo(20 * Math.log10(0.5 * Math.SQRT2), 0);
    expect(peak).toBeGreaterThan(0.69);
  });
});

describe('PcmAnalyzer against ffmpeg 5.1 ebur128 (what the field meant before)', () => {
  it('agrees within 0.1 LU / 0.1 dB on 30 s of a tone over pink noise at 44.1 kHz', async () => {
    const { ffmpeg } = await resolveBinaries({});
    const lavfi = [
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=30',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=color=pink:amplitude=0.5:sample_rate=44100:duration=30:seed=3',
      '-filter_complex',
    ];
    // A level that swings, so the gates and the range have something to do.
    const graph =
      '[0:a][1:a]amix=inputs=2:duration=shortest,aformat=channel_layouts=stereo,volume=eval=frame:volume=0.5+0.5*sin(t)';
    const reference = await runProcess(
      ffmpeg,
      ['-hide_banner', '-nostdin', ...lavfi, `${graph},ebur128=peak=true:framelog=verbose`, '-f', 'null', '-'],
      { stderrTailBytes: 32_768 },
    );
    const expected = parseEbur128Summary(reference.stderrTail);
    const analyzer = new PcmAnalyzer({ sampleRate: 44_100, channels: 2, samplesPerPixel: null, loudness: true });
    await runProcess(
      ffmpeg,
      ['-hide_banner', '-nostdin', '-loglevel', 'error', ...lavfi, graph, ...analysisPcmOutput(44_100, 2)],
      {
        onExtraOutput: (chunk) => analyzer.push(chunk),
      },
    );
    const measured = analyzer.finish().loudness;
    expect(expected).not.toBeNull();
    expect(Math.abs((measured?.integratedLufs ?? 0) - (expected?.integratedLufs ?? 99))).toBeLessThanOrEqual(0.1);
    expect(Math.abs((measured?.thresholdLufs ?? 0) - (expected?.thresholdLufs ?? 99))).toBeLessThanOrEqual(0.1);
    expect(Math.abs((measured?.loudnessRangeLu ?? 0) - (expected?.loudnessRangeLu ?? 99))).toBeLessThanOrEqual(0.2);
    expect(Math.abs((measured?.truePeakDbtp ?? 0) - (expected?.truePeakDbtp ?? 99))).toBeLessThanOrEqual(0.1);
  });
});
