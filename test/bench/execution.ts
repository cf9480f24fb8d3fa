// `npm run bench:execution`: what executing the order page costs, apart from HTTP. In one process,
// the providers' answers are recorded once from the simulated providers and then replayed (each
// JSON.parsed again, then checked and mapped by our provider clients, as in production), and three
// ways of building the same answer are timed in interleaved rounds: by hand (the floor's assembly,
// peers/order-page-by-hand.ts), graphql-jit and graphql-js over our schema, resolvers and DataLoaders.
// Each page ends with JSON.stringify of its answer. Sequential pages, and 50 pages in flight whose
// replayed answers arrive on later turns of the event loop, as under load. Figures: CPU µs per page
// (process.cpuUsage), each target's ratio to the hand-built page in the same round. Writes
// test/bench/results/execution.md. BENCH_EXEC_ROUNDS (5) and BENCH_EXEC_SLICE_MS (1500) set the length.
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DEV_CALLER_SCOPES, startUpstreams } from '../../src/dev/upstreams';
import { demoEnv } from '../../src/dev/demo-env';
import type { CallContext, ProviderHttpClient, UpstreamRequest } from '../../src/http/types';
import { createLoaders } from '../../src/loaders';
import { createProviders, perProvider, type PerProvider, type Providers } from '../../src/providers';
import { buildConfig, loadEnv } from '../../src/server/config';
import type { GraphQLContext } from '../../src/server/context';
import { getSchema } from '../../src/server/schema';
import { loadPersisted } from './operations';
import { orderPageByHand } from './peers/order-page-by-hand';
import { createPlainHttp } from './peers/plain-providers';
import { PEER_CALLER } from './peers/resolvers';
import { RESULTS_DIR } from './report';

const log = (line: string) => process.stderr.write(`${line}\n`);

const ROUNDS = Number(process.env['BENCH_EXEC_ROUNDS'] ?? 5);
const SLICE_MS = Number(process.env['BENCH_EXEC_SLICE_MS'] ?? 1500);
const IN_FLIGHT = 50;

type Replay = 'now' | 'later';

/** Our provider clients over recorded answers: the first call of each request goes to the simulator. */
function replaying(http: PerProvider<ProviderHttpClient>, mode: { replay: Replay }): PerProvider<ProviderHttpClient> {
  const recorded = new Map<string, string>();
  return perProvider((name) => {
    const client = http[name];
    return {
      provider: name,
      async request(req: UpstreamRequest, ctx: CallContext) {
        const key = JSON.stringify([name, req.method, req.path, req.query ?? null, req.body ?? null]);
        let text = recorded.get(key);
        if (text === undefined) {
          text = JSON.stringify((await client.request(req, ctx)).body);
          recorded.set(key, text);
        }
        // Under load a provider's answer arrives on a later turn of the event loop, with other pages' work in between.
        if (mode.replay === 'later') await new Promise<void>((resolve) => setImmediate(resolve));
        return { status: 200, headers: {}, body: JSON.parse(text) as unknown };
      },
      close: () => Promise.resolve(),
    };
  });
}

interface Way {
  readonly name: string;
  page(): Promise<unknown>;
}

function ways(schema: GraphQLSchema, document: DocumentNode, providers: Providers, batchSizes: PerProvider<number>): Way[] {
  const compiled = compileQuery(schema, document, 'OrderPage');
  if (!isCompiledQuery(compiled)) throw new Error(`graphql-jit: ${JSON.stringify(compiled.errors)}`);
  const context = (): GraphQLContext => {
    const call = { requestId: 'execution-bench', deadlineAt: Number.MAX_SAFE_INTEGER };
    return { requestId: call.requestId, caller: { id: PEER_CALLER, scopes: DEV_CALLER_SCOPES }, call, providers, loaders: createLoaders(providers, batchSizes, call) };
  };
  const variables = { after: null };
  return [
    { name: 'by hand (floor)', page: () => orderPageByHand(providers) },
    { name: 'graphql-jit', page: () => Promise.resolve(compiled.query(undefined, context(), variables)) },
    { name: 'graphql-js', page: () => Promise.resolve(execute({ schema, document, contextValue: context(), variableValues: variables })) },
  ];
}

/** CPU µs per page over one slice: pages kept `inFlight` at a time, each answer JSON.stringified. */
async function slice(way: Way, inFlight: number): Promise<number> {
  let pages = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + SLICE_MS;
  const lane = async () => {
    while (performance.now() < until) {
      JSON.stringify(await way.page());
      pages += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / pages;
}

const fmt = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
};

async function main(): Promise<void> {
  const upstreams = await startUpstreams({ latencyMs: 0 });
  try {
    Object.assign(process.env, demoEnv(upstreams), { NODE_ENV: 'production' });
    const config = buildConfig(loadEnv());
    const plain = await createPlainHttp(config);
    const mode: { replay: Replay } = { replay: 'now' };
    const providers = createProviders(replaying(plain.http, mode));
    const operation = loadPersisted().find('OrderPage');
    if (operation === undefined) throw new Error('OrderPage is not in the manifest');
    const all = ways(getSchema(), parse(operation.body), providers, perProvider((name) => config.providers[name].maxBatchSize));

    // Every way must build the same answer before any of them is timed. Two differences are ours on
    // purpose and left out of the comparison: our resolvers round the average rating to two decimals
    // and encode a resumable cursor (the hand-built page, like the peers, does neither).
    const comparable = (key: string, value: unknown) =>
      key === 'averageRating' && typeof value === 'number' ? Math.round(value * 100) / 100 : key === 'endCursor' && typeof value === 'string' ? 'cursor' : value;
    const answers = await Promise.all(all.map(async (w) => JSON.stringify(await w.page(), comparable)));
    const differing = all.filter((_, i) => answers[i] !== answers[0]).map((w) => w.name);
    if (differing.length > 0) throw new Error(`not the hand-built answer: ${differing.join(', ')}`);
    log(`order page: ${answers[0]?.length ?? 0} bytes, identical from ${all.map((w) => w.name).join(', ')}`);

    const lines = [
      '# Order page execution, apart from HTTP',
      '',
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString()}; ${ROUNDS} rounds of ${SLICE_MS} ms per way, ways in turn (a different one first each round).`,
      '',
      '| pages in flight | way | CPU µs per page (median of rounds) | × by hand (median) | × by hand by round (min–max) |',
      '|---:|---|---:|---:|---:|',
    ];
    for (const [inFlight, replay] of [[1, 'now'], [IN_FLIGHT, 'later']] as const) {
      mode.replay = replay;
      for (const w of all) await slice(w, inFlight); // warm-up: compiled code, caches
      const perRound = all.map(() => [] as number[]);
      for (let round = 0; round < ROUNDS; round += 1) {
        for (let i = 0; i < all.length; i += 1) {
          const index = (i + round) % all.length;
          const way = all[index];
          if (way !== undefined) perRound[index]?.push(await slice(way, inFlight));
        }
      }
      const hand = perRound[0] ?? [];
      all.forEach((way, i) => {
        const mine = perRound[i] ?? [];
        const ratios = mine.map((us, r) => us / (hand[r] ?? Number.NaN));
        const line = `| ${inFlight} | ${way.name} | ${fmt(median(mine), 1)} | ${fmt(median(ratios), 2)} | ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)} |`;
        lines.push(line);
        log(line);
      });
    }
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(`${RESULTS_DIR}/execution.md`, `${lines.join('\n')}\n`);
    log(`written ${RESULTS_DIR}/execution.md`);
    await plain.close();
  } finally {
    await upstreams.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
