// Unclassified failures (a bug in our code) reach clients as INTERNAL_SERVER_ERROR with a stable
// message; the original text only in development.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world';

let prod: World;
let dev: World;
const BUG = 'TypeError: cannot read "x" of undefined at http://10.1.2.3:8080/internal';

beforeAll(async () => {
  prod = await startWorld({ env: { NODE_ENV: 'production', DEMO: '1', PERSISTED_OPERATIONS: 'off', RATE_LIMIT_REQUESTS_PER_WINDOW: '0', RATE_LIMIT_COST_PER_WINDOW: '0' } });
  dev = await startWorld();
  // Simulate a bug below the resolvers: the catalog client throws a plain error.
  for (const world of [prod, dev]) {
    Object.assign(world.gateway.providers.catalog, {
      getProducts: () => Promise.reject(new TypeError(BUG)),
    });
  }
});
afterAll(async () => {
  await prod.close();
  await dev.close();
});

describe('error masking', () => {
  it('masks an unexpected error as INTERNAL_SERVER_ERROR without its text in production, keeping partial data', async () => {
    const res = await prod.gql('{ product(id: "prod-1") { id } ping }');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ product: null, ping: true });
    expect(res.body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: res.headers.get('x-request-id') });
    expect(JSON.stringify(res.body)).not.toContain('10.1.2.3');
  });

  it('adds the original message in development only', async () => {
    const res = await dev.gql('{ product(id: "prod-1") { id } }');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', originalMessage: BUG });
  });
});
