// The last line of defence (issue 17, finding 4): an exception that escapes a request hook, a
// response hook or the request handler becomes the contract's JSON 500 with a request id, logged
// once, on yoga.fetch and on a node:http mount alike; never @whatwg-node's text/plain stack.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { afterEach, describe, expect, it } from 'vitest';
import { guardPlugin, useGuardedHandler } from '../../src/plugins/edge/last-resort';
import { useRequestId } from '../../src/plugins/request-id';

const schema = createSchema({ typeDefs: 'type Query { ping: Boolean }', resolvers: { Query: { ping: () => true } } });

type Fault = 'request-sync' | 'request-async' | 'response-sync' | 'response-async' | 'handler' | 'none';

// A plugin that fails where the request's `x-fault` header says (a stand-in for a broken dependency).
const faulty: Plugin = {
  onRequest({ request, setRequestHandler }) {
    const fault = request.headers.get('x-fault') as Fault | null;
    if (fault === 'request-sync') throw new Error('request hook broke at /srv/app/node_modules/lib.js');
    if (fault === 'request-async') return Promise.reject(new Error('request hook rejected'));
    if (fault === 'handler') setRequestHandler(() => Promise.reject(new Error('handler rejected')));
    return undefined;
  },
  onResponse({ request }) {
    const fault = request.headers.get('x-fault') as Fault | null;
    if (fault === 'response-sync') throw new TypeError("Cannot read properties of null (reading 'operationName')");
    if (fault === 'response-async') return Promise.reject(new Error('response hook rejected'));
    return undefined;
  },
};

function guardedYoga(errors: unknown[]) {
  const onError = (error: unknown) => void errors.push(error);
  return createYoga({
    schema,
    logging: false,
    plugins: [useRequestId(), faulty, useGuardedHandler(onError)].map((p) => guardPlugin(p, onError)),
  });
}

async function expectContract500(response: Response): Promise<void> {
  expect(response.status).toBe(500);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] });
}

const FAULTS: Fault[] = ['request-sync', 'request-async', 'response-sync', 'response-async', 'handler'];

describe('escaped exceptions through yoga.fetch', () => {
  for (const fault of FAULTS) {
    it(`answers a ${fault} failure with the JSON 500 and logs it once`, async () => {
      const errors: unknown[] = [];
      const yoga = guardedYoga(errors);
      await expectContract500(await yoga.fetch('http://x/graphql?query={ping}', { headers: { 'x-fault': fault } }));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(Error);
      // The next request is unaffected.
      const ok = await yoga.fetch('http://x/graphql?query={ping}');
      expect([ok.status, await ok.json()]).toEqual([200, { data: { ping: true } }]);
      expect(errors).toHaveLength(1);
    });
  }

  it('without the guard the same failure escapes yoga.fetch as a rejection (what the guard exists for)', async () => {
    const yoga = createYoga({ schema, logging: false, plugins: [faulty] });
    await expect(yoga.fetch('http://x/graphql?query={ping}', { headers: { 'x-fault': 'handler' } })).rejects.toThrow('handler rejected');
  });
});

describe('escaped exceptions on a node:http mount', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('answers every kind of escaped failure with the JSON 500 over the wire', async () => {
    const errors: unknown[] = [];
    const server = createServer(guardedYoga(errors));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    for (const fault of FAULTS) {
      await expectContract500(await fetch(`http://127.0.0.1:${port}/graphql?query={ping}`, { headers: { 'x-fault': fault } }));
    }
    expect(errors).toHaveLength(FAULTS.length);
  });

  it('without the guard node:http answers a text/plain 500 with the stack', async () => {
    const server = createServer(createYoga({ schema, logging: false, plugins: [faulty] }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => new Promise((resolve) => server.close(() => resolve()));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/graphql?query={ping}`, { headers: { 'x-fault': 'request-sync' } });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('node_modules/lib.js');
  });
});
