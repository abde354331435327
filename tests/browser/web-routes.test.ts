import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { JOB_FIELDS, webModuleSource } from '@stream-server/contract';
import { WEB_ROOT } from '../../apps/api/src/routes/web-routes';
import { startStack, type TestStack } from '../support/stack';

/**
 * How the API serves the web page (no browser): pages, assets with
 * validators, hls.js from node_modules, a strict CSP, and the budget and
 * packaging rules the page relies on.
 */

const ROOT = path.resolve(__dirname, '../..');
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack('web-routes', { workers: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

const get = (url: string, headers: Record<string, string> = {}) => fetch(`${stack.baseUrl}${url}`, { headers });

/** A bare GET's status: fetch() would add `Cache-Control: no-cache` to a conditional request. */
function rawStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${stack.baseUrl}${url}`, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

it('finds the web files from the api sources (and, by the same relative path, from dist)', () => {
  expect(WEB_ROOT).toBe(path.join(ROOT, 'apps/web'));
  expect(statSync(path.join(WEB_ROOT, 'index.html')).isFile()).toBe(true);
});

it('serves the pages as HTML, revalidated, under a CSP with no inline code and blob: media', async () => {
  for (const page of ['/', '/ops']) {
    const response = await get(page);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('etag')).toBeTruthy();
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("media-src 'self' blob:");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    // It would send http://<lan-ip>:8082's scripts to https:// and break the page.
    expect(csp).not.toContain('upgrade-insecure-requests');
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/);
    // CSP would refuse inline code: every script is a file, no style attributes or blocks.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/);
  }
});

it('serves assets with an ETag, a short lifetime and 304 on revalidation', async () => {
  const first = await get('/assets/app.js');
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toMatch(/javascript/);
  expect(first.headers.get('cache-control')).toBe('public, max-age=300');
  const etag = first.headers.get('etag') ?? '';
  expect(etag).not.toBe('');
  await expect(rawStatus('/assets/app.js', { 'If-None-Match': etag })).resolves.toBe(304);
  await expect(rawStatus('/', { 'If-None-Match': (await get('/')).headers.get('etag') ?? '' })).resolves.toBe(304);
  await expect(get('/assets/style.css').then((res) => res.headers.get('content-type'))).resolves.toMatch(/^text\/css/);
});

it('serves hls.js from the installed package, cached for a day', async () => {
  const response = await get('/assets/vendor/hls.min.js');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
  expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
  const body = Buffer.from(await response.arrayBuffer());
  expect(body.equals(readFileSync(require.resolve('hls.js/dist/hls.min.js')))).toBe(true);
});

it("serves tus-js-client's browser bundle from the installed package, cached for a day", async () => {
  const response = await get('/assets/vendor/tus.min.js');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
  expect(response.headers.get('cache-control')).toBe('public, max-age=86400');
  const body = Buffer.from(await response.arrayBuffer());
  expect(body.equals(readFileSync(require.resolve('tus-js-client/dist/tus.min.js')))).toBe(true);
  // A dependency of the API itself: a production install (dev dependencies pruned) has it.
  const api = JSON.parse(readFileSync(path.join(ROOT, 'apps/api/package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(api.dependencies['tus-js-client']).toBeDefined();
});

it("serves the contract's field names as a module, like an asset, that the scripts import instead of copying", async () => {
  const response = await get('/assets/contract.js');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
  expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  const etag = response.headers.get('etag') ?? '';
  expect(etag).not.toBe('');
  await expect(rawStatus('/assets/contract.js', { 'If-None-Match': etag })).resolves.toBe(304);
  const text = await response.text();
  expect(text).toBe(webModuleSource());
  expect(text).toContain(JSON.stringify(JOB_FIELDS));
  // Not a file: apps/web holds no copy to drift.
  expect(readdirSync(path.join(WEB_ROOT, 'assets'))).not.toContain('contract.js');
  for (const script of ['api.js', 'app.js', 'ops.js']) {
    expect(readFileSync(path.join(WEB_ROOT, 'assets', script), 'utf8')).toMatch(/from '\.\/contract\.js';/);
  }
});

it('answers missing or escaping asset paths with the JSON 404', async () => {
  for (const url of ['/assets/missing.js', '/assets/%2e%2e/index.html', '/assets/', '/assets/.hidden']) {
    const response = await get(url);
    expect([url, response.status]).toEqual([url, 404]);
    await expect(response.json()).resolves.toMatchObject({ code: 'NOT_FOUND' });
  }
});

it("keeps each page's JavaScript under 30 KB (hls.js and tus-js-client aside, loaded only when needed)", () => {
  const size = (file: string) => statSync(path.join(WEB_ROOT, 'assets', file)).size;
  const modules = readdirSync(path.join(WEB_ROOT, 'assets')).filter((file) => file.endsWith('.js'));
  const uploadPage = modules.filter((file) => file !== 'ops.js');
  const opsPage = ['api.js', 'ops.js'];
  for (const files of [uploadPage, opsPage]) {
    const total = files.reduce((sum, file) => sum + size(file), 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(30 * 1024);
  }
});

it('ships apps/web in the Docker image', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  expect(runtime).toMatch(/^COPY --from=build \/app\/apps \.\/apps$/m);
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  expect(ignored.filter((pattern) => /^(\*\*\/)?(apps\/?)?(web|assets)\b|\*\.(html|css|js)$/.test(pattern))).toEqual(
    [],
  );
});
