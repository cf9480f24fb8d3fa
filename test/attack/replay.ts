// Replays issue 17's findings against a RUNNING gateway (a production build: `DEMO=1 npm start`,
// `npm start -- --standalone` or `-- --custom-server`) and says, per finding, whether it still holds.
//   npm run edge:replay -- [--url http://127.0.0.1:4000] [--metrics-token T] [--token JWT] [--no-burst] [--no-slow-body]
// Traffic goes only to the given URL (loopback by default), every step is bounded, the burst runs
// last (it spends the replaying caller's budgets). Exit code 1 when a finding is back.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mintDevToken } from '../../src/dev/dev-jwt';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4000' },
    'metrics-token': { type: 'string' },
    token: { type: 'string' },
    'no-burst': { type: 'boolean', default: false },
    'no-slow-body': { type: 'boolean', default: false },
    'slow-body-seconds': { type: 'string', default: '45' },
  },
});
const base = new URL(args.url);
const endpoint = new URL('/api/graphql', base).href;

interface Manifest {
  operations: { id: string; name: string }[];
}
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as Manifest;
const idOf = (name: string): string => {
  const op = manifest.operations.find((o) => o.name === name);
  if (op === undefined) throw new Error(`No persisted operation ${name} in persisted-queries/manifest.json.`);
  return op.id;
};

type Verdict = 'ok' | 'FAIL' | 'skipped';
const results: { finding: string; verdict: Verdict; detail: string }[] = [];
const report = (finding: string, verdict: Verdict, detail: string) => {
  results.push({ finding, verdict, detail });
  console.log(`${verdict.padEnd(7)} ${finding}: ${detail}`);
};

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
}

// The replay is one caller: when its own burst budget refuses it, it waits as told (at most 5 s, 3 times).
async function send(body: string | undefined, headers: Record<string, string> = {}, url = endpoint): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    const reply = await sendOnce(body, headers, url);
    const wait = Number(reply.headers.get('retry-after'));
    if (reply.status !== 429 || attempt >= 3 || !(wait > 0 && wait <= 5)) return reply;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

async function sendOnce(body: string | undefined, headers: Record<string, string> = {}, url = endpoint): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { accept: 'application/graphql-response+json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, ms: performance.now() - started };
}

const codeOf = (reply: Reply): unknown => {
  try {
    const parsed = JSON.parse(reply.text) as { errors?: { extensions?: { code?: unknown } }[] };
    return parsed.errors?.[0]?.extensions?.code;
  } catch {
    return 'not JSON';
  }
};
const isJson = (reply: Reply) => (reply.headers.get('content-type') ?? '').includes('json');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const catalogue = (variables: Record<string, unknown> = { first: 2 }) => JSON.stringify({ documentId: idOf('Catalogue'), variables });

async function normalStillAnswers(): Promise<boolean> {
  const reply = await send(catalogue());
  return reply.status === 200 && codeOf(reply) === undefined;
}

async function finding1(): Promise<void> {
  const header = 'eyJ-'.repeat(3900);
  const normal: number[] = [];
  const hostile: number[] = [];
  // Interleaved, so that both see the same machine. One header only: two would pass Node's 16 KB header limit (431).
  for (let i = 0; i < 20; i++) {
    normal.push((await send(catalogue())).ms);
    const reply = await send(catalogue(), { 'graphql-client-name': header });
    if (reply.status !== 200) return report('1 header scrubbed in quadratic time', 'FAIL', `the request with the header answered ${reply.status}`);
    hostile.push(reply.ms);
  }
  const [n, h] = [median(normal), median(hostile)];
  // Before the fix the hostile request cost ~70 ms against ~3 ms.
  report('1 header scrubbed in quadratic time', h < n * 3 + 10 ? 'ok' : 'FAIL', `median ${h.toFixed(1)} ms with a 15.6 KB graphql-client-name vs ${n.toFixed(1)} ms without`);
}

async function finding2(): Promise<void> {
  const remaining: number[] = [];
  for (let i = 0; i < 3; i++) {
    const forged = `203.0.113.${10 + i}, 198.51.100.${i}`;
    const reply = await send(catalogue(), { 'x-forwarded-for': forged });
    const header = reply.headers.get('ratelimit') ?? reply.headers.get('ratelimit-remaining') ?? '';
    const match = /r=(\d+)/.exec(header) ?? /^(\d+)$/.exec(header);
    if (match?.[1] !== undefined) remaining.push(Number(match[1]));
  }
  if (remaining.length < 3) return report('2 forged X-Forwarded-For', 'skipped', 'no RateLimit header (inbound budgets off?)');
  const shared = remaining[1]! < remaining[0]! && remaining[2]! < remaining[1]!;
  report('2 forged X-Forwarded-For', shared ? 'ok' : 'FAIL', `remaining after three forged addresses: ${remaining.join(', ')} (one shared budget when it decreases)`);
}

async function finding4(): Promise<void> {
  const cases: [string, string][] = [
    ['operationName as an array', '{"operationName":["array"],"query":"{ __typename }"}'],
    ['a null batch item', '[null]'],
    ['variables 20,000 deep', `{"documentId":"${idOf('Catalogue')}","variables":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`],
  ];
  for (const [name, body] of cases) {
    const reply = await send(body);
    const stack = /\bat \S+ \(|node_modules|\.next\//.test(reply.text);
    const ok = reply.status < 500 && isJson(reply) && !stack && !reply.text.includes('INTERNAL_SERVER_ERROR');
    report(`4 ${name}`, ok ? 'ok' : 'FAIL', `${reply.status} ${reply.headers.get('content-type') ?? ''} ${String(codeOf(reply))}${stack ? ' WITH A STACK' : ''}`);
  }
}

async function metricsText(): Promise<string | undefined> {
  const token = args['metrics-token'];
  if (token === undefined) return undefined;
  const reply = await send(undefined, { authorization: `Bearer ${token}`, accept: 'text/plain' }, new URL('/api/metrics', base).href);
  return reply.status === 200 ? reply.text : undefined;
}

async function finding5(): Promise<void> {
  // One refused request first: it adds the series any refusal legitimately has (its code, the `other` operation).
  await send(JSON.stringify({ operationName: 'Warm', query: '{ __typename }' }));
  const before = await metricsText();
  if (before === undefined) return report('5 unbounded metric labels', 'skipped', 'pass --metrics-token (the gateway\'s METRICS_TOKEN)');
  for (let i = 0; i < 25; i++) await send(JSON.stringify({ operationName: `Replay${i}${Math.random().toString(36).slice(2, 8)}`, query: '{ __typename }' }));
  const after = (await metricsText()) ?? '';
  if (!after.includes('operation="other"')) return report('5 unbounded metric labels', 'skipped', '/api/metrics did not count these requests (under next start it may be another gateway\'s)');
  const series = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && l.startsWith('bff_graphql')).length;
  report('5 unbounded metric labels', after.includes('Replay') || series(after) > series(before) ? 'FAIL' : 'ok', `bff_graphql series ${series(before)} → ${series(after)} after 25 random names`);
}

async function finding6(): Promise<void> {
  const reply = await send('{"query": "echo-me');
  report('6 invalid JSON echoes the body', reply.text.includes('originalError') || reply.text.includes('echo-me') ? 'FAIL' : 'ok', `${reply.status} ${String(codeOf(reply))}`);
}

async function finding7(): Promise<void> {
  const before = await metricsText();
  if (before === undefined) return report('7 cache keys from raw variables', 'skipped', 'pass --metrics-token to count cache hits');
  const hits = (text: string) => Number(/bff_response_cache_total\{outcome="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
  for (let i = 0; i < 5; i++) await send(catalogue({ first: 3, junk: Math.random().toString(36) }));
  const after = (await metricsText()) ?? '';
  const served = (text: string) => [...text.matchAll(/bff_graphql_request_duration_seconds_count\{[^}]*\} (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  if (served(after) - served(before) < 5) return report('7 cache keys from raw variables', 'skipped', '/api/metrics did not count these requests (under next start it may be another gateway\'s)');
  report('7 cache keys from raw variables', hits(after) - hits(before) >= 4 ? 'ok' : 'FAIL', `${hits(after) - hits(before)} hits of 5 requests that differ only in an undeclared variable`);
}

async function finding8(): Promise<void> {
  if (args['no-slow-body']) return report('8 slow bodies', 'skipped', '--no-slow-body');
  const limitMs = Number(args['slow-body-seconds']) * 1000;
  const started = performance.now();
  const outcome = await new Promise<string>((resolve) => {
    const socket = connect(Number(base.port || 80), base.hostname);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, limitMs);
    socket.on('connect', () => socket.write(`POST /api/graphql HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`));
    socket.on('data', (chunk) => void (received += chunk.toString('latin1')));
    const done = () => {
      clearTimeout(timer);
      resolve(received.split('\r\n')[0] || 'closed without an answer');
    };
    socket.on('close', done);
    socket.on('error', done);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  report('8 slow bodies', outcome === 'still open' ? 'FAIL' : 'ok', `a body that never completes: "${outcome}" after ${seconds} s`);
}

async function finding9(): Promise<void> {
  const token = args.token ?? (await mintDevToken('user-1'));
  const cases: [string, string, Record<string, unknown>][] = [
    ['order id ".."', 'OrderDetail', { id: '..' }],
    ['order id "."', 'OrderDetail', { id: '.' }],
    ['product id with a comma', 'ProductDetail', { id: 'prod-1,prod-2' }],
    ['a 100 KB product id', 'ProductDetail', { id: 'p'.repeat(100_000) }],
  ];
  for (const [name, operation, variables] of cases) {
    const reply = await send(JSON.stringify({ documentId: idOf(operation), variables }), { authorization: `Bearer ${token}` });
    const code = codeOf(reply);
    report(`9 ${name}`, code === 'BAD_USER_INPUT' ? 'ok' : 'FAIL', `${reply.status} ${String(code)}`);
  }
}

async function finding3(): Promise<void> {
  if (args['no-burst']) return report('3 bursts', 'skipped', '--no-burst');
  let limited: Reply | undefined;
  let sent = 0;
  // 300 requests as fast as 20 connections allow, as in the finding (300 in 2 s all served).
  for (let round = 0; round < 15 && limited === undefined; round++) {
    const replies = await Promise.all(Array.from({ length: 20 }, () => sendOnce(catalogue())));
    sent += replies.length;
    limited = replies.find((r) => r.status === 429);
  }
  const retryAfter = limited?.headers.get('retry-after');
  report('3 bursts', limited !== undefined && retryAfter !== null ? 'ok' : 'FAIL', limited ? `429 after ≤${sent} requests, Retry-After ${retryAfter}` : `${sent} requests served without a 429`);
}

async function main(): Promise<void> {
  if (!(await normalStillAnswers())) throw new Error(`${endpoint} does not answer the persisted Catalogue: is a production gateway running there?`);
  await finding1();
  await finding2();
  await finding4();
  await finding5();
  await finding6();
  await finding7();
  await finding9();
  await finding8();
  const stillAnswers = await normalStillAnswers();
  report('a normal request after all that', stillAnswers ? 'ok' : 'FAIL', stillAnswers ? '200' : 'no answer');
  await finding3();
  const failed = results.filter((r) => r.verdict === 'FAIL');
  console.log(`\n${results.length - failed.length} of ${results.length} checks ok or skipped${failed.length > 0 ? `; FAILED: ${failed.map((f) => f.finding).join('; ')}` : ''}`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

await main();
