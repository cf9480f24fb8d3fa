// The main run: every target × scenario × connection count. Every target's child is started first
// and stays up; per scenario each target is calibrated (upstream calls per request, answers checked),
// then per connection count each is warmed up and measured in `rounds` slices, taken in turn with
// the other targets' (a different target first in each round). Why interleaved: on a shared VM the
// machine's speed drifts over minutes (the same build measured 2.7 and 4.9 CPU ms per order page
// ten minutes apart), and a ratio of two cells measured minutes apart measured the drift as much
// as the targets. Slices spread each target over the same minutes, so the ratios compare like with like.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Upstreams } from '../../src/dev/upstreams';
import { calibrate, type Calibration } from './calibrate';
import { measureFirstPart } from './first-part';
import { LoadTotals, runLoad } from './load';
import { requestFor, SCENARIOS, type PersistedLookup, type RequestSpec, type ScenarioName } from './operations';
import type { BenchOptions } from './options';
import { cpuMs, peakRssMb, resetPeakRss, signalTree } from './proc';
import type { ChildHandle } from './child';
import { PROFILE_DIR, startTarget, TARGETS, type Target, type TargetName } from './targets';

export interface Row {
  readonly target: TargetName;
  readonly scenario: ScenarioName;
  readonly connections: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  readonly peakRssMb: number;
  readonly upstreamRequestsPerRequest: number;
  /** Extra facts: answers counted, non-2xx, socket errors, how the operation was sent. */
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Answers carrying GraphQL errors (partial data under load counts), and their codes. */
  readonly graphqlErrors: number;
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly sentAs: 'hash' | 'document' | 'none';
  /** Each measured slice, in round order: the spread behind the totals (report.ts compares rows round by round). */
  readonly rounds: readonly RoundFigures[];
}

export interface RoundFigures {
  readonly rps: number;
  readonly cpuMsPerRequest: number;
}

export interface ScenarioNote {
  readonly target: TargetName;
  readonly scenario: ScenarioName;
  readonly calibration: Calibration;
}

export interface MatrixContext {
  readonly upstreams: Upstreams;
  readonly options: BenchOptions;
  readonly token: string;
  readonly persisted: PersistedLookup;
  readonly log: (line: string) => void;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

interface Running {
  readonly target: Target;
  readonly child: ChildHandle;
  readonly origin: string;
  readonly endpointPath: string;
  readonly scenarios: readonly ScenarioName[];
}

interface Cell {
  readonly running: Running;
  readonly spec: RequestSpec;
  readonly totals: LoadTotals;
  cpuMs: number;
  peakRssMb: number;
  profile: string | undefined;
  readonly rounds: RoundFigures[];
}

async function startAll(ctx: MatrixContext): Promise<Running[]> {
  const { options, log } = ctx;
  const running: Running[] = [];
  for (const target of TARGETS) {
    if (options.targets && !options.targets.has(target.name)) continue;
    if (target.name === 'ours-variant' && options.variantEnv === undefined) continue;
    const scenarios = target.scenarios.filter((s) => !options.scenarios || options.scenarios.has(s));
    if (scenarios.length === 0) continue;
    log(`▶ ${target.name}: starting (${target.note})`);
    try {
      const child = await startTarget(target.name, { upstreams: ctx.upstreams, options });
      const url = new URL(child.url);
      running.push({ target, child, origin: url.origin, endpointPath: url.pathname, scenarios });
    } catch (error) {
      log(`  ! ${target.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return running;
}

/** The targets of one scenario that answered their calibration, with their request. */
async function calibrateAll(ctx: MatrixContext, running: readonly Running[], scenario: ScenarioName, notes: ScenarioNote[]): Promise<{ running: Running; spec: RequestSpec; calibration: Calibration }[]> {
  const out: { running: Running; spec: RequestSpec; calibration: Calibration }[] = [];
  for (const r of running.filter((x) => x.scenarios.includes(scenario))) {
    const spec = requestFor(scenario, { endpointPath: r.endpointPath, token: ctx.token, persisted: ctx.persisted, byHash: r.target.byHash ?? r.target.kind === 'ours' });
    const graphql = r.target.kind !== 'raw';
    // Sequential, so no request of a closed-loop run is still in flight and counted. The first
    // answer warms what a warm-up would (token, caches); the rest are counted.
    await calibrate(ctx.upstreams, r.origin, spec, 1, graphql);
    const calibration = await calibrate(ctx.upstreams, r.origin, spec, ctx.options.calibrationRequests, graphql);
    for (const problem of calibration.problems) ctx.log(`  ! ${r.target.name} ${scenario}: ${problem}`);
    notes.push({ target: r.target.name, scenario, calibration });
    if (calibration.failed === calibration.sent) ctx.log(`  ✗ ${r.target.name} ${scenario}: every answer failed, not measured`);
    else out.push({ running: r, spec, calibration });
  }
  return out;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the child has finished the work a load left behind (the requests still in flight when
 * the load generator stopped): CPU ≤ one clock tick per 500 ms, or 30 s at most. Without it, the next
 * target's slice shared the core and the providers with that tail (the naive N+1 target keeps going
 * for seconds, 293 provider calls per request).
 */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let before = cpuMs(pid);
  while (Date.now() < deadline) {
    await delay(500);
    const now = cpuMs(pid);
    if (now - before <= 10) return;
    before = now;
  }
}

/** One measured slice of a cell: the child's CPU time and peak RSS in the measured window, then its tail drained. */
async function measureSlice(cell: Cell, connections: number, durationS: number): Promise<void> {
  const { child, origin } = cell.running;
  let cpuBefore = Number.NaN;
  let cpuAfter = Number.NaN;
  const onMeasureStart = () => {
    resetPeakRss(child.pid);
    cpuBefore = cpuMs(child.pid);
  };
  const onMeasureEnd = () => {
    cpuAfter = cpuMs(child.pid);
  };
  const before = { requests: cell.totals.requests, durationS: cell.totals.durationS };
  await runLoad(
    { origins: [origin], spec: cell.spec, connections, durationS: UNMEASURED_S + durationS + UNMEASURED_TAIL_S, unmeasuredS: UNMEASURED_S, unmeasuredTailS: UNMEASURED_TAIL_S, onMeasureStart, onMeasureEnd },
    cell.totals,
  );
  const sliceCpuMs = cpuAfter - cpuBefore;
  cell.cpuMs += sliceCpuMs;
  const requests = cell.totals.requests - before.requests;
  const seconds = cell.totals.durationS - before.durationS;
  cell.rounds.push({ rps: seconds > 0 ? requests / seconds : Number.NaN, cpuMsPerRequest: requests > 0 ? sliceCpuMs / requests : Number.NaN });
  cell.peakRssMb = Math.max(cell.peakRssMb, peakRssMb(child.pid));
  await settle(child.pid);
}

/**
 * While one target is measured the others are stopped (SIGSTOP), and resumed (SIGCONT) for their own
 * slices and before anything talks to them again. Every target is pinned to the same core, and an
 * idle process is not idle: its V8 still collects on its own schedule (the memory reducer runs full
 * collections seconds after a process goes quiet), its timers fire. What the measured target paid
 * for that was not traced; what is measured: the same gateway in two processes (standalone and
 * Next's custom server) was 5–27 % apart in CPU per order page in three full runs, and 0.4 % apart
 * (1.933 vs 1.941 ms) with idle targets stopped.
 */
function freezeAllBut(all: readonly Running[], active: Running): void {
  for (const r of all) signalTree(r.child.pid, r === active ? 'SIGCONT' : 'SIGSTOP');
}

/** Measures every target of a scenario at one connection count, interleaved (see the top of the file). */
async function measureCells(
  ctx: MatrixContext,
  measured: { running: Running; spec: RequestSpec }[],
  scenario: ScenarioName,
  connections: number,
  first: boolean,
  all: readonly Running[],
): Promise<Cell[]> {
  const { options } = ctx;
  const cells: Cell[] = measured.map((m) => ({ ...m, totals: new LoadTotals(), cpuMs: 0, peakRssMb: 0, profile: undefined, rounds: [] }));
  for (const cell of cells) {
    await runLoad({ origins: [cell.running.origin], spec: cell.spec, connections, durationS: first ? options.warmupS : Math.max(1, options.warmupS / 3) });
    await settle(cell.running.child.pid);
    // --cpu-prof: the first (busiest) cell of each scenario, from its first slice to its last; other
    // targets' slices are idle samples, left out of the shares, and per-request figures divide by
    // every answer in that span (LoadTotals.answered), unmeasured seconds included.
    if (options.cpuProf && first && (await cell.running.child.profileStart())) {
      cell.profile = `${PROFILE_DIR}/${cell.running.target.name}-${scenario}-c${connections}.cpuprofile`;
    }
  }
  const sliceS = options.durationS / options.rounds;
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      for (let i = 0; i < cells.length; i += 1) {
        const cell = cells[(i + round) % cells.length];
        if (cell === undefined) continue;
        if (options.freezeIdle) freezeAllBut(all, cell.running);
        await measureSlice(cell, connections, sliceS);
      }
    }
  } finally {
    if (options.freezeIdle) for (const r of all) signalTree(r.child.pid, 'SIGCONT');
  }
  for (const cell of cells) {
    if (cell.profile === undefined) continue;
    mkdirSync(PROFILE_DIR, { recursive: true });
    await cell.running.child.profileStop(cell.profile);
    writeFileSync(`${cell.profile}.json`, JSON.stringify({ target: cell.running.target.name, scenario, connections, requests: cell.totals.answered }));
  }
  return cells;
}

/** Seconds of each slice under load before its measured window opens (see LoadOptions.unmeasuredS). */
const UNMEASURED_S = 1;
/** Seconds under load after it closes (LoadOptions.unmeasuredTailS): stopping the load is not measured. */
const UNMEASURED_TAIL_S = 0.5;

function rowOf(cell: Cell, scenario: ScenarioName, connections: number, calibration: Calibration | undefined): Row {
  const result = cell.totals.result();
  return {
    target: cell.running.target.name,
    scenario,
    connections,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    cpuMsPerRequest: result.requests > 0 ? cell.cpuMs / result.requests : Number.NaN,
    peakRssMb: cell.peakRssMb,
    upstreamRequestsPerRequest: calibration?.upstreamPerRequest ?? Number.NaN,
    requests: result.requests,
    non2xx: result.non2xx,
    errors: result.errors,
    graphqlErrors: result.graphqlErrors,
    errorCodes: result.errorCodes,
    sentAs: cell.spec.sentAs,
    rounds: cell.rounds,
  };
}

/** Every connection count of one scenario, its targets interleaved. */
async function measureScenario(ctx: MatrixContext, running: readonly Running[], scenario: ScenarioName, notes: ScenarioNote[]): Promise<Row[]> {
  const { options, log } = ctx;
  const rows: Row[] = [];
  if (scenario === 'order-page-deferred') {
    // Latency to the first part and to the whole answer, not load (first-part.ts): figures in the log.
    for (const r of running.filter((x) => x.scenarios.includes(scenario))) {
      await measureFirstPart({ ...ctx, durationS: options.durationS }, r.target.name, r.origin, r.endpointPath, options.slowReviewsMs);
    }
    return rows;
  }
  const measured = await calibrateAll(ctx, running, scenario, notes);
  if (measured.length === 0) return rows;
  log(`▶ ${scenario}: ${measured.map((m) => m.running.target.name).join(', ')} in ${options.rounds} interleaved rounds`);
  for (const [i, connections] of options.connections.entries()) {
    for (const cell of await measureCells(ctx, measured, scenario, connections, i === 0, running)) {
      const row = rowOf(cell, scenario, connections, measured.find((m) => m.running === cell.running)?.calibration);
      rows.push(row);
      log(
        `  ${row.target} ${scenario} c=${connections}: ${fmt(row.rps, 0)} req/s, p50 ${fmt(row.p50Ms, 2)} ms, p99 ${fmt(row.p99Ms, 2)} ms, ` +
          `${fmt(row.cpuMsPerRequest, 3)} CPU ms/req, peak ${fmt(row.peakRssMb, 0)} MB${row.non2xx + row.errors + row.graphqlErrors > 0 ? `, ${row.non2xx} non-2xx, ${row.graphqlErrors} with GraphQL errors ${JSON.stringify(row.errorCodes)}, ${row.errors} socket errors` : ''}`,
      );
    }
  }
  return rows;
}

export async function runMatrix(ctx: MatrixContext): Promise<{ rows: Row[]; notes: ScenarioNote[] }> {
  const { log } = ctx;
  const rows: Row[] = [];
  const notes: ScenarioNote[] = [];
  const running = await startAll(ctx);
  try {
    for (const scenario of SCENARIOS) {
      // A scenario that fails (a child crashed, the load generator threw) is logged and skipped; the others still run.
      try {
        rows.push(...(await measureScenario(ctx, running, scenario, notes)));
      } catch (error) {
        log(`  ! ${scenario} failed: ${error instanceof Error ? error.message : String(error)}`);
        for (const r of running) if (r.scenarios.includes(scenario)) log(`    ${r.target.name} stderr: ${r.child.stderr().slice(-1000)}`);
      }
    }
  } finally {
    for (const r of running) {
      try {
        await r.child.stop();
      } catch (error) {
        log(`  ! ${r.target.name} did not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n${r.child.stderr().slice(-2000)}`);
      }
    }
  }
  return { rows, notes };
}
