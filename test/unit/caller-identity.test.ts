// Caller identity for inbound budgets: JWT subject first, else the client address: the socket peer,
// or what TRUSTED_PROXIES wrote in x-forwarded-for (entries a client could have written are ignored).
import { describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { parseTrustedProxies, proxyTrust, type ProxyTrust } from '../../src/config/trusted-proxies';
import {
  MAX_FORWARDED_CHARS,
  MAX_FORWARDED_ENTRIES,
  callerIdentity,
  clientAddress,
  createRequestCaller,
  parseForwardedEntry,
  socketAddressOf,
} from '../../src/plugins/rate-limit/caller-identity';
import { configProblems, VALID_ENV } from '../helpers/valid-env';

function trust(list: string): ProxyTrust {
  const { proxies, problems } = parseTrustedProxies(list);
  expect(problems).toEqual([]);
  return proxyTrust(proxies);
}

const NONE = trust('');
const LB = trust('10.0.0.0/8');

/** The address clientAddress answers, as text. */
function client(forwardedFor: string | null, socket: string | undefined, trusted: ProxyTrust): string | undefined {
  return clientAddress(forwardedFor, socket, trusted)?.address;
}

describe('clientAddress', () => {
  it('is the socket peer when the peer is not a trusted proxy, whatever x-forwarded-for says', () => {
    expect(client('6.6.6.6', '203.0.113.5', NONE)).toBe('203.0.113.5');
    expect(client('6.6.6.6', '203.0.113.5', LB)).toBe('203.0.113.5');
    expect(client('10.0.0.1', '203.0.113.5', LB)).toBe('203.0.113.5');
    expect(client('2001:db8::6', '2001:db8:9::1', trust('10.0.0.0/8,fd00::/8'))).toBe('2001:db8:9::1');
  });

  it('is unknown without a socket address: x-forwarded-for alone proves nothing', () => {
    expect(client('6.6.6.6', undefined, trust('127.0.0.1'))).toBeUndefined();
    expect(client(null, undefined, NONE)).toBeUndefined();
  });

  it('behind a trusted proxy, is the entry it appended, not what the client wrote left of it', () => {
    expect(client('1.2.3.4', '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client('6.6.6.6, 7.7.7.7, 1.2.3.4', '10.0.0.1', LB)).toBe('1.2.3.4');
    // A client-written entry inside the trusted range changes nothing: the walk stops at the first untrusted one.
    expect(client('10.9.9.9, 1.2.3.4', '10.0.0.1', LB)).toBe('1.2.3.4');
  });

  it('walks a chain of trusted proxies from the right to the first untrusted entry', () => {
    expect(client('6.6.6.6, 1.2.3.4, 10.0.0.3, 10.0.0.2', '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client('6.6.6.6, 2001:db8::5, fd00::2', 'fd00::1', trust('fd00::/8'))).toBe('2001:db8::5');
    expect(client('6.6.6.6,1.2.3.4,127.0.0.1', '127.0.0.1', trust('127.0.0.1, 10.0.0.0/8'))).toBe('1.2.3.4');
  });

  it('is the leftmost entry when every entry is a trusted proxy, and the peer when the header is missing', () => {
    expect(client('10.0.0.3, 10.0.0.2', '10.0.0.1', LB)).toBe('10.0.0.3');
    expect(client(null, '10.0.0.1', LB)).toBe('10.0.0.1');
  });

  it('stops at an entry it cannot read and answers the last trusted hop, never anything further left', () => {
    expect(client('1.2.3.4, unknown, 10.0.0.2', '10.0.0.1', LB)).toBe('10.0.0.2');
    expect(client('1.2.3.4, evil', '10.0.0.1', LB)).toBe('10.0.0.1');
    expect(client('1.2.3.4, 10.0.0.2, ', '10.0.0.1', LB)).toBe('10.0.0.1');
    expect(client('', '10.0.0.1', LB)).toBe('10.0.0.1');
    expect(client(' , ', '10.0.0.1', LB)).toBe('10.0.0.1');
    expect(client('1.2.3.4, 01.2.3.4', '10.0.0.1', LB)).toBe('10.0.0.1');
  });

  it('reads ports and brackets, and refuses malformed ones', () => {
    expect(client('[2001:db8::7]:443', '10.0.0.1', LB)).toBe('2001:db8::7');
    expect(client('[2001:db8::7]', '10.0.0.1', LB)).toBe('2001:db8::7');
    expect(client('1.2.3.4:5678', '10.0.0.1', LB)).toBe('1.2.3.4');
    for (const bad of ['[2001:db8::7', '[2001:db8::7]:', '[2001:db8::7]:123456', '[2001:db8::7]x', '1.2.3.4:', '1.2.3.4:http', 'host:80', '1.2.3.4:80:80', '[unknown]']) {
      expect(parseForwardedEntry(bad)).toBeUndefined();
      expect(client(`1.2.3.4, ${bad}`, '10.0.0.1', LB)).toBe('10.0.0.1');
    }
  });

  it('reads IPv4-mapped IPv6 as IPv4, for the peer, its trust and the entries', () => {
    expect(client(null, '::ffff:127.0.0.1', NONE)).toBe('127.0.0.1');
    expect(client('1.2.3.4', '::ffff:127.0.0.1', trust('127.0.0.1'))).toBe('1.2.3.4');
    expect(client('1.2.3.4', '127.0.0.1', trust('::ffff:127.0.0.1'))).toBe('1.2.3.4');
    expect(client('::ffff:1.2.3.4', '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client('::ffff:102:304', '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client('1.2.3.4, ::ffff:10.0.0.2', '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(clientAddress(null, '::ffff:127.0.0.1', NONE)).toEqual({ address: '127.0.0.1', family: 'ipv4' });
    expect(clientAddress(null, 'fe80::1%eth0', NONE)).toEqual({ address: 'fe80::1', family: 'ipv6' });
  });

  it(`walks at most ${MAX_FORWARDED_ENTRIES} entries`, () => {
    const trusted = (n: number) => Array.from({ length: n }, () => '10.0.0.2').join(', ');
    expect(client(`1.2.3.4, ${trusted(MAX_FORWARDED_ENTRIES - 1)}`, '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client(`1.2.3.4, ${trusted(MAX_FORWARDED_ENTRIES)}`, '10.0.0.1', LB)).toBe('10.0.0.2');
  });

  it(`reads only the last ${MAX_FORWARDED_CHARS} characters, and never an entry cut by that limit`, () => {
    expect(client(`${'x'.repeat(1_000_000)}, 1.2.3.4`, '10.0.0.1', LB)).toBe('1.2.3.4');
    expect(client(`${'1.2.3.4, '.repeat(1_000)}10.0.0.2`, '10.0.0.1', LB)).toBe('1.2.3.4');
    // 19 trusted entries padded so that the limit cuts the first character of 11.2.3.4, leaving 1.2.3.4.
    const entry = (pad: number) => `, ${' '.repeat(pad)}10.0.0.2`;
    const tail = entry(MAX_FORWARDED_CHARS - 7 - 19 * 10 - 18 * 20) + entry(20).repeat(18);
    const header = `11.2.3.4${tail}`;
    expect(header.length).toBe(MAX_FORWARDED_CHARS + 1);
    expect(client(header, '10.0.0.1', LB)).toBe('10.0.0.2');
    // The same entries under the limit reach the client.
    expect(client(`11.2.3.4${entry(0).repeat(19)}`, '10.0.0.1', LB)).toBe('11.2.3.4');
    expect(client('1'.repeat(MAX_FORWARDED_CHARS + 1), '10.0.0.1', LB)).toBe('10.0.0.1');
  });
});

describe('callerIdentity', () => {
  const base = { forwardedFor: '6.6.6.6, 1.2.3.4', socketAddress: '10.0.0.1', isTrustedProxy: LB };

  it('is the JWT subject when there is a caller, whatever the headers say', () => {
    expect(callerIdentity({ ...base, callerId: 'user-1' })).toBe('user:user-1');
  });

  it('is the client address for anonymous callers', () => {
    expect(callerIdentity({ ...base, callerId: null })).toBe('ip:1.2.3.4');
    expect(callerIdentity({ ...base, callerId: null, isTrustedProxy: NONE })).toBe('ip:10.0.0.1');
  });

  it('is ip:unknown when no address can be known (fetch runtimes)', () => {
    expect(callerIdentity({ callerId: null, forwardedFor: '6.6.6.6', socketAddress: undefined, isTrustedProxy: NONE })).toBe('ip:unknown');
  });

  it('gives anonymous IPv6 callers one budget per /64', () => {
    const of = (address: string) => callerIdentity({ callerId: null, forwardedFor: null, socketAddress: address, isTrustedProxy: NONE });
    expect(of('2001:db8:1:2::a')).toBe('ip:2001:db8:1:2::/64');
    expect(of('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('ip:2001:db8:1:2::/64');
    expect(of('2001:db8:1:3::a')).toBe('ip:2001:db8:1:3::/64');
    expect(of('2001:db8::1')).toBe('ip:2001:db8::/64');
    expect(of('2001:0:0:1::5')).toBe('ip:2001:0:0:1::/64');
    expect(of('::1')).toBe('ip:::/64');
    expect(of('fe80::1%eth0')).toBe('ip:fe80::/64');
    expect(of('1:2:3:4:5:6:7:8')).toBe('ip:1:2:3:4::/64');
    expect(of('::ffff:192.0.2.1')).toBe('ip:192.0.2.1');
    expect(callerIdentity({ callerId: null, forwardedFor: '[2001:db8:1:2:3::9]:4321', socketAddress: '10.0.0.1', isTrustedProxy: LB })).toBe('ip:2001:db8:1:2::/64');
  });
});

describe('TRUSTED_PROXIES', () => {
  const valid = VALID_ENV;
  const problemsOf = (env: Record<string, string>): readonly string[] => configProblems({ ...valid, ...env });

  it('trusts no proxy by default', () => {
    expect(buildConfig(parseEnv(valid)).trustedProxies).toEqual([]);
    expect(buildConfig(parseEnv({ ...valid, TRUSTED_PROXIES: '' })).trustedProxies).toEqual([]);
  });

  it('parses addresses and CIDRs of both families once, at config time', () => {
    expect(buildConfig(parseEnv({ ...valid, TRUSTED_PROXIES: ' 10.0.0.0/8, 127.0.0.1,fd00::/8 ,::1, ::ffff:192.168.0.0/112,' })).trustedProxies).toEqual([
      { address: '10.0.0.0', family: 'ipv4', prefix: 8 },
      { address: '127.0.0.1', family: 'ipv4', prefix: 32 },
      { address: 'fd00::', family: 'ipv6', prefix: 8 },
      { address: '::1', family: 'ipv6', prefix: 128 },
      { address: '192.168.0.0', family: 'ipv4', prefix: 16 },
    ]);
  });

  it('matches by network: inside the CIDR is trusted, outside is not', () => {
    const trusted = trust('10.0.0.0/8, 2001:db8:aa::/48');
    expect(trusted({ address: '10.255.255.255', family: 'ipv4' })).toBe(true);
    expect(trusted({ address: '11.0.0.0', family: 'ipv4' })).toBe(false);
    expect(trusted({ address: '2001:db8:aa:ffff::1', family: 'ipv6' })).toBe(true);
    expect(trusted({ address: '2001:db8:ab::1', family: 'ipv6' })).toBe(false);
  });

  it('refuses to boot naming each bad entry', () => {
    expect(problemsOf({ TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.300, proxy.internal' })).toEqual([
      'TRUSTED_PROXIES: "10.0.0.300" is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)',
      'TRUSTED_PROXIES: "proxy.internal" is not an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)',
    ]);
    expect(problemsOf({ TRUSTED_PROXIES: '10.0.0.0/33, fd00::/129, 10.0.0.0/, 10.0.0.0/8/8, ::ffff:10.0.0.0/90' })).toEqual([
      'TRUSTED_PROXIES: "10.0.0.0/33": the prefix length must be 1 to 32',
      'TRUSTED_PROXIES: "fd00::/129": the prefix length must be 1 to 128',
      'TRUSTED_PROXIES: "10.0.0.0/": the prefix length must be 1 to 32',
      'TRUSTED_PROXIES: "10.0.0.0/8/8": the prefix length must be 1 to 32',
      'TRUSTED_PROXIES: "::ffff:10.0.0.0/90": the prefix length must be 97 to 128',
    ]);
    expect(problemsOf({ TRUSTED_PROXIES: '0.0.0.0/0' })).toEqual(['TRUSTED_PROXIES: "0.0.0.0/0" would trust every address, so any client could forge x-forwarded-for']);
    expect(problemsOf({ TRUSTED_PROXIES: '[::1], 127.0.0.1:80' })).toHaveLength(2);
  });

  it('refuses the removed TRUSTED_PROXY_HOPS rather than ignoring it', () => {
    expect(problemsOf({ TRUSTED_PROXY_HOPS: '1' })).toEqual([
      'TRUSTED_PROXY_HOPS: replaced by TRUSTED_PROXIES: the addresses or CIDRs of your proxies (README "Client addresses behind proxies")',
    ]);
  });
});

describe('socketAddressOf', () => {
  it('reads req.socket.remoteAddress of a node:http server context and nothing else', () => {
    expect(socketAddressOf({ req: { socket: { remoteAddress: '127.0.0.1' } } })).toBe('127.0.0.1');
    expect(socketAddressOf({})).toBeUndefined();
    expect(socketAddressOf({ req: { socket: { remoteAddress: 42 } } })).toBeUndefined();
    expect(socketAddressOf(undefined)).toBeUndefined();
  });
});

describe('createRequestCaller', () => {
  it('verifies the token of a request once, however many times it is asked', async () => {
    let calls = 0;
    const callerOf = createRequestCaller(async (authorization) => {
      calls += 1;
      return authorization ? { id: 'user-1', scopes: [] } : null;
    });
    const request = new Request('http://gateway/api/graphql', { headers: { authorization: 'Bearer x.y.z' } });
    const [a, b] = await Promise.all([callerOf(request), callerOf(request)]);
    expect(a).toEqual({ id: 'user-1', scopes: [] });
    expect(b).toBe(a);
    expect(calls).toBe(1);
    await callerOf(new Request('http://gateway/api/graphql'));
    expect(calls).toBe(2);
  });
});
