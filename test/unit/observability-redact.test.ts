// The scrubber, the loggers' destinations and the small parsers of the observability layer.
import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createCallerHasher } from '../../src/observability/caller-hash';
import { BUFFERED_FLUSH_MS, createLoggers, lineDestination } from '../../src/observability/logger';
import { remainingQuota } from '../../src/observability/quota';
import { buildConfig, parseEnv } from '../../src/server/config';
import { createScrubber, REDACTED } from '../../src/observability/redact';
import { hostsOf } from '../../src/observability/telemetry';
import { formatTraceparent, parseTraceparent } from '../../src/observability/traceparent';
import { VALID_ENV } from '../helpers/valid-env';

const scrubber = createScrubber({
  secrets: ['sk_live_0123456789', 'dev-orders-secret'],
  hosts: ['127.0.0.1:45678'],
  fields: ['email'],
});
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('scrubber.text', () => {
  it('replaces known secrets and provider hosts wherever they appear', () => {
    expect(scrubber.text('key sk_live_0123456789 to http://127.0.0.1:45678/orders?id=1')).toBe(`key ${REDACTED} to http://[upstream-host]/orders?id=1`);
  });

  it('replaces bearer and basic credentials, JWTs and key=value secrets it cannot know', () => {
    expect(scrubber.text('Authorization: Bearer abcdefghijklmnop123')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrubber.text('basic ZGV2OnNlY3JldC12YWx1ZQ==')).toBe(`basic ${REDACTED}`);
    expect(scrubber.text(`token ${JWT} refused`)).toBe(`token ${REDACTED} refused`);
    expect(scrubber.text('{"access_token":"qwertyuiop","expires_in":3600}')).toBe(`{"access_token":"${REDACTED}","expires_in":3600}`);
    expect(scrubber.text('grant_type=client_credentials&client_secret=hunter2hunter2')).toBe(`grant_type=client_credentials&client_secret=${REDACTED}`);
  });

  it('leaves prose about credentials readable', () => {
    expect(scrubber.text('The bearer token is invalid or expired.')).toBe('The bearer token is invalid or expired.');
  });
});

describe('scrubber.value', () => {
  it('redacts secret and PII keys at any depth, case and separator aside', () => {
    const out = scrubber.value({ headers: { Authorization: 'x', 'X-Api-Key': 'y', cookie: 'z' }, user: { Email: 'a@b.c', name: 'Ann' }, list: [{ client_secret: 's' }] });
    expect(out).toEqual({
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, cookie: REDACTED },
      user: { Email: REDACTED, name: 'Ann' },
      list: [{ client_secret: REDACTED }],
    });
  });

  it('serialises errors with meta and their cause chain, scrubbed; coded errors without a stack', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:45678');
    const error = Object.assign(new Error('failed with Bearer abcdefghijklmnop123', { cause }), { code: 'UPSTREAM_UNAVAILABLE', meta: { status: 502, token: 'dev-orders-secret' } });
    const out = scrubber.value(error) as Record<string, unknown>;
    expect(out).toEqual({
      type: 'Error',
      message: `failed with Bearer ${REDACTED}`,
      code: 'UPSTREAM_UNAVAILABLE',
      meta: { status: 502, token: REDACTED },
      cause: { type: 'Error', message: 'connect ECONNREFUSED [upstream-host]', stack: expect.stringContaining('[upstream-host]') as unknown },
    });
    expect(JSON.stringify(out)).not.toMatch(/45678|dev-orders-secret|abcdefghijklmnop123/);
  });

  it('stops at cycles and at depth', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(scrubber.value(a)).toEqual({ name: 'a', self: '[…]' });
  });
});

describe('the general logger', () => {
  it('redacts, serialises and scrubs whatever a caller logs', () => {
    const out: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (out.push(chunk.toString()), done()) });
    const { logger } = createLoggers({ level: 'info', scrubber, destination: sink });
    logger.info({ headers: { authorization: 'Bearer abcdefghijklmnop123' }, req: { cookie: 'c=1' } }, 'called with sk_live_0123456789');
    logger.error({ err: new Error(`boom at 127.0.0.1:45678 with ${JWT}`) }, 'failed');
    const text = out.join('');
    expect(text).not.toMatch(/abcdefghijklmnop123|c=1|sk_live_0123456789|45678|eyJhbGci/);
    const [first, second] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'info', msg: `called with ${REDACTED}`, headers: { authorization: REDACTED }, req: { cookie: REDACTED } });
    expect(second).toMatchObject({ level: 'error', err: { message: `boom at [upstream-host] with ${REDACTED}` } });
  });
});

describe('traceparent', () => {
  it('parses a valid header and formats it back', () => {
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const parsed = parseTraceparent(header);
    expect(parsed).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, isRemote: true });
    expect(formatTraceparent(parsed!)).toBe(header);
  });

  it('refuses malformed headers and all-zero ids', () => {
    for (const bad of [null, '', 'garbage', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});

describe('remainingQuota', () => {
  it('reads the three dialects of rate-limit headers', () => {
    expect(remainingQuota({ 'x-ratelimit-remaining': '42' })).toBe(42);
    expect(remainingQuota({ 'ratelimit-remaining': '7' })).toBe(7);
    expect(remainingQuota({ ratelimit: '"default";r=13;t=30' })).toBe(13);
    expect(remainingQuota({ ratelimit: 'limit=100, remaining=55, reset=10' })).toBe(55);
    expect(remainingQuota({ 'retry-after': '3' })).toBeUndefined();
    expect(remainingQuota({ 'x-ratelimit-remaining': 'lots' })).toBeUndefined();
  });
});

describe('caller hashes', () => {
  it('are stable per key, differ across keys, and do not contain the id', () => {
    const hash = createCallerHasher('key-one-0123456789');
    const other = createCallerHasher('key-two-0123456789');
    expect(hash('user-1')).toBe(hash('user-1'));
    expect(hash('user-1')).not.toBe(hash('user-2'));
    expect(hash('user-1')).not.toBe(other('user-1'));
    expect(hash('user-1')).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('hostsOf', () => {
  it('lists host:port and dotted hostnames (DNS errors carry no port), not single-label names', () => {
    const config = buildConfig(
      parseEnv({
        ...VALID_ENV,
        ORDERS_URL: 'http://orders.internal.example:8080',
        ORDERS_TOKEN_URL: 'https://auth.example/oauth/token',
        CATALOG_URL: 'http://catalog:9000',
        ACCOUNTS_URL: 'http://10.0.0.7:4000',
        REVIEWS_URL: 'http://reviews',
      }),
    );
    const hosts = hostsOf(config);
    expect(hosts).toEqual(expect.arrayContaining(['orders.internal.example:8080', 'orders.internal.example', 'auth.example', 'catalog:9000', '10.0.0.7:4000', '10.0.0.7', 'reviews']));
    expect(hosts).not.toContain('catalog');
    const scrub = createScrubber({ hosts });
    expect(scrub.text('getaddrinfo ENOTFOUND orders.internal.example')).not.toContain('orders.internal.example');
  });
});

describe('the buffered line destination (production)', () => {
  it('holds lines until 4 KB are pending, and writes a lone line within one flush interval', () => {
    vi.useFakeTimers();
    const dir = mkdtempSync(join(tmpdir(), 'bff-lines-'));
    const file = join(dir, 'lines.log');
    const destination = lineDestination(true, file);
    try {
      const { lines } = createLoggers({ level: 'info', scrubber, destination });
      lines.info({ requestId: 'r-1' }, 'graphql request');
      // Buffered: nothing written yet (the file exists, empty).
      expect(readFileSync(file, 'utf8')).toBe('');
      vi.advanceTimersByTime(BUFFERED_FLUSH_MS);
      expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual(['r-1']);
      // Once 4 KB are pending they go out at once, without waiting for the timer; the rest at the next tick.
      for (let i = 0; i < 40; i++) lines.info({ requestId: `r-${i + 2}`, pad: 'x'.repeat(100) }, 'graphql request');
      const written = () => readFileSync(file, 'utf8').trim().split('\n').length;
      const beforeTimer = written();
      expect(beforeTimer).toBeGreaterThan(1 + 20);
      expect(beforeTimer).toBeLessThan(41);
      vi.advanceTimersByTime(BUFFERED_FLUSH_MS);
      expect(written()).toBe(41);
    } finally {
      destination.destroy();
      vi.useRealTimers();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
