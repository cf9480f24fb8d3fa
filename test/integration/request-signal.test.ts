// The signal the provider clients watch is a native one relayed from Yoga's own request signal
// (src/server/native-signal.ts), and it still hears a client that goes away: through a real Yoga
// on a loopback node:http server, not a stand-in for whatwg-node's signal.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { types } from 'node:util';
import { createSchema, createYoga } from 'graphql-yoga';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nativeSignal } from '../../src/server/native-signal';

interface Seen {
  readonly original: AbortSignal;
  readonly native: AbortSignal;
}

let seen: (value: Seen) => void = () => {};
let aborted: (reason: unknown) => void = () => {};
const server = createServer(
  createYoga<{ request: Request }>({
    logging: false,
    schema: createSchema<{ request: Request }>({
      typeDefs: 'type Query { slow: String }',
      resolvers: {
        Query: {
          // Answers only when the relayed signal aborts: the test ends the request from the client side.
          slow: (_parent, _args, { request: req }) => {
            const native = nativeSignal(req.signal);
            seen({ original: req.signal, native });
            return new Promise<string>((resolve) => native.addEventListener('abort', () => (aborted(native.reason), resolve('late')), { once: true }));
          },
        },
      },
    }),
  }),
);
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

it("relays a disconnecting client from Yoga's request signal (a Proxy under node) to a native AbortSignal", async () => {
  const seenNow = new Promise<Seen>((resolve) => (seen = resolve));
  const abortedNow = new Promise<unknown>((resolve) => (aborted = resolve));
  const client = new AbortController();
  const answer = request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ slow }' }),
    signal: client.signal,
  }).catch((error: unknown) => error);

  const { original, native } = await seenNow;
  expect(types.isProxy(original)).toBe(true);
  expect(types.isProxy(native)).toBe(false);
  expect(native).toBeInstanceOf(AbortSignal);
  expect(native.aborted).toBe(false);

  client.abort();
  await abortedNow;
  expect(native.aborted).toBe(true);
  expect(original.aborted).toBe(true);
  expect(await answer).toBeInstanceOf(Error);
});
