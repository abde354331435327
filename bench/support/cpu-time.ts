import { readFile } from 'node:fs/promises';

/**
 * CPU seconds a process has used, read from /proc/<pid>/stat: its own
 * user + system time plus that of its children it has waited for
 * (cutime, cstime). A Node worker reaps each ffmpeg as it exits, so once
 * a job is Completed its ffmpeg's whole CPU time is in the worker's
 * figure. `childrenOnly` leaves out the process's own time: the bench
 * reads itself that way around a baseline run, whose only child to exit
 * is that ffmpeg.
 */
export async function processCpuSeconds(pid: number | 'self', childrenOnly = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17 (index 11-14 from field 3).
  const ticks = (childrenOnly ? [13, 14] : [11, 12, 13, 14]).reduce(
    (sum, index) => sum + Number(fields[index] ?? NaN),
    0,
  );
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/${pid}/stat`);
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux the bench runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
