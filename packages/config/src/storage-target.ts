/** S3-compatible object storage (AWS S3, MinIO, Cloudflare R2, Garage…). */
export interface S3Target {
  readonly driver: 's3';
  /** Unset: AWS's own endpoint for the region. */
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly bucket: string;
  /** Prepended to every key (`media/` keeps the service's keys together); empty or ending in `/`. */
  readonly prefix: string;
  /** Both unset: the SDK's default chain (env, profile, instance role). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** `endpoint/bucket/key` URLs (MinIO, Garage, s3rver) instead of `bucket.endpoint/key`. */
  readonly forcePathStyle: boolean;
}

/** Where uploads and outputs are kept: STORAGE_DIR alone, or a bucket with STORAGE_DIR as scratch. */
export type StorageTarget = { readonly driver: 'fs' } | S3Target;

/** The storage settings, parsed. */
interface StorageSettings {
  readonly driver: 'fs' | 's3';
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly bucket: string | undefined;
  readonly prefix: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
}

/** Which storage the settings name, or the problems with them. Pure. */
export function resolveStorageTarget(settings: StorageSettings): StorageTarget | string[] {
  if (settings.driver === 'fs') return { driver: 'fs' };
  const problems: string[] = [];
  if (settings.bucket === undefined) problems.push('S3_BUCKET: required with STORAGE_DRIVER=s3');
  if ((settings.accessKeyId === undefined) !== (settings.secretAccessKey === undefined)) {
    problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
  }
  if (problems.length > 0 || settings.bucket === undefined) return problems;
  const trimmed = settings.prefix.replace(/^\/+|\/+$/g, '');
  return {
    driver: 's3',
    endpoint: settings.endpoint,
    region: settings.region,
    bucket: settings.bucket,
    prefix: trimmed === '' ? '' : `${trimmed}/`,
    credentials:
      settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    forcePathStyle: settings.forcePathStyle,
  };
}
