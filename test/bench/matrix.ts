// The main run: every target × scenario × connection count, back to back. One child per target;
// per cell a warm-up, then the measured run with the child's CPU time and peak RSS read from /proc
// before and after; per scenario a calibration first (upstream calls per request, answers checked).
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Upstreams } from '../../src/dev/upstreams';
import { calibrate, type Calibration } from './calibrate';
import { runLoad } from './load';
import { requestFor, type PersistedLookup, type ScenarioName } from './operations';
import type { BenchOptions } from './options';
import { cpuMs, peakRssMb, resetPeakRss } from './proc';
import { PROFILE_DIR, startTarget, TARGETS, type TargetName } from './targets';

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

export async function runMatrix(ctx: MatrixContext): Promise<{ rows: Row[]; notes: ScenarioNote[] }> {
  const { upstreams, options, log } = ctx;
  const rows: Row[] = [];
  const notes: ScenarioNote[] = [];
  for (const target of TARGETS) {
    if (options.targets && !options.targets.has(target.name)) continue;
    const scenarios = target.scenarios.filter((s) => !options.scenarios || options.scenarios.has(s));
    if (scenarios.length === 0) continue;
    log(`▶ ${target.name}: starting (${target.note})`);
    let child: Awaited<ReturnType<typeof startTarget>>;
    try {
      child = await startTarget(target.name, { upstreams, options });
    } catch (error) {
      log(`  ! ${target.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    try {
      const url = new URL(child.url);
      for (const scenario of scenarios) {
        const spec = requestFor(scenario, { endpointPath: url.pathname, token: ctx.token, persisted: ctx.persisted, byHash: target.kind === 'ours' });
        const graphql = target.kind !== 'raw';
        // Before the load: sequential, so no request of a closed-loop run is still in flight and
        // counted. The first answer warms what a warm-up would (token, caches); the rest are counted.
        await calibrate(upstreams, url.origin, spec, 1, graphql);
        const calibration = await calibrate(upstreams, url.origin, spec, options.calibrationRequests, graphql);
        for (const problem of calibration.problems) log(`  ! ${target.name} ${scenario}: ${problem}`);
        notes.push({ target: target.name, scenario, calibration });
        if (calibration.failed === calibration.sent) {
          log(`  ✗ ${target.name} ${scenario}: every answer failed, not measured`);
          continue;
        }
        const scenarioRows: Omit<Row, 'upstreamRequestsPerRequest'>[] = [];
        for (const [i, connections] of options.connections.entries()) {
          const warmupS = i === 0 ? options.warmupS : Math.max(1, options.warmupS / 3);
          await runLoad({ origins: [url.origin], spec, connections, durationS: warmupS });
          resetPeakRss(child.pid);
          // --cpu-prof: the first (busiest) cell of each scenario, measured window only.
          const profiling = options.cpuProf && i === 0 && (await child.profileStart());
          const cpuBefore = cpuMs(child.pid);
          const result = await runLoad({ origins: [url.origin], spec, connections, durationS: options.durationS });
          const cpu = cpuMs(child.pid) - cpuBefore;
          if (profiling) {
            mkdirSync(PROFILE_DIR, { recursive: true });
            const file = `${PROFILE_DIR}/${target.name}-${scenario}-c${connections}.cpuprofile`;
            await child.profileStop(file);
            writeFileSync(`${file}.json`, JSON.stringify({ target: target.name, scenario, connections, requests: result.requests }));
          }
          const row = {
            target: target.name,
            scenario,
            connections,
            rps: result.rps,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            cpuMsPerRequest: result.requests > 0 ? cpu / result.requests : Number.NaN,
            peakRssMb: peakRssMb(child.pid),
            requests: result.requests,
            non2xx: result.non2xx,
            errors: result.errors,
            graphqlErrors: result.graphqlErrors,
            errorCodes: result.errorCodes,
            sentAs: spec.sentAs,
          };
          scenarioRows.push(row);
          log(
            `  ${target.name} ${scenario} c=${connections}: ${fmt(row.rps, 0)} req/s, p50 ${fmt(row.p50Ms, 2)} ms, p99 ${fmt(row.p99Ms, 2)} ms, ` +
              `${fmt(row.cpuMsPerRequest, 3)} CPU ms/req, peak ${fmt(row.peakRssMb, 0)} MB${row.non2xx + row.errors + row.graphqlErrors > 0 ? `, ${row.non2xx} non-2xx, ${row.graphqlErrors} with GraphQL errors ${JSON.stringify(row.errorCodes)}, ${row.errors} socket errors` : ''}`,
          );
        }
        for (const row of scenarioRows) rows.push({ ...row, upstreamRequestsPerRequest: calibration.upstreamPerRequest });
      }
    } catch (error) {
      log(`  ! ${target.name} failed: ${error instanceof Error ? error.message : String(error)}\n${child.stderr().slice(-2000)}`);
    } finally {
      await child.stop();
    }
  }
  return { rows, notes };
}
