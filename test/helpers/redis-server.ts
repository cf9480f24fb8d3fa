// redis-servers of a test's own (Debian's redis-server, on free loopback ports, in memory, in a
// temporary directory): one to freeze, one behind a proxy that holds its replies (a slow Redis), or
// three Cluster masters joined by `redis-cli --cluster create`. Each is stopped by its own PID; the machine's Redis on 6379 is never touched.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';

export interface OwnRedis {
  readonly port: number;
  readonly pid: number;
  readonly url: string;
  /** SIGSTOP: the socket stays open and nothing answers (a hung Redis). */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  stop(): Promise<void>;
}

/** Resolves once redis-server logs that it accepts connections (its own line; no sleep of ours). */
function ready(child: ChildProcess, line = 'Ready to accept connections'): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = `${seen}${chunk.toString()}`.slice(-4096);
      if (!seen.includes(line)) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${seen}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** A free port whose Cluster bus port (port + 10000) is free too, when asked for. */
async function freePortFor(cluster: boolean): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!cluster) return port;
    if (port + 10_000 > 65_535) continue;
    const bus = createServer();
    const free = await new Promise<boolean>((resolve) => {
      bus.once('error', () => resolve(false));
      bus.listen(port + 10_000, '127.0.0.1', () => resolve(true));
    });
    if (free) await new Promise<void>((resolve) => bus.close(() => resolve()));
    if (free) return port;
  }
}

async function startOne(dir: string, extra: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  // A port found free can be taken before redis-server binds it (other tests run beside): a few tries.
  for (let attempt = 1; ; attempt++) {
    const port = await freePortFor(extra.includes('--cluster-enabled'));
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (child.pid === undefined) throw new Error('redis-server did not start (is it installed? test/setup/prepare-machine.mjs)');
    try {
      await ready(child);
      return { child, port };
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) throw error;
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  // A frozen server ignores SIGTERM until continued.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited(child);
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  const { child, port } = await startOne(dir, []);
  const pid = child.pid ?? 0;
  return {
    port,
    pid,
    url: `redis://127.0.0.1:${port}`,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnCluster {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, all 16384 slots assigned; resolves once the cluster state is ok. */
export async function startOwnCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-cluster-'));
  const children: ChildProcess[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const nodeDir = join(dir, `node-${i}`);
      spawnSync('mkdir', ['-p', nodeDir]);
      const { child, port } = await startOne(nodeDir, ['--cluster-enabled', 'yes', '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '2000']);
      children.push(child);
      ports.push(port);
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    // `--cluster create` returns once slots are assigned; every node must agree before a client connects.
    for (const port of ports) {
      const check = spawnSync('redis-cli', ['--cluster', 'check', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 30_000 });
      if (!check.stdout.includes('[OK] All 16384 slots covered')) throw new Error(`cluster not ready on ${port}: ${check.stdout}`);
    }
    return {
      nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
      async stop() {
        await Promise.all(children.map(stopChild));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface SlowProxy {
  readonly url: string;
  /** From now on, Redis's replies are held back (commands still reach Redis and run). */
  hold(): void;
  /** Sends every reply held back, late, and stops holding. */
  release(): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of a Redis whose replies can be held back: a Redis that is slow. */
export async function startSlowProxy(redisPort: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>();
  const heldBack: [Socket, Buffer][] = [];
  let holding = false;
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (holding) heldBack.push([client, chunk]);
      else client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const [client, chunk] of heldBack.splice(0)) if (!client.destroyed) client.write(chunk);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface OwnSentinel {
  readonly port: number;
  stop(): Promise<void>;
}

/** One Sentinel (quorum 1) watching `primaryPort` as `name`; resolves once it monitors it. */
export async function startOwnSentinel(primaryPort: number, name: string): Promise<OwnSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${name} 127.0.0.1 ${primaryPort} 1\n`);
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'ignore'] });
  if (child.pid === undefined) throw new Error('redis-server --sentinel did not start');
  try {
    await ready(child, `+monitor master ${name}`);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
