// The cost budget fed by the real static cost estimate (src/plugins/cost.ts): each operation spends
// exactly what `x-operation-cost` says, and the one that no longer fits is refused.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorld, type World } from '../helpers/world';

const BUDGET = 1000;
const CATALOGUE = 'query Catalogue($first: Int) { products(first: $first) { edges { node { id title averageRating } } } }';

let world: World;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date());
  world = await startWorld({ env: { RATE_LIMIT_COST_PER_WINDOW: String(BUDGET), RATE_LIMIT_REQUESTS_PER_WINDOW: '0' } });
});
afterAll(async () => {
  await world.close();
  vi.useRealTimers();
});

describe('cost budget with the estimated cost', () => {
  it('spends each operation’s x-operation-cost and refuses the first that does not fit', async () => {
    const probe = await world.gql(CATALOGUE, { as: 'cost-probe', variables: { first: 20 } });
    const cost = Number(probe.headers.get('x-operation-cost'));
    expect(cost).toBeGreaterThan(1);
    expect(probe.headers.get('ratelimit-remaining')).toBe(String(BUDGET - cost));

    const fits = Math.floor(BUDGET / cost);
    const statuses: number[] = [];
    for (let i = 0; i < fits + 2; i++) statuses.push((await world.gql(CATALOGUE, { as: 'cost-user', variables: { first: 20 } })).status);
    expect(statuses).toEqual([...Array<number>(fits).fill(200), 429, 429]);

    // A cheaper operation that fits in what is left goes through and spends exactly its cost.
    const left = BUDGET - fits * cost;
    const small = await world.gql(CATALOGUE, { as: 'cost-user', variables: { first: 1 } });
    const smallCost = Number(small.headers.get('x-operation-cost'));
    expect(smallCost).toBeLessThanOrEqual(left);
    expect(small.status).toBe(200);
    expect(small.headers.get('ratelimit-remaining')).toBe(String(left - smallCost));
  });
});
