import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { run, startChild } from './processes';
import { MIB } from './stats';

const TUS = ['-H', 'Tus-Resumable: 1.0.0', '-H', 'Expect:'];
const PATCH_HEADERS = [...TUS, '-H', 'Content-Type: application/offset+octet-stream'];

/**
 * One tus upload of `file` by curl, as a lean client would send it: a
 * creating POST, then the bytes in one PATCH (`-T`, streamed from disk),
 * or in PATCHes of `chunkBytes` each, piped to curl's stdin. MiB/s from
 * before the POST to the last PATCH's answer (which comes once the job is
 * probed and queued), timed here around the curl processes. Throws unless
 * the last PATCH answered 200 with a job id.
 */
export async function curlTusUploadSpeed(baseUrl: string, file: string, chunkBytes?: number): Promise<number> {
  const { size } = await stat(file);
  const started = performance.now();
  const created = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-D',
    '-',
    ...TUS,
    '-X',
    'POST',
    '-H',
    `Upload-Length: ${size}`,
    '-H',
    `Upload-Metadata: filename ${Buffer.from('bench.wav').toString('base64')}`,
    `${baseUrl}/v1/stream/uploads`,
  ]);
  const location = /^location:\s*(\S+)/im.exec(created)?.[1];
  if (!location) throw new Error(`tus creation answered without Location:\n${created}`);
  const url = new URL(location, baseUrl).href;
  let answer = '';
  if (chunkBytes === undefined) {
    answer = await patch(url, 0, ['-T', file]);
  } else {
    for (let offset = 0; offset < size; offset += chunkBytes) {
      answer = await patchFromStdin(url, file, offset, Math.min(chunkBytes, size - offset));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const [code, ...body] = answer.split('\n');
  if (code !== '200' || !body.join('\n').includes('"job_id"')) throw new Error(`last PATCH answered ${answer}`);
  return size / MIB / seconds;
}

/** A PATCH at `offset`; answers "<status>\n<body>". */
function patch(url: string, offset: number, body: readonly string[]): Promise<string> {
  return run('curl', [
    '-sS',
    '-X',
    'PATCH',
    ...PATCH_HEADERS,
    '-H',
    `Upload-Offset: ${offset}`,
    ...body,
    '-w',
    '\n%{http_code}',
    url,
  ]).then(statusFirst);
}

/** A PATCH of `length` bytes from `offset` of `file`, fed to curl's stdin with an explicit Content-Length. */
async function patchFromStdin(url: string, file: string, offset: number, length: number): Promise<string> {
  const child = startChild(
    'curl',
    'curl',
    [
      '-sS',
      '-X',
      'PATCH',
      ...PATCH_HEADERS,
      '-H',
      `Upload-Offset: ${offset}`,
      '-H',
      `Content-Length: ${length}`,
      '-H',
      'Transfer-Encoding:',
      // -T - streams stdin; with Transfer-Encoding blanked, curl sends the Content-Length given.
      '-T',
      '-',
      '-w',
      '\n%{http_code}',
      url,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const stdin = child.proc.stdin;
  if (!stdin) throw new Error('curl has no stdin');
  await pipeline(createReadStream(file, { start: offset, end: offset + length - 1, highWaterMark: MIB }), stdin);
  const code = await child.exited;
  if (code !== 0) throw new Error(`curl PATCH exited ${String(code)}:\n${child.output()}`);
  return statusFirst(stdout);
}

function statusFirst(output: string): string {
  const cut = output.lastIndexOf('\n');
  return `${output.slice(cut + 1)}\n${output.slice(0, cut)}`;
}
