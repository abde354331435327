/**
 * House rules that a reviewer would otherwise have to remember, checked
 * on every source file of every workspace.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_ENV_VARS } from '@stream-server/config';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(): string[] {
  const files: string[] = [];
  for (const group of ['apps', 'packages']) {
    for (const workspace of readdirSync(path.join(ROOT, group))) {
      walk(path.join(ROOT, group, workspace, 'src'), files);
    }
  }
  return files;
}

function walk(dir: string, into: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) walk(full, into);
    else if (full.endsWith('.ts')) into.push(full);
  }
}

const files = sourceFiles();
const rel = (file: string) => path.relative(ROOT, file);

it('finds the sources', () => {
  expect(files.length).toBeGreaterThan(30);
});

it('reads process.env only in the config module', () => {
  const readers = files.filter((file) => /process\.env/.test(readFileSync(file, 'utf8'))).map(rel);
  // The one exception: the `stream-server` CLI's entry is an end-user tool
  // run on someone's laptop, not the service, and reads only its own two
  // variables (STREAM_SERVER_URL / STREAM_SERVER_API_KEY).
  expect(readers).toEqual(['packages/client/src/cli.ts', 'packages/config/src/config.ts']);
});

it('never spawns through a shell', () => {
  const offenders = files
    .filter((file) =>
      /shell:\s*true|import\s*\{[^}]*\bexec(Sync)?\b[^}]*\}\s*from\s*'(node:)?child_process'/.test(
        readFileSync(file, 'utf8'),
      ),
    )
    .map(rel);
  expect(offenders).toEqual([]);
});

it('uses no `any` and never passes -safe 0 to ffmpeg', () => {
  const offenders = files
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /:\s*any\b|<any>|as any\b/.test(text) || /'-safe'/.test(text);
    })
    .map(rel);
  expect(offenders).toEqual([]);
});

it('keeps HTTP out of the packages', () => {
  // packages/outbound fetches from origins over HTTP: it reads the status
  // an origin answers (statusCode) but serves nothing itself.
  const reads = (file: string) => rel(file).startsWith('packages/outbound/');
  const offenders = files
    .filter((file) => rel(file).startsWith('packages/'))
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /from 'express'|from 'multer'|\bstatus\(\d/.test(text) || (/statusCode/.test(text) && !reads(file));
    })
    .map(rel);
  expect(offenders).toEqual([]);
});

it('keeps files small', () => {
  const large = files.filter((file) => readFileSync(file, 'utf8').split('\n').length > 400).map(rel);
  expect(large).toEqual([]);
});

it('documents every environment variable in the README table', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const documented = [...readme.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]);
  expect([...new Set(documented)].sort()).toEqual([...CONFIG_ENV_VARS].sort());
});
