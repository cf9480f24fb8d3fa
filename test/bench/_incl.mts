import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const filter = new RegExp(process.argv[3] ?? 'src/');
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + p.timeDeltas[i]));
const incl = new Map<string, number>(); let busy = 0;
for (const [id, us] of self) {
  const f = byId.get(id).callFrame.functionName; if (f === '(idle)') continue; busy += us;
  const seen = new Set<string>(); let cur: number | undefined = id;
  while (cur !== undefined) { const c = byId.get(cur).callFrame; const k = `${c.functionName || '(anon)'} ${c.url.replace(/^.*node_modules\//,'').replace(/^.*\/work\/main\//,'')}:${c.lineNumber+1}`; if (filter.test(k) && !seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + us); } cur = parent.get(cur); }
}
console.log('busy ms', (busy/1000).toFixed(0));
for (const [k, us] of [...incl].sort((a,b)=>b[1]-a[1]).slice(0, Number(process.argv[4] ?? 40))) console.log((us/1000).toFixed(0).padStart(6), (100*us/busy).toFixed(1).padStart(5)+'%', k);
