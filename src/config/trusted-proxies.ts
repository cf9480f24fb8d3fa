// IP addresses as the gateway reads them (socket peers, x-forwarded-for entries) and TRUSTED_PROXIES,
// the proxies whose x-forwarded-for entries it believes. Matching is node's BlockList, not CIDR math.
import { BlockList, isIP } from 'node:net';
import { parseCommaList, type ListEntry } from './comma-list';

export type IpFamily = 'ipv4' | 'ipv6';

/** A valid address: IPv4-mapped IPv6 is read as IPv4, an IPv6 zone (`%eth0`) is dropped. */
export interface IpAddress {
  readonly address: string;
  readonly family: IpFamily;
}

/** One TRUSTED_PROXIES entry: an address is a /32 (IPv4) or /128 (IPv6) network. */
export interface TrustedProxy extends IpAddress {
  readonly prefix: number;
}

/** Whether a peer is a configured proxy, so that its x-forwarded-for entry may be believed. */
export type ProxyTrust = (address: IpAddress) => boolean;

/** Trusts no proxy: x-forwarded-for is never read. */
const TRUST_NO_PROXY: ProxyTrust = () => false;

/**
 * The eight 16-bit groups of a valid IPv6 address (`isIP(text) === 6`, no zone), `::` expanded and
 * an embedded IPv4 tail (`::ffff:1.2.3.4`) turned into two groups.
 */
export function ipv6Groups(address: string): number[] {
  const gap = address.indexOf('::');
  const head = gap === -1 ? address : address.slice(0, gap);
  const tail = gap === -1 ? '' : address.slice(gap + 2);
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        groups.push(a * 256 + b, c * 256 + d);
      } else {
        groups.push(parseInt(piece, 16));
      }
    }
    return groups;
  };
  const left = toGroups(head);
  const right = toGroups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The address of a bare IP literal (no brackets, no port); undefined for anything else. */
export function parseIp(text: string): IpAddress | undefined {
  const family = isIP(text);
  if (family === 4) return { address: text, family: 'ipv4' };
  if (family !== 6) return undefined;
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const groups = ipv6Groups(address);
  // Node reports IPv4 peers of a dual-stack socket as IPv4-mapped IPv6 (::ffff:a.b.c.d).
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return { address: `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`, family: 'ipv4' };
  }
  return { address, family: 'ipv6' };
}

const DIGITS = /^[0-9]{1,3}$/;

/** One TRUSTED_PROXIES entry (`10.0.0.0/8`, `127.0.0.1`, `fd00::/8`), or why it is not one. */
export function parseTrustedProxy(entry: string): ListEntry<TrustedProxy> {
  const slash = entry.indexOf('/');
  const ip = parseIp(slash === -1 ? entry : entry.slice(0, slash));
  if (ip === undefined) return { problem: `"${entry}" is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)` };
  const bits = ip.family === 'ipv4' ? 32 : 128;
  if (slash === -1) return { value: { ...ip, prefix: bits } };
  const prefixText = entry.slice(slash + 1);
  const prefix = DIGITS.test(prefixText) ? Number(prefixText) : NaN;
  // A mapped network (::ffff:10.0.0.0/104) is read as the IPv4 network it covers.
  const mapped = ip.family === 'ipv4' && isIP(entry.slice(0, slash)) === 6 ? 96 : 0;
  const own = prefix - mapped;
  if (!(own >= 0 && own <= bits)) return { problem: `"${entry}": the prefix length must be ${mapped + 1} to ${bits + mapped}` };
  // /0 would believe every peer, so any client could write its own address.
  if (own === 0) return { problem: `"${entry}" would trust every address, so any client could forge x-forwarded-for` };
  return { value: { ...ip, prefix: own } };
}

/** TRUSTED_PROXIES (comma-separated) as entries, or the problems of its bad entries. */
export function parseTrustedProxies(text: string): { proxies: TrustedProxy[]; problems: string[] } {
  const { values: proxies, problems } = parseCommaList(text, parseTrustedProxy);
  return { proxies, problems };
}

/** A matcher over the configured proxies, built once per gateway. */
export function proxyTrust(proxies: readonly TrustedProxy[]): ProxyTrust {
  if (proxies.length === 0) return TRUST_NO_PROXY;
  const list = new BlockList();
  for (const proxy of proxies) list.addSubnet(proxy.address, proxy.prefix, proxy.family);
  return (ip) => list.check(ip.address, ip.family);
}
