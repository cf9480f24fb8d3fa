// Who a request counts against: the JWT subject when a valid bearer token is present, else the
// client address, read from x-forwarded-for only through the configured number of trusted proxies.
import { isIP } from 'node:net';
import type { RequestHead } from '../observability/request-head';
import type { Caller, CallerVerifier } from '../server/caller';

/** Used when no address can be known (yoga.fetch in tests, a Next route without a trusted proxy). */
export const UNKNOWN_ADDRESS = 'unknown';

function normalise(address: string): string {
  const trimmed = address.trim();
  // Node reports IPv4 peers of a dual-stack socket as IPv4-mapped IPv6.
  return trimmed.startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/**
 * The client address behind `trustedProxyHops` proxies. Each proxy appends the peer it saw to
 * x-forwarded-for, so the client is the `hops`-th entry from the right; anything further left was
 * written by the client and may be forged. With 0 hops the header is ignored.
 */
export function clientAddress(forwardedFor: string | null, socketAddress: string | undefined, trustedProxyHops: number): string | undefined {
  const socket = socketAddress ? normalise(socketAddress) : undefined;
  if (trustedProxyHops <= 0 || !forwardedFor) return socket;
  const entries = forwardedFor.split(',').map(normalise).filter(Boolean);
  if (entries.length === 0) return socket;
  // Fewer entries than hops: the request skipped a proxy; the furthest address is the best we have.
  const candidate = entries[Math.max(0, entries.length - trustedProxyHops)];
  return candidate && isIP(candidate) ? candidate : socket;
}

export interface IdentityInput {
  readonly callerId: string | null;
  readonly forwardedFor: string | null;
  readonly socketAddress: string | undefined;
  readonly trustedProxyHops: number;
}

/** `user:<sub>` for an authenticated caller, else `ip:<address>` (`ip:unknown` when none is known). */
export function callerIdentity(input: IdentityInput): string {
  if (input.callerId !== null) return `user:${input.callerId}`;
  return `ip:${clientAddress(input.forwardedFor, input.socketAddress, input.trustedProxyHops) ?? UNKNOWN_ADDRESS}`;
}

/** The peer address of a node:http server context (`{ req }`); undefined under fetch-only runtimes. */
export function socketAddressOf(serverContext: unknown): string | undefined {
  if (typeof serverContext !== 'object' || serverContext === null || !('req' in serverContext)) return undefined;
  const req: unknown = serverContext.req;
  if (typeof req !== 'object' || req === null || !('socket' in req)) return undefined;
  const socket: unknown = req.socket;
  if (typeof socket !== 'object' || socket === null || !('remoteAddress' in socket)) return undefined;
  return typeof socket.remoteAddress === 'string' ? socket.remoteAddress : undefined;
}

export type RequestCaller = (request: RequestHead) => Promise<Caller | null>;

/**
 * Verifies a request's bearer token once, however many plugins ask (rate limit, response cache,
 * context): the promise is remembered per Request object.
 */
export function createRequestCaller(verify: CallerVerifier): RequestCaller {
  const callers = new WeakMap<RequestHead, Promise<Caller | null>>();
  return (request) => {
    let caller = callers.get(request);
    if (!caller) {
      caller = verify(request.headers.get('authorization'));
      callers.set(request, caller);
    }
    return caller;
  };
}

/** The caller when the token verifies; null when there is none or it is bad (that 401 comes later). */
export async function callerOrNull(callerOf: RequestCaller, request: RequestHead): Promise<Caller | null> {
  try {
    return await callerOf(request);
  } catch {
    return null;
  }
}

/** The identity key of a request for budgets and logs (see `callerIdentity`). */
export function createIdentify(callerOf: RequestCaller, trustedProxyHops: number): (request: RequestHead, serverContext: unknown) => Promise<string> {
  return async (request, serverContext) =>
    callerIdentity({
      // No token, no caller: skips a verification round trip of promises on every anonymous request.
      callerId: request.headers.has('authorization') ? ((await callerOrNull(callerOf, request))?.id ?? null) : null,
      forwardedFor: request.headers.get('x-forwarded-for'),
      socketAddress: socketAddressOf(serverContext),
      trustedProxyHops,
    });
}
