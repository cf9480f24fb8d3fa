// Who a request counts against: the JWT subject when a valid bearer token is present, else the
// client address: the socket peer, or what configured trusted proxies wrote in x-forwarded-for.
import { ipv6Groups, parseIp, proxyTrust, type IpAddress, type ProxyTrust, type TrustedProxy } from '../../config/trusted-proxies';
import type { RequestHead } from '../../observability/request-head';
import type { Caller, CallerVerifier } from '../../auth/caller';
import { stateOf } from '../request-state';

/** Used when no address can be known (yoga.fetch in tests and other runtimes without a socket). */
export const UNKNOWN_ADDRESS = 'unknown';

/** Characters of x-forwarded-for read, from its right end, so that a huge header costs nothing more. */
export const MAX_FORWARDED_CHARS = 2048;
/** Entries of x-forwarded-for walked at most, from the right. */
export const MAX_FORWARDED_ENTRIES = 32;

const PORT = /^[0-9]{1,5}$/;

/** An x-forwarded-for entry: a bare IP, `[v6]:port` or `v4:port`; undefined for anything else (`unknown`, garbage). */
export function parseForwardedEntry(text: string): IpAddress | undefined {
  const entry = text.trim();
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    const rest = close === -1 ? '' : entry.slice(close + 1);
    if (close === -1 || (rest !== '' && !(rest.startsWith(':') && PORT.test(rest.slice(1))))) return undefined;
    return parseIp(entry.slice(1, close));
  }
  const ip = parseIp(entry);
  if (ip !== undefined) return ip;
  const colon = entry.indexOf(':');
  // One colon only: more would be an IPv6 address, which needs brackets to carry a port.
  if (colon === -1 || entry.indexOf(':', colon + 1) !== -1 || !PORT.test(entry.slice(colon + 1))) return undefined;
  const host = parseIp(entry.slice(0, colon));
  return host?.family === 'ipv4' ? host : undefined;
}

/**
 * The client address: the socket peer, unless the peer is a trusted proxy; then x-forwarded-for is
 * walked from the right past trusted proxies, and the first untrusted entry is the client. Each entry
 * is believed only because the hop right of it is trusted, so the walk stops at an entry it cannot
 * read and answers the last trusted hop; with every entry trusted, the leftmost. Undefined without a
 * socket address (x-forwarded-for alone proves nothing).
 */
export function clientAddress(forwardedFor: string | null, socketAddress: string | undefined, isTrustedProxy: ProxyTrust): IpAddress | undefined {
  const peer = socketAddress === undefined ? undefined : parseIp(socketAddress);
  if (peer === undefined || forwardedFor === null || !isTrustedProxy(peer)) return peer;
  const truncated = forwardedFor.length > MAX_FORWARDED_CHARS;
  const header = truncated ? forwardedFor.slice(-MAX_FORWARDED_CHARS) : forwardedFor;
  // A cut entry could read as another valid address (11.2.3.4 cut to 1.2.3.4), so the walk stops before it.
  const firstComma = truncated ? header.indexOf(',') : -1;
  const leftEnd = truncated && firstComma === -1 ? header.length : firstComma;
  let client = peer;
  let end = header.length;
  for (let walked = 0; walked < MAX_FORWARDED_ENTRIES && end > leftEnd; walked++) {
    const comma = end === 0 ? -1 : header.lastIndexOf(',', end - 1);
    const entry = parseForwardedEntry(header.slice(comma + 1, end));
    if (entry === undefined) return client;
    if (!isTrustedProxy(entry)) return entry;
    client = entry;
    end = comma;
  }
  return client;
}

/** The budget key of an address: IPv4 as is, IPv6 by its /64 (one subscriber gets a whole /64 to pick from). */
function addressKey(ip: IpAddress): string {
  if (ip.family === 'ipv4') return ip.address;
  const network = ipv6Groups(ip.address).slice(0, 4);
  let length = network.length;
  while (length > 0 && network[length - 1] === 0) length -= 1;
  return `${network
    .slice(0, length)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

export interface IdentityInput {
  readonly callerId: string | null;
  readonly forwardedFor: string | null;
  readonly socketAddress: string | undefined;
  readonly isTrustedProxy: ProxyTrust;
}

/** `user:<sub>` for an authenticated caller, else `ip:<address or IPv6 /64>` (`ip:unknown` when none is known). */
export function callerIdentity(input: IdentityInput): string {
  if (input.callerId !== null) return `user:${input.callerId}`;
  const ip = clientAddress(input.forwardedFor, input.socketAddress, input.isTrustedProxy);
  return `ip:${ip === undefined ? UNKNOWN_ADDRESS : addressKey(ip)}`;
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
 * context): the promise is remembered in the request's state (request-state.ts), so one verifier
 * per request, the gateway's.
 */
export function createRequestCaller(verify: CallerVerifier): RequestCaller {
  return (request) => {
    const state = stateOf(request);
    return (state.caller ??= verify(request.headers.get('authorization')));
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

/** The identity key of a request for budgets and logs (see `callerIdentity`); `trustedProxies` is TRUSTED_PROXIES. */
export function createIdentify(callerOf: RequestCaller, trustedProxies: readonly TrustedProxy[]): (request: RequestHead, serverContext: unknown) => Promise<string> {
  const isTrustedProxy = proxyTrust(trustedProxies);
  return async (request, serverContext) =>
    callerIdentity({
      // No token, no caller: skips a verification round trip of promises on every anonymous request.
      callerId: request.headers.has('authorization') ? ((await callerOrNull(callerOf, request))?.id ?? null) : null,
      forwardedFor: request.headers.get('x-forwarded-for'),
      socketAddress: socketAddressOf(serverContext),
      isTrustedProxy,
    });
}
