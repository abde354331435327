import { run } from './processes';
import { MIB } from './stats';

/**
 * One multipart upload of `file` by curl (a lean C client, so the client
 * costs little CPU), no 100-continue round trip: MiB/s by curl's own
 * timing, request start → response, so the probe, queueing and whatever
 * the storage does before the answer are in it. Throws unless it got 200.
 */
export async function curlUploadSpeed(baseUrl: string, file: string): Promise<number> {
  const out = await run('curl', [
    '-sS',
    '-o',
    '/dev/null',
    '-H',
    'Expect:',
    '-w',
    '%{http_code} %{time_total} %{size_upload}',
    '-F',
    `file=@${file};type=audio/wav`,
    `${baseUrl}/v1/stream/transcode`,
  ]);
  const [code, seconds, bytes] = out.trim().split(' ');
  if (code !== '200') throw new Error(`upload answered ${String(code)}`);
  return Number(bytes) / MIB / Number(seconds);
}
