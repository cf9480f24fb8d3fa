// `npm run bench`: starts the simulated providers in this process, each target in its own child
// (pinned to core 0), drives load with autocannon from here (the other core), prints one table and
// writes test/bench/results/latest.{md,json}. `-- --soak`, `-- --two-instances`, `-- --cpu-prof`.
// Filters and lengths: BENCH_TARGETS, BENCH_SCENARIOS, BENCH_DURATION, BENCH_WARMUP, … (options.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { stopAllChildren } from './child';
import { runMatrix } from './matrix';
import { loadPersisted, MANIFEST_PATH } from './operations';
import { readOptions, type BenchOptions } from './options';
import { comparisonMarkdown, summarise, summaryMarkdown } from './profile-summary';
import { RESULTS_DIR, revision, writeReport } from './report';
import { runSoak } from './soak';
import { PROFILE_DIR } from './targets';
import { runTwoInstances } from './two-instances';

const log = (line: string) => process.stderr.write(`${line}\n`);

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** This process (load generator + providers) on every core but 0, which the targets get. */
function pinSelf(options: BenchOptions): void {
  if (!options.pin) return;
  execFileSync('taskset', ['-a', '-p', '-c', `1-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
}

function profileMeta(file: string): { target: string; scenario: string; requests: number } | undefined {
  const meta = `${file}.json`;
  if (!existsSync(meta)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(meta, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('requests' in parsed) || !('target' in parsed) || !('scenario' in parsed)) return undefined;
  const { requests, target, scenario } = parsed;
  return typeof requests === 'number' && typeof target === 'string' && typeof scenario === 'string' ? { requests, target, scenario } : undefined;
}

/** Summaries of the profiles written by this run, and ours-vs-yoga-plain per-request comparisons. */
function profileSection(since: number): string[] {
  if (!existsSync(PROFILE_DIR)) return [];
  const files = readdirSync(PROFILE_DIR)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => `${PROFILE_DIR}/${f}`)
    .filter((f) => statSync(f).mtimeMs >= since);
  const summaries = new Map(files.map((f) => [f, summarise(f, 30)]));
  const out = files.flatMap((f) => ['', summaryMarkdown(f.replace(/^.*\//, ''), summaries.get(f) ?? summarise(f, 30))]);
  // Ours against the peers and Yoga's own floor (what our pipeline adds), and ours-next against ours-standalone (what the Next.js mount adds).
  const pairs: readonly (readonly [string, readonly string[]])[] = [
    ['ours-standalone', ['yoga-floor', 'yoga-jit', 'yoga-plain']],
    ['ours-variant', ['ours-standalone']],
    ['ours-cache-hit', ['yoga-plain']],
    ['ours-next', ['ours-standalone']],
    ['ours-next-custom', ['ours-standalone']],
  ];
  for (const f of files) {
    const meta = profileMeta(f);
    const ours = summaries.get(f);
    if (!meta || !ours) continue;
    for (const baseline of pairs.find(([target]) => target === meta.target)?.[1] ?? []) {
      const baseFile = files.find((b) => profileMeta(b)?.target === baseline && profileMeta(b)?.scenario === meta.scenario);
      const baseMeta = baseFile ? profileMeta(baseFile) : undefined;
      const base = baseFile ? summaries.get(baseFile) : undefined;
      if (!baseMeta || !base) continue;
      out.push('', comparisonMarkdown(`${meta.target} vs ${baseline}, ${meta.scenario}`, { summary: ours, requests: meta.requests }, { summary: base, requests: baseMeta.requests }));
    }
  }
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const startLoad = loadavg()[0] ?? 0;
  const measured = revision();
  const options = readOptions(process.argv.slice(2), process.env, hasTaskset());
  pinSelf(options);
  let upstreams: Upstreams | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      await stopAllChildren();
      await upstreams?.close();
    })();
    return cleaning;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping children`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    upstreams = await startUpstreams({ latencyMs: options.latencyMs, memoizeAnswers: options.providerMemo });
    for (const p of upstreams.servers) p.recording = false;
    const token = await mintDevToken('user-1', { expiresIn: '12h' });
    const persisted = loadPersisted();
    log(persisted.size > 0 ? `persisted operations: ${persisted.size} in ${MANIFEST_PATH}` : `persisted operations: no ${MANIFEST_PATH} yet, sending full documents`);
    const context = { upstreams, options, token, persisted, log };
    if (options.mode === 'soak') {
      console.log(await runSoak(context));
    } else if (options.mode === 'two-instances') {
      console.log(await runTwoInstances(context));
    } else {
      const { rows, notes } = await runMatrix(context);
      const markdown = writeReport(rows, notes, options, profileSection(started), startLoad, (Date.now() - started) / 1000, measured);
      console.log(markdown);
      log(`written ${RESULTS_DIR}/latest.md and latest.json in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    void stopAllChildren().finally(() => process.exit(1));
  },
);
