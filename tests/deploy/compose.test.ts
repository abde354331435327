import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Static checks of the deployment files (no Docker needed): the compose file
 * wires api, workers and Redis the way the service expects, and the
 * Dockerfile builds every workspace and ships ffmpeg.
 */

const ROOT = path.join(__dirname, '../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

// ---------------------------------------------------------------------------
// docker-compose.yml helpers
// ---------------------------------------------------------------------------

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  container_name?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as Compose;

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no "${name}" service`);
  return found;
}

/** Resolves `${VAR:-default}` / `${VAR-default}` to the default, `${VAR}` to ''. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g,
    (_m, fallback: string | undefined) => fallback ?? '',
  );
}

/** The service's environment as a map, whichever syntax the file uses. */
function env(svc: Service): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const entry of svc.environment) {
      const eq = entry.indexOf('=');
      if (eq > 0) out[entry.slice(0, eq)] = interpolate(entry.slice(eq + 1));
    }
  } else if (svc.environment) {
    for (const [key, value] of Object.entries(svc.environment)) {
      if (value !== null) out[key] = interpolate(String(value));
    }
  }
  return out;
}

interface Mount {
  source: string;
  target: string;
  named: boolean;
}

/** Short (`src:dst[:mode]`) and long ({ source, target }) volume syntax. */
function mounts(svc: Service): Mount[] {
  return (svc.volumes ?? []).map((entry) => {
    let source: string;
    let target: string;
    let type: string | undefined;
    if (typeof entry === 'string') {
      const parts = entry.split(':');
      source = parts.length > 1 ? (parts[0] ?? '') : '';
      target = parts.length > 1 ? (parts[1] ?? '') : (parts[0] ?? '');
    } else {
      source = entry.source ?? '';
      target = entry.target ?? '';
      type = entry.type;
    }
    // Bind mounts start with a path; anonymous volumes have no source.
    const isPath = /^[./~]/.test(source);
    const named = source !== '' && !isPath && (type === undefined || type === 'volume');
    return { source, target, named };
  });
}

function publishedPorts(svc: Service): Array<{ published: string; target: string }> {
  return (svc.ports ?? []).map((entry) => {
    if (typeof entry === 'object') {
      return { published: String(entry.published ?? ''), target: String(entry.target ?? '') };
    }
    // [ip:]published:target[/proto]
    const parts = String(entry)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = parts[parts.length - 1] ?? '';
    const published = parts.length > 1 ? (parts[parts.length - 2] ?? '') : '';
    return { published, target };
  });
}

function commandLine(svc: Service): string {
  return Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');
}

function dependsOnHealthy(svc: Service, dep: string): boolean {
  const deps = svc.depends_on;
  if (!deps || Array.isArray(deps)) return false;
  return deps[dep]?.condition === 'service_healthy';
}

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
