import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * docker-compose.yml parsed as Compose reads it (YAML merge keys resolved),
 * and helpers that read a service the way Compose would, for the static
 * checks of the deployment files (no Docker needed).
 */

export const ROOT = path.join(__dirname, '../..');
export const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

export interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target?: number; published?: number | string }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  container_name?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// `<<: *api` makes the s3 variants from the default services, as Compose does.
export const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;

export function service(name: string): Service {
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
export function env(svc: Service): Record<string, string> {
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
export function mounts(svc: Service): Mount[] {
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

export function publishedPorts(svc: Service): Array<{ published: string; target: string }> {
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

export function commandLine(svc: Service): string {
  return Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');
}

export function dependsOnHealthy(svc: Service, dep: string): boolean {
  const deps = svc.depends_on;
  if (!deps || Array.isArray(deps)) return false;
  return deps[dep]?.condition === 'service_healthy';
}
