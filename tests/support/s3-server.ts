import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly bucket: string;
  /** The env the services need to use it (STORAGE_DRIVER=s3 and the S3_* settings). */
  readonly env: Readonly<Record<string, string>>;
  /** Every object key in the bucket (s3rver keeps them as files under its directory). */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A real S3 HTTP server (s3rver: the S3 REST API over a local directory)
 * on a free loopback port, with one empty bucket. s3rver accepts any
 * credentials; the services are given its documented pair.
 */
export async function startTestS3(bucket = 'media'): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    async keys() {
      const root = path.join(directory, bucket);
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      // s3rver stores an object `a/b` as the file `a/b._S3rver_object` beside its metadata files.
      return entries
        .filter((entry) => entry.isFile() && entry.name.endsWith('._S3rver_object'))
        .map((entry) =>
          path
            .relative(root, path.join(entry.parentPath, entry.name.slice(0, -'._S3rver_object'.length)))
            .split(path.sep)
            .join('/'),
        )
        .sort();
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
