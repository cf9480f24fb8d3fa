// A preload for a bench target that writes one line a second to test/bench/results/gc-<tag>-<pid>.log:
// event-loop utilisation, CPU, scavenges and mark-compacts (count/time), the used size of V8's old,
// new and large-object spaces, and RSS. Why: a CPU profile shows GC as one opaque row; these lines
// show whether a process collects more often, longer per collection, or promotes more (the old space
// climbing between mark-compacts), which is how the pretenuring state (src/server/node-options.ts)
// and Next's extra promotion (README of the bench) were seen.
//   BENCH_GATEWAY_ENV=NODE_OPTIONS=--import=$PWD/test/bench/gc-observer.mjs npm run bench
// Plain JavaScript so that it loads before tsx in any child (next start included). A stopped
// (SIGSTOPped) target writes no lines for its frozen seconds.
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';
import { getHeapSpaceStatistics } from 'node:v8';

// Named after the child's script (ours, yoga-plain, next …); Next's custom-server mode runs ours.ts with a flag.
const script = process.argv[1] ?? 'node';
const tag = process.argv.includes('--next-custom-server') ? 'next-custom' : basename(script, extname(script));
const dir = 'test/bench/results';
mkdirSync(dir, { recursive: true });
const file = `${dir}/gc-${tag}-${process.pid}.log`;

let minor = { count: 0, ms: 0 };
let major = { count: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind;
    const bucket = kind === constants.NODE_PERFORMANCE_GC_MINOR ? minor : kind === constants.NODE_PERFORMANCE_GC_MAJOR ? major : undefined;
    if (bucket === undefined) continue;
    bucket.count += 1;
    bucket.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

const mb = (bytes) => Math.round(bytes / 1e6);
let elu = performance.eventLoopUtilization();
let cpu = process.cpuUsage();
setInterval(() => {
  const loop = performance.eventLoopUtilization(elu);
  elu = performance.eventLoopUtilization();
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
  const line =
    `${new Date().toISOString().slice(11, 19)} elu=${loop.utilization.toFixed(2)} cpu=${((used.user + used.system) / 1e4).toFixed(0)}%` +
    ` scavenges=${minor.count}/${minor.ms.toFixed(0)}ms mark-compacts=${major.count}/${major.ms.toFixed(0)}ms` +
    ` old=${spaces['old_space']} new=${spaces['new_space']} large=${spaces['large_object_space']} rss=${mb(process.memoryUsage.rss())}\n`;
  appendFileSync(file, line);
  minor = { count: 0, ms: 0 };
  major = { count: 0, ms: 0 };
}, 1000).unref();
