// Admission through the front door, with the limit pinned at one slot: a request held by a hanging
// provider keeps the slot, the next one waits its turn, one more is refused with 503 OVERLOADED and
// Retry-After, cached answers and probes never wait, and a freed slot goes to the waiter.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    env: { ADMISSION_MIN_CONCURRENT: '1', ADMISSION_MAX_CONCURRENT: '1', ADMISSION_MAX_QUEUED: '1', ADMISSION_QUEUE_TIMEOUT_MS: '60000', RESPONSE_CACHE: '1' },
  });
});
afterAll(() => world.close());
afterEach(() => world.upstreams.catalog.clearFaults());

const post = async (query: string, signal?: AbortSignal): Promise<Response> =>
  world.gateway.yoga.fetch('http://gateway/api/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
    ...(signal ? { signal } : {}),
  });

const manifest = JSON.parse(readFileSync('persisted-queries/manifest.json', 'utf8')) as { operations: { id: string; name: string }[] };
const CATALOGUE = new URLSearchParams({
  extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: manifest.operations.find((o) => o.name === 'Catalogue')?.id ?? '' } }),
  variables: JSON.stringify({ first: 2 }),
});
/** The client's cached catalogue page: a GET of a persisted operation (the early-hit path). */
const getCatalogue = () => world.gateway.yoga.fetch(`http://gateway/api/graphql?${CATALOGUE}`, { headers: { 'x-apollo-operation-name': 'Catalogue' } });

/** Resolves once the simulated catalog has received `n` requests in all (the held one reached it). */
async function catalogReached(n: number): Promise<void> {
  for (let i = 0; i < 1000 && world.counts().catalog < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(world.counts().catalog).toBeGreaterThanOrEqual(n);
}

describe('admission', () => {
  it('holds one slot, queues one request, refuses the next with 503 OVERLOADED, and hands the freed slot on', async () => {
    expect((await getCatalogue()).status).toBe(200); // stored for later
    world.resetCounts();

    world.upstreams.catalog.fault({ kind: 'hang' }, { times: 1 });
    const client = new AbortController();
    const held = post('{ product(id: "prod-22") { id } }', client.signal);
    await catalogReached(1);

    const queued = post('{ product(id: "prod-23") { id title } }');
    const refused = await post('{ product(id: "prod-24") { id } }');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-request-id')).not.toBeNull();
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'OVERLOADED', retryable: true });

    // A cached answer served early does not take a slot, and the probe is not a GraphQL request.
    const hit = await getCatalogue();
    expect(hit.status).toBe(200);
    expect((await world.gateway.yoga.fetch('http://gateway/api/health/live')).status).toBe(200);
    expect(world.counts().catalog).toBe(1); // only the held request reached a provider

    client.abort(); // the held request ends, its slot goes to the queued one
    await Promise.resolve(held).then(
      (res) => res.text(),
      () => undefined,
    );
    const served = await queued;
    expect(served.status).toBe(200);
    expect(await served.json()).toMatchObject({ data: { product: { id: 'prod-23' } } });
    expect(world.counts().catalog).toBe(2);
    // Everything released: a new request runs at once.
    expect((await post('{ product(id: "prod-25") { id } }')).status).toBe(200);
  });
});
