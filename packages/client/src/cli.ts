#!/usr/bin/env node
/**
 * The `stream-server` command. The one place the client reads
 * process.env: this is an end-user tool, not the service (whose settings
 * all go through packages/config), and STREAM_SERVER_URL /
 * STREAM_SERVER_API_KEY are its only two.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli-run';

const env = {
  STREAM_SERVER_URL: process.env['STREAM_SERVER_URL'],
  STREAM_SERVER_API_KEY: process.env['STREAM_SERVER_API_KEY'],
};

void runCli(
  process.argv.slice(2),
  env,
  { stdout: process.stdout, stderr: process.stderr },
  { version: packageVersion() },
).then((code) => {
  process.exitCode = code;
});

function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    const version: unknown =
      typeof manifest === 'object' && manifest !== null ? Reflect.get(manifest, 'version') : undefined;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
