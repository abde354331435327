import { startTestS3, type TestS3 } from '../../tests/support/s3-server';
import { onCleanup } from './processes';

export interface BenchS3 {
  /** STORAGE_DRIVER=s3 and the S3_* settings that point a stack at it. */
  readonly env: Readonly<Record<string, string>>;
  /** An object's bytes, read straight from the bucket (not through the API). */
  get(key: string): Promise<Buffer>;
  /** Deletes every object whose key starts with `prefix`. */
  removeAll(prefix: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The tests' s3rver (a real S3 HTTP server over a temp directory) on a
 * free loopback port, stopped and deleted at the end, on error and on
 * Ctrl-C like everything else the bench starts. It runs inside the bench's
 * own process, so its CPU is not counted as the API's. s3rver takes
 * unsigned requests, which the bench's own reads and deletes use.
 */
export async function startBenchS3(): Promise<BenchS3> {
  const s3: TestS3 = await startTestS3('media');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await s3.stop();
  };
  onCleanup(stop);
  const url = (key: string) => `${s3.endpoint}/${s3.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return {
    env: s3.env,
    async get(key) {
      const res = await fetch(url(key));
      if (res.status !== 200) throw new Error(`bucket GET ${key} answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async removeAll(prefix) {
      const keys = (await s3.keys()).filter((key) => key.startsWith(prefix));
      for (const key of keys) {
        const res = await fetch(url(key), { method: 'DELETE' });
        await res.arrayBuffer();
        if (res.status !== 204) throw new Error(`bucket DELETE ${key} answered ${res.status}`);
      }
      return keys.length;
    },
    stop,
  };
}
