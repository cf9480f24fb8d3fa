import { buildConfig } from './src/config';
import { parseEnv } from './src/config/env';
import { demoEnv } from './src/dev/demo-env';
import { mintDevToken } from './src/dev/dev-jwt';
import { startUpstreams } from './src/dev/upstreams';
import { createGateway } from './src/server/gateway';

const [obs, level] = [process.argv[2] ?? '1', process.argv[3] ?? 'info'];
const Q = `query OrderPage { orders(first: 5) { edges { node { id customer { name } lines { quantity product { title reviews { rating author { name } } } } } } } }`;
const upstreams = await startUpstreams();
const config = buildConfig(parseEnv({ ...demoEnv(upstreams), NODE_ENV: 'production', DEMO: '1', LOG_LEVEL: level, OBSERVABILITY: obs, PERSISTED_OPERATIONS: 'off', RATE_LIMIT_REQUESTS_PER_WINDOW: '1000000000', RATE_LIMIT_COST_PER_WINDOW: '1000000000', RESPONSE_CACHE: '0' }));
const lift = { rateLimit: undefined };
const gw = createGateway(config, { http: { orders: lift, catalog: lift, accounts: lift, reviews: lift } });
const auth = `Bearer ${await mintDevToken('user-1')}`;
const body = JSON.stringify({ query: Q });
async function one() {
  const r = await gw.yoga.fetch('http://x/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: auth }, body });
  const t = await r.text(); if (r.status !== 200 || t.includes('errors')) throw new Error(t.slice(0, 300));
}
async function run(n: number, c: number) { let i = 0; await Promise.all(Array.from({ length: c }, async () => { while (i++ < n) await one(); })); }
await run(800, 16);
const c0 = process.cpuUsage(); const t0 = performance.now(); await run(4000, 16); const dt = performance.now() - t0; const cpu = process.cpuUsage(c0);
process.stderr.write(`obs=${obs} level=${level}: ${(4000 / dt * 1000).toFixed(0)} req/s, cpu ${((cpu.user + cpu.system) / 4000).toFixed(0)} us/req\n`);
await gw.close(); await upstreams.close();
