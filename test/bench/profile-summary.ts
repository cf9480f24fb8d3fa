// Summarises a V8 .cpuprofile (written by --cpu-prof): top functions by self time, and self time
// grouped by where the code lives (our src/ folders, each package, node internals, GC, idle).
// Usage: npx tsx test/bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'samples' in value && 'timeDeltas' in value;
}

/** Where a frame's code lives: `src/<dir>`, a package name, `node:internal`, or a V8 pseudo-frame. */
export function area(url: string, functionName: string): string {
  if (url === '') return `(${functionName.replace(/[()]/g, '') || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const src = /\/(src\/[^/]+)\//.exec(url) ?? /\/(test\/bench)\//.exec(url);
  if (src?.[1]) return src[1];
  if (url.startsWith('node:')) return 'node:internal';
  return url.replace(/^.*\//, '');
}

function location(url: string, line: number): string {
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/[^/]+\//, '').replace(/^.*\/(src|test)\//, '$1/');
  return short === '' ? '' : `${short}:${line + 1}`;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time of every area (idle excluded), for per-request comparisons. */
  readonly allAreas: ReadonlyMap<string, number>;
  readonly top: readonly { readonly name: string; readonly where: string; readonly selfMs: number; readonly share: number }[];
  readonly areas: readonly { readonly area: string; readonly selfMs: number; readonly share: number }[];
}

export function summarise(path: string, topN = 25): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path}: not a .cpuprofile`);
  const byId = new Map(parsed.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  parsed.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    // The inspector's own work while stopping the profile is not the target's.
    if (url === 'node:inspector') continue;
    const name = functionName || '(anonymous)';
    const where = location(url, lineNumber);
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const a = area(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    total += us;
  }
  const busy = total - (byArea.get('(idle)') ?? 0);
  const share = (us: number) => (busy > 0 ? us / busy : 0);
  return {
    totalMs: total / 1000,
    allAreas: new Map([...byArea].filter(([a]) => a !== '(idle)').map(([a, us]) => [a, us / 1000])),
    top: [...byFunction.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, share: share(f.us) })),
    areas: [...byArea.entries()]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([a, us]) => ({ area: a, selfMs: us / 1000, share: share(us) })),
  };
}

export function summaryMarkdown(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `### CPU profile: ${title} (${s.totalMs.toFixed(0)} ms sampled; shares are of non-idle time)`,
    '',
    '| self ms | share | function | where |',
    '|---:|---:|---|---|',
    ...s.top.map((f) => `| ${f.selfMs.toFixed(0)} | ${pct(f.share)} | ${f.name} | ${f.where} |`),
    '',
    '| self ms | share | area |',
    '|---:|---:|---|',
    ...s.areas.map((a) => `| ${a.selfMs.toFixed(0)} | ${pct(a.share)} | ${a.area} |`),
  ].join('\n');
}

/**
 * Self time per request by area, ours against a baseline profile of the same scenario (both
 * measured windows): where the extra CPU per request goes. µs per request; largest differences first.
 */
export function comparisonMarkdown(title: string, ours: { summary: ProfileSummary; requests: number }, base: { summary: ProfileSummary; requests: number }, top = 25): string {
  const areas = new Set([...ours.summary.allAreas.keys(), ...base.summary.allAreas.keys()]);
  const perReq = (s: { summary: ProfileSummary; requests: number }, a: string) => ((s.summary.allAreas.get(a) ?? 0) * 1000) / s.requests;
  const rows = [...areas]
    .map((a) => ({ a, o: perReq(ours, a), b: perReq(base, a) }))
    .sort((x, y) => Math.abs(y.o - y.b) - Math.abs(x.o - x.b))
    .slice(0, top);
  const total = (s: { summary: ProfileSummary; requests: number }) => [...s.summary.allAreas.values()].reduce((x, y) => x + y, 0) * 1000 / s.requests;
  return [
    `### CPU per request by area: ${title} (µs of self time per request, profiled windows)`,
    '',
    `Total: ${total(ours).toFixed(0)} µs vs ${total(base).toFixed(0)} µs per request.`,
    '',
    '| area | ours µs/req | baseline µs/req | Δ µs/req |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.a} | ${r.o.toFixed(0)} | ${r.b.toFixed(0)} | ${(r.o - r.b >= 0 ? '+' : '') + (r.o - r.b).toFixed(0)} |`),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  console.log(summaryMarkdown(file, summarise(file, Number(process.argv[3] ?? 25))));
}
