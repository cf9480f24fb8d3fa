// The process's one gateway for the Next.js routes. Under `next start` each route (the Pages API route,
// every App Router route) is a bundle with its own copy of this module, so a module variable built one
// gateway per bundle (two Redis connections; /api/metrics and /api/health/ready saw a gateway no request
// used): the gateway lives on globalThis, which every bundle of the process shares. Created on first
// use (not at import, so that `next build` loads the routes without provider configuration).
import type { Server } from 'node:http';
import { buildConfig, loadEnv } from './config';
import { createGateway, type Gateway } from './gateway';
import { exitAfterShutdown, shutDown } from './shutdown';

interface ProcessGateway {
  readonly gateway: Gateway;
  /** The listener that shutdown closes: Next's server, known from the API route's first request. */
  server: Server | undefined;
}

// Symbol.for: the same key in every bundle (a plain Symbol() would differ per module copy).
const SLOT = Symbol.for('bff.gateway');
const processGlobal = globalThis as typeof globalThis & { [SLOT]?: ProcessGateway };

/**
 * The gateway of this process. The first call creates it and hooks SIGTERM/SIGINT to its graceful
 * shutdown (once per process; `npm start` runs `next start` with NEXT_MANUAL_SIG_HANDLE=true so that
 * Next's own handler, which closes the listener at once and exits 143, stays out of the way).
 */
export function getGateway(): Gateway {
  const existing = processGlobal[SLOT];
  if (existing !== undefined) return existing.gateway;
  const slot: ProcessGateway = { gateway: createGateway(buildConfig(loadEnv())), server: undefined };
  processGlobal[SLOT] = slot;
  const timing = slot.gateway.config.shutdown;
  exitAfterShutdown(timing, (signal) => shutDown({ gateway: slot.gateway, server: () => slot.server, timing }, signal));
  return slot.gateway;
}

/**
 * Makes a gateway the process's one when a launcher built it (the custom server: a route Next serves
 * there then uses it too); the launcher keeps the signals. Refused when the process already has one.
 */
export function adoptGateway(gateway: Gateway): void {
  if (processGlobal[SLOT] !== undefined && processGlobal[SLOT].gateway !== gateway) throw new Error('this process already has a gateway');
  processGlobal[SLOT] = { gateway, server: undefined };
}

/** The listener the shutdown closes after the drain (Next's, seen by the API route). */
export function setGatewayServer(server: Server): void {
  const slot = processGlobal[SLOT];
  if (slot !== undefined) slot.server ??= server;
}
