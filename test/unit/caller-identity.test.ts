// Caller identity for inbound budgets: JWT subject first, else the client address read through
// exactly the configured number of trusted proxies (forged x-forwarded-for entries are ignored).
import { describe, expect, it } from 'vitest';
import { callerIdentity, clientAddress, createRequestCaller, socketAddressOf } from '../../src/plugins/caller-identity';

describe('clientAddress', () => {
  it('ignores x-forwarded-for with 0 trusted hops and uses the socket address', () => {
    expect(clientAddress('6.6.6.6', '10.0.0.9', 0)).toBe('10.0.0.9');
    expect(clientAddress('6.6.6.6', undefined, 0)).toBeUndefined();
  });

  it('takes the last entry with 1 hop: the address our proxy saw, not what the client wrote before it', () => {
    expect(clientAddress('1.2.3.4', '10.0.0.1', 1)).toBe('1.2.3.4');
    expect(clientAddress('6.6.6.6, 7.7.7.7, 1.2.3.4', '10.0.0.1', 1)).toBe('1.2.3.4');
  });

  it('takes the second entry from the right with 2 hops', () => {
    expect(clientAddress('6.6.6.6, 1.2.3.4, 10.0.0.2', '10.0.0.1', 2)).toBe('1.2.3.4');
    expect(clientAddress('1.2.3.4,10.0.0.2', undefined, 2)).toBe('1.2.3.4');
  });

  it('takes the furthest entry when the header has fewer entries than hops', () => {
    expect(clientAddress('1.2.3.4', '10.0.0.1', 2)).toBe('1.2.3.4');
  });

  it('falls back to the socket when the header is missing, empty or not an address', () => {
    expect(clientAddress(null, '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientAddress(' , ', '10.0.0.1', 1)).toBe('10.0.0.1');
    expect(clientAddress('6.6.6.6, evil', '10.0.0.1', 1)).toBe('10.0.0.1');
  });

  it('reads IPv4-mapped IPv6 socket addresses as IPv4 and keeps IPv6 entries', () => {
    expect(clientAddress(null, '::ffff:127.0.0.1', 0)).toBe('127.0.0.1');
    expect(clientAddress('2001:db8::1', '::1', 1)).toBe('2001:db8::1');
  });
});

describe('callerIdentity', () => {
  const base = { forwardedFor: '6.6.6.6, 1.2.3.4', socketAddress: '10.0.0.1', trustedProxyHops: 1 };

  it('is the JWT subject when there is a caller, whatever the headers say', () => {
    expect(callerIdentity({ ...base, callerId: 'user-1' })).toBe('user:user-1');
  });

  it('is the client address for anonymous callers', () => {
    expect(callerIdentity({ ...base, callerId: null })).toBe('ip:1.2.3.4');
    expect(callerIdentity({ ...base, callerId: null, trustedProxyHops: 0 })).toBe('ip:10.0.0.1');
  });

  it('is ip:unknown when no address can be known (fetch runtimes without a trusted proxy)', () => {
    expect(callerIdentity({ callerId: null, forwardedFor: '6.6.6.6', socketAddress: undefined, trustedProxyHops: 0 })).toBe('ip:unknown');
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
