// The production start against providers this test starts (and can slow down or stop), through the
// real doors: `npm start` (npm → launcher → next-server) and `npm start -- --standalone`.
// One gateway per process under next start: /api/metrics counts the traffic of /api/graphql, and
// /api/health/ready sees its breakers. Graceful shutdown on SIGTERM: readiness 503 at once, in-flight
// requests finish (200, each with its log line), then every process exits 0 and the port is free.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEnv } from '../../src/dev/demo-env';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { ensureNextBuild, freePort, launch, type Launched } from '../helpers/processes';

const JWT_SECRET = 'e2e-shutdown-jwt-secret-0123456789abcdef';
const METRICS_TOKEN = 'e2e-metrics-token';
const CATALOG_LATENCY_MS = 2000;
const DRAIN_MS = 1000;
const IN_FLIGHT = 5;

interface Started {
  readonly upstreams: Upstreams;
  readonly launched: Launched;
  readonly base: string;
  readonly port: number;
}

/** A production start (no DEMO) against upstreams of its own; `extra` adds or overrides variables. */
async function start(args: string[], extra: Record<string, string>): Promise<Started> {
  // Not `dev-…` credentials: a production start without DEMO=1 refuses demo secrets.
  const upstreams = await startUpstreams({ credentialPrefix: 'e2e-' });
  const port = await freePort();
  const env = {
    ...demoEnv(upstreams),
    DEMO: '0',
    PORT: String(port),
    JWT_SECRET,
    // Plain queries, every one reaching its providers: no allowlist, no cache, no burst budget.
    PERSISTED_OPERATIONS: 'off',
    RESPONSE_CACHE: '0',
    RATE_LIMIT_BURST_REQUESTS: '0',
    ...extra,
  };
  const launched = await launch(args, env, /ready at/, { via: 'npm' });
  return { upstreams, launched, base: `http://127.0.0.1:${port}`, port };
}

async function stop(started: Started | undefined): Promise<void> {
  await started?.launched.stop();
  await started?.upstreams.close();
}

function post(base: string, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query }),
  });
}

/** Sum of a Prometheus series over its labels, from `/api/metrics`. */
async function scrape(base: string, series: string): Promise<number> {
  const res = await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  const pattern = new RegExp(`^${series}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The descendants of a process, from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may hold spaces) are after its closing parenthesis: state, ppid, …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parentOf) {
      if (ppid !== parent) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/**
 * Alive and not a zombie. A zombie has exited: tsx's esbuild service, a child of the launcher, ends
 * just after it and waits for PID 1 to reap it (which a container's or this sandbox's PID 1 may never do).
 */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

interface Timeline {
  readonly readiness503Ms: number;
  readonly lastRequestDoneMs: number;
  readonly exitMs: number;
}

/**
 * Puts IN_FLIGHT slow requests in flight, sends SIGTERM to the npm process, and checks the shutdown:
 * readiness 503 at once, a request during the drain still served, every in-flight request 200 with
 * its log line, exit code 0, no process left, the port free. Returns the timeline from the signal.
 */
async function exerciseShutdown(started: Started): Promise<Timeline> {
  const { upstreams, launched, base, port } = started;
  const npmPid = launched.child.pid ?? 0;
  const exited = new Promise<number | null>((resolve) => launched.child.once('exit', (code) => resolve(code)));
  // npm → launcher → next-server (or the launcher alone serving on node:http).
  const processes = descendantsOf(npmPid);
  expect(processes.length).toBeGreaterThanOrEqual(1);

  upstreams.catalog.fault({ kind: 'latency', ms: CATALOG_LATENCY_MS });
  const ids = Array.from({ length: IN_FLIGHT }, (_, i) => `e2e-shutdown-${port}-${i}`);
  const inFlight = ids.map((id, i) =>
    post(base, `{ products(first: ${i + 1}) { edges { node { id } } } }`, { 'x-request-id': id }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { data?: { products: { edges: unknown[] } } },
      doneAt: performance.now(),
    })),
  );
  await upstreams.catalog.waitForRequests(IN_FLIGHT);

  const signalAt = performance.now();
  process.kill(npmPid, 'SIGTERM');
  // The signal travels npm → launcher → next-server: poll until readiness answers 503 (bounded).
  let readiness = 200;
  let readinessAt = 0;
  for (let poll = 0; poll < 200 && readiness === 200; poll++) {
    const res = await fetch(`${base}/api/health/ready`);
    readiness = res.status;
    readinessAt = performance.now();
    if (readiness === 503) expect(await res.json()).toEqual({ status: 'not_ready', checks: { config: 'ok', shutdown: 'draining' } });
    else await res.arrayBuffer();
  }
  expect(readiness).toBe(503);
  expect(readinessAt - signalAt).toBeLessThan(DRAIN_MS);
  // Still serving during the drain: a load balancer that has not yet seen the 503 loses nothing.
  const during = await post(base, '{ ping }');
  expect([during.status, await during.json()]).toEqual([200, { data: { ping: true } }]);

  const answers = await Promise.all(inFlight);
  expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
  expect(answers.map((a) => a.body.data?.products.edges.length)).toEqual(ids.map((_, i) => i + 1));
  const lastDoneAt = Math.max(...answers.map((a) => a.doneAt));
  // The in-flight requests outlived the drain: the listener closed while they were still being answered.
  expect(lastDoneAt - signalAt).toBeGreaterThan(DRAIN_MS);

  expect(await exited).toBe(0);
  const exitAt = performance.now();
  const lines = launched
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; requestId?: string; status?: number });
  for (const id of ids) {
    expect(lines.filter((line) => line.msg === 'graphql request' && line.requestId === id).map((line) => line.status)).toEqual([200]);
  }
  expect(lines.map((line) => line.msg).filter((msg) => msg?.startsWith('shutdown:'))).toEqual([
    'shutdown: draining, readiness 503',
    'shutdown: listener closed, requests finished',
  ]);
  expect(processes.filter(running)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
  return { readiness503Ms: Math.round(readinessAt - signalAt), lastRequestDoneMs: Math.round(lastDoneAt - signalAt), exitMs: Math.round(exitAt - signalAt) };
}

describe('next start: one gateway per process, graceful shutdown', () => {
  let probes: Started | undefined;
  let stopping: Started | undefined;
  let token: string;

  beforeAll(async () => {
    ensureNextBuild();
    token = await mintDevToken('user-1', { secret: JWT_SECRET });
    [probes, stopping] = await Promise.all([
      // No retries: one attempt per provider per request, so the breakers' counts are the requests'.
      start(['start'], { METRICS_TOKEN, UPSTREAM_MAX_RETRIES: '0', SHUTDOWN_DRAIN_MS: '0' }),
      start(['start'], { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_TIMEOUT_MS: '10000' }),
    ]);
  }, 240_000);
  afterAll(async () => {
    await stop(probes);
    await stop(stopping);
  });

  it('counts /api/graphql traffic in /api/metrics (the App Router route sees the API route gateway)', async () => {
    const { base } = probes!;
    const before = await scrape(base, 'bff_graphql_request_duration_seconds_count');
    const N = 7;
    for (let i = 0; i < N; i++) {
      const res = await post(base, '{ ping }');
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect((await scrape(base, 'bff_graphql_request_duration_seconds_count')) - before).toBe(N);
  });

  it('turns /api/health/ready 503 once every provider circuit is open', async () => {
    const { base, upstreams } = probes!;
    const query = '{ me { name } orders(first: 1) { edges { node { id } } } products(first: 2) { edges { node { id reviews { id } } } } }';
    const auth = { authorization: `Bearer ${token}` };
    const warm = await post(base, query, auth);
    expect(warm.status).toBe(200);
    expect(((await warm.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);

    // Reviews is only called for products the catalog returned: stop the others first, the catalog last.
    await Promise.all([upstreams.orders.close(), upstreams.accounts.close(), upstreams.reviews.close()]);
    // 20 failed calls open a circuit (minimum volume 20, ratio 0.5); the catalog meanwhile answers every one.
    for (let i = 0; i < 25; i++) await (await post(base, query, auth)).arrayBuffer();
    const open = await scrape(base, 'bff_upstream_breaker_state');
    expect(open).toBe(3 * 2); // orders, accounts, reviews open (2), catalog closed (0)
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);

    await upstreams.catalog.close();
    // The catalog's 26 successes need as many failures for the ratio 0.5; bounded, checked as it goes.
    let ready: Response | undefined;
    for (let i = 0; i < 40 && ready?.status !== 503; i++) {
      await (await post(base, query, auth)).arrayBuffer();
      if (ready !== undefined) await ready.arrayBuffer();
      ready = await fetch(`${base}/api/health/ready`);
    }
    expect(ready?.status).toBe(503);
    expect(await ready?.json()).toEqual({ status: 'not_ready', checks: { config: 'ok', redis: 'off', upstreams: 'all_open' } });
  });

  it('drains on SIGTERM to npm start: readiness 503, in-flight requests answered and logged, exit 0, nothing left', async () => {
    const timeline = await exerciseShutdown(stopping!);
    console.info(`next start shutdown (drain ${DRAIN_MS} ms, provider latency ${CATALOG_LATENCY_MS} ms), ms after SIGTERM:`, timeline);
  }, 60_000);
});

describe('npm start -- --standalone: graceful shutdown', () => {
  let standalone: Started | undefined;
  beforeAll(async () => {
    standalone = await start(['start', '--standalone'], { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_TIMEOUT_MS: '10000' });
  }, 60_000);
  afterAll(() => stop(standalone));

  it('drains on SIGTERM to npm start: readiness 503, in-flight requests answered and logged, exit 0, nothing left', async () => {
    const timeline = await exerciseShutdown(standalone!);
    console.info(`standalone shutdown (drain ${DRAIN_MS} ms, provider latency ${CATALOG_LATENCY_MS} ms), ms after SIGTERM:`, timeline);
  }, 60_000);
});
