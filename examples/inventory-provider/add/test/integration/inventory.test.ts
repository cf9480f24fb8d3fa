// The inventory provider (README "Add a provider"): Product.stock from one batched call per level of
// the query, and its failures are field-level (the rest of the answer arrives).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS, fixtures } from '../../src/dev/upstreams';
import { NO_CALLS, startWorld, type World } from '../helpers/world';

let world: World;
beforeAll(async () => {
  world = await startWorld({ http: { inventory: { retry: { maxRetries: 0 } } } });
});
afterAll(() => world.close());
afterEach(() => {
  world.upstreams.inventory.clearFaults();
  world.resetCounts();
});

const stockOf = (id: string) => fixtures.product(id)?.stock_qty;

describe('Product.stock', () => {
  it('is the product’s stock, from one inventory call with the API key', async () => {
    const res = await world.gql('{ product(id: "prod-1") { id stock } }');
    expect(res.body).toEqual({ data: { product: { id: 'prod-1', stock: stockOf('prod-1') } } });
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1, inventory: 1 });
    expect(world.upstreams.inventory.requests[0]?.headers['x-api-key']).toBe(DEV_CREDENTIALS.inventoryApiKey);
  });

  it('costs one inventory call for a page of 50 products', async () => {
    const res = await world.gql('{ products(first: 50) { edges { node { id stock } } } }');
    const nodes = (res.body.data?.['products'] as { edges: { node: { id: string; stock: number | null } }[] }).edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    expect(nodes.every((node) => node.stock === stockOf(node.id))).toBe(true);
    expect(world.counts()).toEqual({ ...NO_CALLS, catalog: 1, inventory: 1 });
    expect(world.upstreams.inventory.requests[0]?.query['ids']?.split(',')).toHaveLength(50);
  });

  it('is null, without an error, for a product the inventory does not stock', async () => {
    const res = await world.gql('{ product(id: "prod-300") { id stock } }');
    expect(res.body).toEqual({ data: { product: { id: 'prod-300', stock: null } } });
  });

  it('is null with UPSTREAM_UNAVAILABLE when the provider fails, and the rest of the answer arrives', async () => {
    world.upstreams.inventory.fault({ kind: 'status', status: 503 });
    const res = await world.gql('{ product(id: "prod-1") { id title stock } }');
    expect(res.body.data).toEqual({ product: { id: 'prod-1', title: fixtures.product('prod-1')?.name, stock: null } });
    expect(res.body.errors?.map((e) => [e.path, e.extensions['code']])).toEqual([[['product', 'stock'], 'UPSTREAM_UNAVAILABLE']]);
  });

  it('is null with UPSTREAM_BAD_RESPONSE when the provider breaks its contract', async () => {
    world.upstreams.inventory.fault({ kind: 'malformed' });
    const res = await world.gql('{ product(id: "prod-1") { id stock } }');
    expect(res.body.data).toEqual({ product: { id: 'prod-1', stock: null } });
    expect(res.body.errors?.map((e) => [e.path, e.extensions['code']])).toEqual([[['product', 'stock'], 'UPSTREAM_BAD_RESPONSE']]);
  });
});
