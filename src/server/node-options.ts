// The V8 settings the gateway runs with in production: `npm start` puts them on node's command line
// (the launcher passes them on to the `next start` child, src/server/launcher.ts), and the benchmark starts
// every ours-* target with them. Node refuses --initial-old-space-size in NODE_OPTIONS, hence the
// command line. One more is set at run time by the gateway itself (applyRuntimeV8Flags below).
//
// --max-semi-space-size=64 (MB): a fixed young generation. Every scavenge copies what the requests in
// flight still hold, so fewer scavenges cost less CPU than V8's own sizing or 32 MB, at less memory
// than 128 MB (see test/bench/README.md#semi-space-size).
// --initial-old-space-size=256 (MB): the live heap is small (~45 MB), so the limit V8 derives from it
// ran a full collection every few seconds under load; the memory is only taken as request data is
// promoted (see test/bench/README.md#initial-old-space-size).
import { setFlagsFromString } from 'node:v8';

/** Node command-line flags of every gateway process (`npm start`, the `next start` child, the benchmark). */
export const GATEWAY_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64', '--initial-old-space-size=256'];

/**
 * --no-allocation-site-pretenuring, set by createGateway through v8.setFlagsFromString: Node refuses
 * it in NODE_OPTIONS, and V8 consults it whenever a GC makes pretenuring decisions, so setting it
 * before the gateway serves anything is enough.
 * Why: pretenuring bets that data from the same allocation site is long-lived; a gateway's data lives
 * for one request, and under load V8 made that bet and filled the old generation with dead request
 * data (see test/bench/README.md#allocation-site-pretenuring). V8_PRETENURING=1 keeps V8's default.
 */
export const RUNTIME_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

export function applyRuntimeV8Flags(keepPretenuring: boolean): void {
  if (keepPretenuring) return;
  for (const flag of RUNTIME_V8_FLAGS) setFlagsFromString(flag);
}
