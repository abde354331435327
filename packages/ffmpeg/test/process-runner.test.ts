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
