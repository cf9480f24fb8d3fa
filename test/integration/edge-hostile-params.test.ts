// Hostile request parameters and headers (issue 17, findings 1, 4, 5 and 6), through yoga.fetch on a
// production-mode gateway: each ends as a 4xx with a stable code and JSON, no provider is called, no
// metric series is added, and a normal request still answers afterwards.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS } from '../../src/config/env';
import { captureLog, type LogCapture } from '../helpers/log-capture';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

const RESPONSE_JSON = 'application/graphql-response+json';
const METRICS_TOKEN = 'metrics-token-for-hostile-tests-0123';

interface Manifest {
  operations: { id: string; name: string; body: string }[];
}
const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as Manifest;
const catalogue = manifest.operations.find((o) => o.name === 'Catalogue')!;

interface Reply {
  status: number;
  type: string | null;
  requestId: string | null;
  text: string;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function post(world: World, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: RESPONSE_JSON, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), text, body: JSON.parse(text) as Reply['body'] };
}

const codeOf = (reply: Reply) => reply.body.errors?.[0]?.extensions['code'];
const persisted = (variables?: unknown) => JSON.stringify({ documentId: catalogue.id, variables });

async function seriesCount(world: World): Promise<number> {
  const text = await world.gateway.telemetry.metrics.registry.metrics();
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
}

describe('hostile parameters in production', () => {
  let world: World;
  let log: LogCapture;
  beforeAll(async () => {
    log = captureLog();
    world = await startWorld({
      // Budgets off: this file sends a thousand requests from one caller on purpose.
      env: { NODE_ENV: 'production', DEMO: '1', PERSISTED_OPERATIONS: 'enforce', RESPONSE_CACHE: '1', METRICS_TOKEN, RATE_LIMIT_REQUESTS_PER_WINDOW: '0', RATE_LIMIT_COST_PER_WINDOW: '0', RATE_LIMIT_BURST_REQUESTS: '0' },
      telemetry: { logDestination: log.stream, logLevel: 'info', processMetrics: false },
    });
  });
  afterAll(() => world.close());
  beforeEach(() => {
    world.resetCounts();
    log.clear();
  });

  async function expectNormalRequestAnswers(): Promise<void> {
    const ok = await post(world, persisted({ first: 2 }));
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
  }

  it('refuses an operationName that is not a string with 400 BAD_REQUEST as JSON (was a 500 with a stack)', async () => {
    for (const operationName of [['array'], { a: 1 }, 7, true]) {
      const reply = await post(world, JSON.stringify({ operationName, query: '{ __typename }' }));
      expect([reply.status, codeOf(reply), reply.type]).toEqual([400, 'BAD_REQUEST', `${RESPONSE_JSON}; charset=utf-8`]);
      expect(reply.body.errors?.[0]?.message).toBe('The "operationName" parameter must be a string.');
      expect(reply.text).not.toMatch(/at |node_modules|prom-client/);
    }
    expect(world.counts()).toEqual(NO_CALLS);
    await expectNormalRequestAnswers();
  });

  it('refuses variables and extensions that are not objects, and a query that is not a string', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ documentId: catalogue.id, variables: [1] }, 'The "variables" parameter must be a JSON object.'],
      [{ documentId: catalogue.id, variables: 'x' }, 'The "variables" parameter must be a JSON object.'],
      [{ documentId: catalogue.id, extensions: 3 }, 'The "extensions" parameter must be a JSON object.'],
      [{ query: { kind: 'Document' } }, 'The "query" parameter must be a string.'],
      [{ documentId: 12 }, 'The "documentId" parameter must be a string.'],
    ];
    for (const [params, message] of cases) {
      const reply = await post(world, JSON.stringify(params));
      expect([reply.status, codeOf(reply), reply.body.errors?.[0]?.message]).toEqual([400, 'BAD_REQUEST', message]);
    }
    expect(world.counts().catalog).toBe(0);
  });

  it('answers a batch with a null item with that item refused as BAD_REQUEST, never an internal error', async () => {
    const reply = await post(world, JSON.stringify([null, { documentId: catalogue.id, variables: { first: 1 } }]));
    const items = JSON.parse(reply.text) as Reply['body'][];
    expect(reply.status).toBe(200);
    expect(items[0]?.errors?.[0]?.extensions['code']).toBe('BAD_REQUEST');
    expect(items[0]?.errors?.[0]?.message).toBe('Each operation of a request is a JSON object.');
    expect(items[1]?.errors).toBeUndefined();
    expect(log.lines().filter((l) => l.level === 50)).toEqual([]);
  });

  it(`refuses variables nested past LIMIT_VARIABLES_DEPTH (${LIMIT_DEFAULTS.maxVariablesDepth}) with 400, and accepts them at the limit`, async () => {
    // `depth` objects, one inside the other: the variables object itself is the first.
    const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const atLimit = await post(world, `{"documentId":"${catalogue.id}","variables":${nested(LIMIT_DEFAULTS.maxVariablesDepth)}}`);
    // At the limit the parameters pass; the operation then ignores the undeclared variable.
    expect(atLimit.status).toBe(200);
    const past = await post(world, `{"documentId":"${catalogue.id}","variables":${nested(LIMIT_DEFAULTS.maxVariablesDepth + 1)}}`);
    expect([past.status, codeOf(past), past.body.errors?.[0]?.extensions['limit']]).toEqual([400, 'BAD_REQUEST', { max: LIMIT_DEFAULTS.maxVariablesDepth }]);
    // 20,000 levels overflowed the cache key's stringify (a retryable 500) before the check.
    const deep = await post(world, `{"documentId":"${catalogue.id}","variables":{"first":1,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`);
    expect([deep.status, codeOf(deep), deep.body.errors?.[0]?.extensions['retryable']]).toEqual([400, 'BAD_REQUEST', undefined]);
    await expectNormalRequestAnswers();
  });

  it(`refuses variables with more than LIMIT_VARIABLES_VALUES (${LIMIT_DEFAULTS.maxVariablesValues}) values, and accepts exactly that many`, async () => {
    const list = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;
    // One value is the list itself, under its key.
    const atLimit = await post(world, `{"documentId":"${catalogue.id}","variables":{"x":${list(LIMIT_DEFAULTS.maxVariablesValues - 1)}}}`);
    expect(atLimit.status).toBe(200);
    const past = await post(world, `{"documentId":"${catalogue.id}","variables":{"x":${list(LIMIT_DEFAULTS.maxVariablesValues)}}}`);
    expect([past.status, codeOf(past), past.body.errors?.[0]?.message]).toEqual([400, 'BAD_REQUEST', 'The "variables" parameter has too many values.']);
  });

  it('answers invalid JSON with 400 BAD_REQUEST and no originalError echoing the body', async () => {
    const reply = await post(world, '{"query": "secret-looking-body');
    expect([reply.status, codeOf(reply)]).toEqual([400, 'BAD_REQUEST']);
    expect(Object.keys(reply.body.errors?.[0]?.extensions ?? {}).sort()).toEqual(['code', 'requestId']);
    expect(reply.text).not.toContain('secret-looking-body');
    expect(reply.body.errors?.[0]?.extensions['requestId']).toBe(reply.requestId);
  });

  it('adds no metric series for 1,000 refused requests with random operation names', async () => {
    // Warm the series a refused request legitimately touches (outcome "error" of "other", its code).
    await post(world, JSON.stringify({ operationName: 'Warm', query: '{ __typename }' }));
    const before = await seriesCount(world);
    for (let i = 0; i < 1000; i++) {
      const reply = await post(world, JSON.stringify({ operationName: `Rnd${i}x${Math.random().toString(36).slice(2)}`, query: '{ __typename }' }));
      expect(reply.status).toBe(403);
    }
    expect(await seriesCount(world)).toBe(before);
    const text = await world.gateway.telemetry.metrics.registry.metrics();
    expect(text).not.toContain('Rnd');
    expect(text).toContain('operation="other"');
  });

  it('labels a persisted operation with its manifest name', async () => {
    await post(world, JSON.stringify({ documentId: catalogue.id, operationName: 'Catalogue', variables: { first: 3 } }));
    const text = await world.gateway.telemetry.metrics.registry.metrics();
    expect(text).toMatch(/bff_graphql_request_duration_seconds_count\{operation="Catalogue",outcome="success"\} [1-9]/);
  });

  it('bounds a 16 KB client-name header before the scrubber sees it, and the log line keeps 64 characters', async () => {
    const header = 'eyJ-'.repeat(4000);
    const reply = await post(world, persisted({ first: 1 }), { 'graphql-client-name': header, 'graphql-client-version': header });
    expect(reply.status).toBe(200);
    const line = log.requestLines().at(-1);
    expect(String(line?.['clientName']).length).toBe(65);
    expect(String(line?.['clientVersion']).length).toBe(33);
  });
});
