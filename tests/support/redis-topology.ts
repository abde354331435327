import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './processes';

const run = promisify(execFile);

/** One redis-server (or sentinel) process of a test topology. */
interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGKILL: a crash, not a shutdown. */
  kill(): void;
}

/** `redis-cli -p port args…`, trimmed; throws when the command fails. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5_000 });
  return stdout.trim();
}

async function answers(port: number): Promise<boolean> {
  return (await redisCli(port, 'ping').catch(() => '')) === 'PONG';
}

function spawnRedis(args: readonly string[], port: number): RedisProcess {
  const child = spawn('redis-server', [...args], { stdio: 'ignore' });
  return { port, child, kill: () => void child.kill('SIGKILL') };
}

async function stopAll(processes: readonly RedisProcess[], dir: string): Promise<void> {
  await Promise.all(
    processes.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
          p.child.once('exit', () => resolve());
          p.kill();
        }),
    ),
  );
  await rm(dir, { recursive: true, force: true });
}

/** Options every test server shares: loopback only, no persistence, its own dir. */
function serverArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
}

export interface TestRedisCluster {
  /** REDIS_CLUSTER_NODES: every master's host:port. */
  readonly nodes: string;
  readonly masters: readonly RedisProcess[];
  stop(): Promise<void>;
}

/** A real Redis Cluster of `masters` redis-servers, slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(masters = 3): Promise<TestRedisCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-cluster-'));
  const processes: RedisProcess[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      processes.push(
        spawnRedis(
          [
            ...serverArgs(port, dir),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
          ],
          port,
        ),
      );
    }
    for (const p of processes)
      await waitFor(
        async () => ((await answers(p.port)) ? true : undefined),
        10_000,
        () => `redis on ${p.port}`,
      );
    const addresses = processes.map((p) => `127.0.0.1:${p.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 20_000,
    });
    for (const p of processes) {
      await waitFor(
        async () => ((await redisCli(p.port, 'cluster', 'info')).includes('cluster_state:ok') ? true : undefined),
        20_000,
        () => `cluster_state:ok on ${p.port}`,
      );
    }
    return { nodes: addresses.join(','), masters: processes, stop: () => stopAll(processes, dir) };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}

export interface TestRedisSentinel {
  /** REDIS_SENTINELS. */
  readonly sentinels: string;
  readonly name: string;
  readonly master: RedisProcess;
  readonly replica: RedisProcess;
  /** The port the sentinel names as master now. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

/** A master, one replica and one sentinel watching them (quorum 1, down after 1 s). */
export async function startRedisSentinel(name = 'mymaster'): Promise<TestRedisSentinel> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-sentinel-'));
  const processes: RedisProcess[] = [];
  try {
    const masterPort = await freePort();
    const master = spawnRedis(serverArgs(masterPort, dir), masterPort);
    processes.push(master);
    await waitFor(
      async () => ((await answers(masterPort)) ? true : undefined),
      10_000,
      () => 'the master',
    );
    const replicaPort = await freePort();
    const replicaDir = path.join(dir, 'replica');
    await run('mkdir', ['-p', replicaDir]);
    const replica = spawnRedis(
      [...serverArgs(replicaPort, replicaDir), '--replicaof', '127.0.0.1', String(masterPort)],
      replicaPort,
    );
    processes.push(replica);
    await waitFor(
      async () =>
        (await redisCli(replicaPort, 'info', 'replication').catch(() => '')).includes('master_link_status:up')
          ? true
          : undefined,
      15_000,
      () => 'the replica in sync',
    );
    const sentinelPort = await freePort();
    // A sentinel rewrites its config file: it must be its own, writable.
    const conf = path.join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const sentinel = spawnRedis([conf, '--sentinel'], sentinelPort);
    processes.push(sentinel);
    await waitFor(
      async () => {
        const replicas = await redisCli(sentinelPort, 'sentinel', 'replicas', name).catch(() => '');
        return replicas.includes(String(replicaPort)) ? true : undefined;
      },
      20_000,
      () => 'the sentinel to see the replica',
    );
    return {
      sentinels: `127.0.0.1:${sentinelPort}`,
      name,
      master,
      replica,
      async masterPort() {
        const reply = await redisCli(sentinelPort, 'sentinel', 'get-master-addr-by-name', name);
        return Number(reply.split('\n')[1]);
      },
      stop: () => stopAll(processes, dir),
    };
  } catch (err) {
    await stopAll(processes, dir);
    throw err;
  }
}
