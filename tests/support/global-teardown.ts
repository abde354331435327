/** Stops the redis-server global-setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env['TEST_REDIS_PID']);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
