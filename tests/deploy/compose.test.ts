import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  commandLine,
  compose,
  dependsOnHealthy,
  env,
  mounts,
  publishedPorts,
  read,
  ROOT,
  service,
} from './compose-file';

/**
 * Static checks of the deployment files (no Docker needed): the compose file
 * wires api, workers and Redis the way the service expects, and the
 * Dockerfile builds every workspace and ships ffmpeg.
 */

// ---------------------------------------------------------------------------
// Dockerfile helpers
// ---------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
  /** 0-based index of the build stage (FROM) the instruction belongs to. */
  stage: number;
}

/** Instructions in order, with `\` continuations joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  if (current.trim() !== '') logical.push(current.trim());

  let stage = -1;
  return logical.map((line) => {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    const keyword = (match?.[1] ?? '').toUpperCase();
    if (keyword === 'FROM') stage += 1;
    return { keyword, args: match?.[2] ?? '', stage };
  });
}

/** Sources of a COPY/ADD (flags such as --from / --chown dropped). */
function copySources(args: string): string[] {
  const trimmed = args.trim();
  let words: string[];
  if (trimmed.startsWith('[')) {
    words = JSON.parse(trimmed) as string[];
  } else {
    words = trimmed.split(/\s+/).filter((word) => !word.startsWith('--'));
  }
  return words.slice(0, -1).map((word) => word.replace(/^\.\//, ''));
}

const dockerfile = parseDockerfile(read('Dockerfile'));
const rootPackage = JSON.parse(read('package.json')) as { workspaces?: string[] };

// ---------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('runs Redis with AOF persistence and no eviction', () => {
    const cmd = commandLine(service('redis'));
    expect(cmd).toMatch(/--appendonly\s+yes/);
    expect(cmd).toMatch(/--maxmemory-policy\s+noeviction/);
  });

  it('gives api and worker one shared named volume at their STORAGE_DIR', () => {
    const shared = ['api', 'worker'].map((name) => {
      const svc = service(name);
      const storageDir = env(svc).STORAGE_DIR;
      expect(storageDir).toBeTruthy();
      const mount = mounts(svc).find((m) => m.target === storageDir);
      expect(mount).toBeDefined();
      expect(mount?.named).toBe(true);
      return mount?.source;
    });
    expect(shared[0]).toBe(shared[1]);
  });

  it('lets the worker scale: no host ports, no container_name', () => {
    const worker = service('worker');
    expect(worker.ports ?? []).toHaveLength(0);
    expect(worker.container_name).toBeUndefined();
  });

  it('publishes the API on 8082', () => {
    expect(publishedPorts(service('api'))).toContainEqual({ published: '8082', target: '8082' });
  });

  it('points api and worker at the redis service and waits for it to be healthy', () => {
    for (const name of ['api', 'worker']) {
      const svc = service(name);
      const url = new URL(env(svc).REDIS_URL ?? '');
      expect(url.protocol).toBe('redis:');
      expect(url.hostname).toBe('redis');
      expect(dependsOnHealthy(svc, 'redis')).toBe(true);
    }
    expect(compose.services.redis).toBeDefined();
  });

  it('declares every named volume a service uses', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = Object.values(compose.services).flatMap((svc) =>
      mounts(svc)
        .filter((m) => m.named)
        .map((m) => m.source),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(declared).toContain(name);
  });
});

describe('the optional nginx caching front (profile "cdn")', () => {
  const cdn = service('cdn');
  const config = mounts(cdn).find((m) => m.target.startsWith('/etc/nginx/'));
  const configText = (): string => read(config?.source ?? '');

  it('is an nginx service that only starts with --profile cdn, after a healthy api', () => {
    expect(cdn.image).toMatch(/^nginx:/);
    expect(cdn.profiles).toEqual(['cdn']);
    expect(dependsOnHealthy(cdn, 'api')).toBe(true);
    const ports = publishedPorts(cdn);
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.map((p) => p.published)).not.toContain('8082');
  });

  it('mounts a config from deploy/nginx/ that exists', () => {
    expect(config?.source).toMatch(/^\.\/deploy\/nginx\/[\w.-]+\.conf$/);
    expect(fs.existsSync(path.join(ROOT, config?.source ?? 'missing'))).toBe(true);
  });

  it('proxies to the api service and caches /v1/stream/hls/ only', () => {
    const text = configText();
    expect(text).toMatch(/server\s+api:8082\s*;/);
    expect(text).toMatch(/proxy_cache_path\s+\S+.*keys_zone=(\w+):/);
    const zone = /keys_zone=(\w+):/.exec(text)?.[1] ?? '';
    const hls = /location\s+\/v1\/stream\/hls\/\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
    expect(hls).toMatch(new RegExp(`proxy_cache\\s+${zone}\\s*;`));
    expect(hls).toMatch(/proxy_pass\s+http:\/\//);
    // Everything else passes through uncached (job reads, uploads, SSE).
    const rest = /location\s+\/\s*\{([^}]*)\}/.exec(text)?.[1] ?? '';
    expect(rest).toMatch(/proxy_pass\s+http:\/\//);
    expect(rest).not.toMatch(/proxy_cache\s/);
  });

  const nginx = spawnSync('nginx', ['-v']).status === 0;
  (nginx ? it : it.skip)('is a config nginx accepts (nginx -t)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-conf-'));
    try {
      // `api` only resolves inside compose; the cache dir only exists in the image.
      const site = configText()
        .replace(/server\s+api:8082/, 'server 127.0.0.1:8082')
        .replace(/proxy_cache_path\s+\S+/, `proxy_cache_path ${path.join(dir, 'cache')}`);
      fs.writeFileSync(path.join(dir, 'site.conf'), site);
      fs.writeFileSync(
        path.join(dir, 'nginx.conf'),
        `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n  include ${dir}/site.conf;\n}\n`,
      );
      const check = spawnSync('nginx', ['-t', '-p', dir, '-e', 'stderr', '-c', path.join(dir, 'nginx.conf')], {
        encoding: 'utf8',
      });
      expect(check.stderr).toContain('syntax is ok');
      expect(check.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const froms = dockerfile.filter((i) => i.keyword === 'FROM');
  const lastStage = froms.length - 1;
  const runs = dockerfile.filter((i) => i.keyword === 'RUN');

  it('is multi-stage, one FROM per stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from.args).toMatch(/^node:20-bookworm-slim\b/);
  });

  it('installs ffmpeg with apt-get in the runtime stage', () => {
    const install = runs.find((i) => i.stage === lastStage && /apt-get\s+install\b/.test(i.args));
    expect(install).toBeDefined();
    expect(install?.args).toMatch(/\bffmpeg\b/);
  });

  it('installs with npm ci and builds with npm run build', () => {
    expect(runs.some((i) => /\bnpm\s+ci\b/.test(i.args))).toBe(true);
    expect(runs.some((i) => /\bnpm\s+run\s+build\b/.test(i.args))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = dockerfile.filter((i) => i.keyword === 'USER' && i.stage === lastStage);
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]?.args.split(':')[0] ?? '';
    expect(['', 'root', '0']).not.toContain(user);
  });

  it('exposes 8082', () => {
    const exposed = dockerfile
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/).map((port) => port.replace(/\/(tcp|udp)$/, '')));
    expect(exposed).toContain('8082');
  });

  it('copies every workspace package.json before npm ci', () => {
    const workspaces = rootPackage.workspaces ?? [];
    expect(workspaces.length).toBeGreaterThan(0);
    const npmCi = dockerfile.findIndex((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args));
    expect(npmCi).toBeGreaterThan(-1);
    const copiedBefore = new Set(
      dockerfile
        .slice(0, npmCi)
        .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
        .flatMap((i) => copySources(i.args)),
    );
    const missing = workspaces.filter((ws) => !copiedBefore.has(`${ws.replace(/\/$/, '')}/package.json`));
    expect(missing).toEqual([]);
  });
});
