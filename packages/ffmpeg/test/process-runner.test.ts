/** The runner's watchdog, on real processes (a shell standing in for ffmpeg's `-progress` output). */
import { runProcess } from '../src/process-runner';

const advanced = ((): ((line: string) => boolean) => {
  let last = -1;
  return (line: string) => {
    const us = Number(line.replace('out_time_us=', ''));
    if (!line.startsWith('out_time_us=') || us <= last) return false;
    last = us;
    return true;
  };
})();

it('kills a process whose progress stops, and says it stalled', async () => {
  const started = Date.now();
  // Progress once, then the same time over and over: stuck.
  const result = await runProcess(
    'sh',
    ['-c', 'echo out_time_us=1; while true; do echo out_time_us=1; sleep 0.05; done'],
    { watchdog: { stallMs: 400, advanced }, killGraceMs: 100 },
  );
  expect(result).toMatchObject({ stalled: true, timedOut: false, signal: 'SIGTERM' });
  expect(Date.now() - started).toBeLessThan(5_000);
});

it('leaves a process alone while its progress advances', async () => {
  let last = -1;
  const lines: string[] = [];
  const result = await runProcess(
    'sh',
    ['-c', 'i=0; while [ $i -lt 12 ]; do i=$((i+1)); echo out_time_us=$((i*1000)); sleep 0.1; done'],
    {
      onStdoutLine: (line) => lines.push(line),
      watchdog: {
        stallMs: 400,
        advanced: (line) => {
          const us = Number(line.slice('out_time_us='.length));
          if (us <= last) return false;
          last = us;
          return true;
        },
      },
    },
  );
  expect({ ...result, lines: lines.length }).toMatchObject({ stalled: false, exitCode: 0, lines: 12 });
});

/** A shell that prints an advancing output time every 50 ms, `count` times. */
function progressing(count: number): [string, string[]] {
  return [
    'sh',
    ['-c', `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); echo out_time_us=$((i*1000)); sleep 0.05; done`],
  ];
}

function advancing(): (line: string) => boolean {
  let last = -1;
  return (line) => {
    const us = Number(line.slice('out_time_us='.length));
    if (!line.startsWith('out_time_us=') || us <= last) return false;
    last = us;
    return true;
  };
}

it('lets a run that still advances go past its timeout, up to the extended limit', async () => {
  const [command, args] = progressing(24); // about 1.2 s
  const result = await runProcess(command, args, {
    timeoutMs: 300,
    extendedTimeoutMs: 10_000,
    watchdog: { stallMs: 1_000, advanced: advancing() },
  });
  expect(result).toMatchObject({ timedOut: false, stalled: false, exitCode: 0 });
});

it('stops it at the extended limit, and at the plain timeout without one', async () => {
  const [command, args] = progressing(400); // about 20 s
  const started = Date.now();
  const extended = await runProcess(command, args, {
    timeoutMs: 300,
    extendedTimeoutMs: 900,
    killGraceMs: 100,
    watchdog: { stallMs: 1_000, advanced: advancing() },
  });
  expect(extended).toMatchObject({ timedOut: true, stalled: false });
  expect(Date.now() - started).toBeLessThan(5_000);
  const plain = await runProcess(command, args, {
    timeoutMs: 300,
    killGraceMs: 100,
    watchdog: { stallMs: 1_000, advanced: advancing() },
  });
  expect(plain).toMatchObject({ timedOut: true });
});

it('does not stretch the timeout of a run that never made progress', async () => {
  const started = Date.now();
  const result = await runProcess('sh', ['-c', 'exec sleep 20'], {
    timeoutMs: 300,
    extendedTimeoutMs: 10_000,
    killGraceMs: 100,
    watchdog: { stallMs: 5_000, advanced: advancing() },
  });
  expect(result).toMatchObject({ timedOut: true, stalled: false });
  expect(Date.now() - started).toBeLessThan(3_000);
});
