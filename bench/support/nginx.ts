import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, startChild, waitForHttp, type Child } from './processes';

export interface NginxServer {
  readonly baseUrl: string;
  readonly child: Child;
}

/**
 * nginx serving `storageDir/hls/` at the API's own HLS paths
 * (/v1/stream/hls/<job>/<segment>), with the same caching headers, as a
 * foreground child: `nginx -p <dir> -c <conf> -e stderr -g 'daemon off;'`.
 * Configured as a user would run it: `worker_processes auto` (one per
 * core), sendfile on. No access log: nginx's default would write a line per
 * request to a file, which the comparison is not about.
 */
export async function startNginx(workDir: string, storageDir: string, probePath: string): Promise<NginxServer> {
  await mkdir(path.join(workDir, 'temp'), { recursive: true });
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${path.join(workDir, 'temp', name)};`;
  const root = process.getuid?.() === 0;
  const conf = [
    // As root nginx would drop its worker to "nobody", who cannot read our private temp dir.
    root ? 'user root;' : '',
    'worker_processes auto;',
    `pid ${path.join(workDir, 'nginx.pid')};`,
    'error_log stderr error;',
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  keepalive_requests 1000000;',
    `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
    '  types { video/mp2t ts; video/mp4 m4s mp4; application/vnd.apple.mpegurl m3u8; }',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    location /v1/stream/hls/ {',
    `      alias ${path.join(storageDir, 'hls')}/;`,
    '      add_header Cache-Control "public, max-age=31536000, immutable";',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const confFile = path.join(workDir, 'nginx.conf');
  await writeFile(confFile, conf);
  const child = startChild('nginx', 'nginx', ['-p', workDir, '-c', confFile, '-e', 'stderr', '-g', 'daemon off;']);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}${probePath}`, child, 10_000);
  return { baseUrl, child };
}
