import { CONFIG_ENV_VARS, loadConfig } from '@stream-server/config';
import {
  commandLine,
  compose,
  dependsOnHealthy,
  env,
  mounts,
  publishedPorts,
  service,
  type Service,
} from './compose-file';

/**
 * Static checks of docker-compose.yml's "s3" profile (no Docker needed):
 * MinIO, the bucket it is given, and api-s3 / worker-s3 on STORAGE_DRIVER=s3
 * with nothing shared but Redis and the bucket; and the default stack left
 * as it was.
 */

const S3_SERVICES = ['api-s3', 'worker-s3'] as const;

/** The stack's own containers (api, worker and their s3 variants), by the image they run. */
const appServices = Object.entries(compose.services)
  .filter(([, svc]) => svc.image === service('api').image)
  .map(([name]) => name);

/** A shell command as the container's sh sees it: compose's `$$` is `$`, then `$VAR` from its env, quotes dropped. */
function shellCommand(svc: Service): string {
  const vars = env(svc);
  return commandLine(svc)
    .replace(/\$\$/g, '$')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => vars[name] ?? '')
    .replace(/"/g, '');
}

function dependsOnCompleted(svc: Service, dep: string): boolean {
  const deps = svc.depends_on;
  if (!deps || Array.isArray(deps)) return false;
  return deps[dep]?.condition === 'service_completed_successfully';
}

describe('the default stack (no profile)', () => {
  it('is still redis, api and worker, on the fs driver and the shared volume', () => {
    const always = Object.entries(compose.services)
      .filter(([, svc]) => (svc.profiles ?? []).length === 0)
      .map(([name]) => name)
      .sort();
    expect(always).toEqual(['api', 'redis', 'worker']);
    for (const name of ['api', 'worker']) {
      const vars = env(service(name));
      expect(Object.keys(vars).filter((key) => key.startsWith('S3_') || key === 'STORAGE_DRIVER')).toEqual([]);
      expect(loadConfig(vars).storage.driver).toBe('fs');
      expect(mounts(service(name))).toContainEqual({ source: 'media', target: vars.STORAGE_DIR, named: true });
    }
  });
});

describe('the object-storage stack (profile "s3")', () => {
  const minio = service('minio');
  const bucket = service('minio-bucket');

  it('runs MinIO with a healthcheck and its data on a named volume', () => {
    expect(minio.image).toMatch(/^minio\/minio(:|$)/);
    expect(minio.profiles).toEqual(['s3']);
    expect(commandLine(minio)).toMatch(/^server \/data\b/);
    expect(commandLine(minio)).toMatch(/--console-address :9001\b/);
    expect(minio.healthcheck?.disable).not.toBe(true);
    expect(minio.healthcheck?.test?.length ?? 0).toBeGreaterThan(0);
    expect(mounts(minio)).toContainEqual({ source: 'minio-data', target: '/data', named: true });
    expect(Object.keys(compose.volumes ?? {})).toContain('minio-data');
  });

  it('creates the bucket the services use, once MinIO is healthy, with the same credentials', () => {
    expect(bucket.image).toMatch(/^minio\/mc(:|$)/);
    expect(bucket.profiles).toEqual(['s3']);
    expect(dependsOnHealthy(bucket, 'minio')).toBe(true);
    const shell = shellCommand(bucket);
    const alias = /mc alias set (\S+) http:\/\/minio:9000 (\S+) (\S+)/.exec(shell);
    const made = /mc mb --ignore-existing (\S+)\/(\S+)/.exec(shell);
    expect(alias).not.toBeNull();
    expect(made?.[1]).toBe(alias?.[1]);
    const root = env(minio);
    expect([alias?.[2], alias?.[3]]).toEqual([root.MINIO_ROOT_USER, root.MINIO_ROOT_PASSWORD]);
    for (const name of S3_SERVICES) {
      const vars = env(service(name));
      expect(vars.S3_BUCKET).toBe(made?.[2]);
      expect([vars.S3_ACCESS_KEY_ID, vars.S3_SECRET_ACCESS_KEY]).toEqual([
        root.MINIO_ROOT_USER,
        root.MINIO_ROOT_PASSWORD,
      ]);
    }
  });

  it('starts api-s3 and worker-s3 only with the profile, after Redis, a healthy MinIO and the bucket', () => {
    for (const name of S3_SERVICES) {
      const svc = service(name);
      expect(svc.profiles).toEqual(['s3']);
      expect(dependsOnHealthy(svc, 'redis')).toBe(true);
      expect(dependsOnHealthy(svc, 'minio')).toBe(true);
      expect(dependsOnCompleted(svc, 'minio-bucket')).toBe(true);
    }
  });

  it('runs the api and the worker of the default stack, with a config that loads as s3 on MinIO, path-style', () => {
    expect(service('api-s3').image).toBe(service('api').image);
    expect(commandLine(service('api-s3'))).toBe(commandLine(service('api')));
    expect(service('worker-s3').image).toBe(service('worker').image);
    expect(commandLine(service('worker-s3'))).toBe(commandLine(service('worker')));
    for (const name of S3_SERVICES) {
      const storage = loadConfig(env(service(name))).storage;
      if (storage.driver !== 's3') throw new Error(`${name} is not on STORAGE_DRIVER=s3`);
      const endpoint = new URL(storage.endpoint ?? '');
      expect(endpoint.hostname).toBe('minio');
      expect(endpoint.port).toBe('9000');
      expect(storage.forcePathStyle).toBe(true);
      expect(storage.credentials).toBeDefined();
    }
  });

  it('shares no volume: STORAGE_DIR is an anonymous scratch volume of each container', () => {
    for (const name of S3_SERVICES) {
      const svc = service(name);
      const storageDir = env(svc).STORAGE_DIR;
      expect(storageDir).toBeTruthy();
      expect(mounts(svc)).toEqual([{ source: '', target: storageDir, named: false }]);
    }
  });

  it('can run beside the default stack (own queue prefix and host port) and scales its workers', () => {
    const api = env(service('api-s3'));
    expect(env(service('worker-s3')).QUEUE_PREFIX).toBe(api.QUEUE_PREFIX);
    expect(api.QUEUE_PREFIX).not.toBe(env(service('api')).QUEUE_PREFIX);
    const ports = publishedPorts(service('api-s3'));
    expect(ports).toHaveLength(1);
    expect(ports[0]?.target).toBe(api.PORT);
    expect(ports[0]?.published).not.toBe('8082');
    expect(service('worker-s3').ports ?? []).toHaveLength(0);
    expect(service('worker-s3').container_name).toBeUndefined();
  });
});

describe('every api and worker service', () => {
  it('sets only environment variables the config reads', () => {
    expect(appServices.sort()).toEqual(['api', 'api-s3', 'worker', 'worker-s3']);
    for (const name of appServices) {
      const unknown = Object.keys(env(service(name))).filter((key) => !CONFIG_ENV_VARS.includes(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });
});
