// The V8 settings the gateway runs with in production: `npm start` puts them on node's command line
// (the launcher passes them on to the `next start` child, src/dev/launch.ts), and the benchmark starts
// every ours-* target with them. Node refuses --initial-old-space-size in NODE_OPTIONS, hence the
// command line. One more is set at run time by the gateway itself (applyRuntimeV8Flags below).
//
// --max-semi-space-size=64 (MB): a fixed ceiling for the young generation. Without one V8 sizes it
// from the machine's memory and kept growing it under load: at 50 connections on the order page it
// reached ~110 MB of resident new space, and a 10-minute soak at a moderate rate kept ratcheting RSS
// up whenever a burst of order pages survived a scavenge (+5.6 % after a full warm-up).
// Why the size matters this much: every scavenge copies what the requests in flight still hold, and
// that is about the same whatever the size, so fewer scavenges is less copying. Measured with a GC
// observer at 32 MB: ~14 scavenges a second of ~13 ms each, ~20 % of the core.
// Order page at 50 connections, one core (soak = 10 minutes at 100 req/s after a warm-up, RSS growth
// from the warmed start):
//   16 MB: 2.74–3.02 ms CPU per request, peak RSS ~320 MB, soak +0.1 % (session 3)
//   32 MB: 2.62–2.80 ms, ~350 MB, soak +1.9 % (session 4)
//   64 MB: interleaved with 32 MB in one run: 2.35 vs 3.03 ms (−22 %), 319 vs 257 req/s, peak RSS
//          332 vs 366 MB; soak +1.0 % (428.8 → 433.0 MB, heap after GC 46.1 → 45.4 MB). Session 4 had
//          measured +6.0 % at 64 MB (outside V8's spaces), while provider answers still went through a
//          Readable stream per call (src/http/dispatch.ts since); not proven to be the cause, but gone.
//  128 MB: 2.50 vs 3.49 ms against 32 MB (−28 %) but peak RSS 436 vs 372 MB: not taken.
//
// --initial-old-space-size=256 (MB): no mark-compact until the old generation reaches 256 MB. The
// gateway's live heap is small (~45 MB after a full GC) and V8 sized the old generation's limit from
// it, so it ran a full collection every few seconds under load; on the pinned benchmark core its
// concurrent marking competes with the requests. A process that loaded Next.js beside the same handler
// (the custom-server mode: ~25 MB more live heap, so larger limits) kept using 5–10 % less CPU per order
// page than the standalone one in three full runs (1.41 vs 1.56, 1.69 vs 1.80 ms); with this flag the
// standalone one catches up. Interleaved A/B runs at 50 connections, with vs without:
//   order page:    672 vs 617 req/s (+9 %), 1.47 vs 1.57 ms CPU, p99 104 vs 121 ms, peak RSS 326 vs 315 MB,
//                  0 mark-compacts in ~35 s under load against 2 (GC observer, test/bench/gc-observer.mjs)
//   order page:    647 vs 559 req/s (+16 %), 1.52 vs 1.72 ms CPU, p99 121 vs 157 ms, peak RSS 327 vs 303 MB
//   single entity: 2072 vs 2218 req/s (−7 %), 0.44 vs 0.41 ms CPU, peak RSS 412 vs 345 MB (same run)
// Small operations gain little or nothing (an earlier A/B had +8 % once); the order page, where requests hold
// the most data while they wait, gains most. The memory is only taken as request data is promoted;
// 10-minute soak with this setting (`npm run bench -- --soak`, 100 req/s, four scenarios): RSS 424.1 →
// 426.6 MB (+0.6 %) from the warmed start, heap after GC 52.6 → 52.0 MB (the soak forces a full GC
// before each sample, so its heap figure does not wait for the 256 MB mark).
import { setFlagsFromString } from 'node:v8';

/** Node command-line flags of every gateway process (`npm start`, the `next start` child, the benchmark). */
export const GATEWAY_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64', '--initial-old-space-size=256'];

/**
 * --no-allocation-site-pretenuring, set by createGateway through v8.setFlagsFromString: Node refuses
 * it in NODE_OPTIONS, and V8 consults it whenever a GC makes pretenuring decisions, so setting it
 * before the gateway serves anything is enough (measured: the run-time path below gives the same
 * good state as the command-line flag).
 * Why: with pretenuring on, a gateway process under load switched after some seconds into a state
 * it never left: V8 decided that the allocation sites of request data (provider answers, result
 * trees) survive, allocated them straight into the old generation, and that generation then filled
 * with dead request data at ~50 MB/s (GC observer: old space 100 → 207 MB within a second, scavenges
 * 20–30 ms each instead of 5–10). A bet that pays for long-lived data; a gateway's data lives for
 * one request. Interleaved A/B in one bench run each, 50 connections, without vs with pretenuring:
 *   command-line flag:   order page 377 vs 319 req/s (+18 %), single entity 1252 vs 1076 (+16 %), peak RSS 323 vs 443 MB
 *   command-line flag:   order page 469 vs 374 (+25 %), single entity 1581 vs 1383 (+14 %), 313 vs 443 MB
 *   this run-time path:  order page 506 vs 366 (+38 %), single entity 1301 vs 1166 (+12 %), 367 vs 433 MB
 * With it, the old space grows ~3 MB/s between mark-compacts. V8_PRETENURING=1 keeps V8's default.
 */
export const RUNTIME_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

export function applyRuntimeV8Flags(keepPretenuring: boolean): void {
  if (keepPretenuring) return;
  for (const flag of RUNTIME_V8_FLAGS) setFlagsFromString(flag);
}
