// The GraphQL providers of the demo world (accounts, federation-style reviews) over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { AccountsProvider, DEV_CREDENTIALS, fixtures, startAccountsProvider, startReviewsProvider, type ReviewsProvider } from '../../src/dev/upstreams';

let accounts: AccountsProvider;
let reviews: ReviewsProvider;
beforeAll(async () => {
  [accounts, reviews] = await Promise.all([startAccountsProvider(), startReviewsProvider()]);
});
afterAll(async () => {
  await Promise.all([accounts.close(), reviews.close()]);
});

async function gql(url: string, token: string | undefined, payload: unknown) {
  const res = await request(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(payload),
  });
  return { status: res.statusCode, body: (await res.body.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('accounts provider', () => {
  it('answers HTTP 401 with a GraphQL-shaped error without the bearer token', async () => {
    const res = await gql(accounts.url, undefined, { query: '{ user(id: "user-1") { id } }' });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(accounts.url, 'wrong', { query: '{ user(id: "user-1") { id } }' })).status).toBe(401);
  });

  it('resolves user(id) with variables', async () => {
    const query = 'query U($id: ID!) { user(id: $id) { id displayName emailAddress createdAt } }';
    const res = await gql(accounts.url, DEV_CREDENTIALS.accountsToken, { query, variables: { id: 'user-3' }, operationName: 'U' });
    expect(res).toEqual({ status: 200, body: { data: { user: fixtures.user('user-3') } } });
  });

  it('resolves users(ids) in the order of ids with null for unknown ids', async () => {
    const res = await gql(accounts.url, DEV_CREDENTIALS.accountsToken, { query: '{ users(ids: ["user-2", "nobody", "user-1"]) { id } }' });
    expect(res.body.data).toEqual({ users: [{ id: 'user-2' }, null, { id: 'user-1' }] });
  });

  it('answers 400 for a document that does not parse or does not validate, also when cached', async () => {
    for (let i = 0; i < 2; i += 1) {
      expect((await gql(accounts.url, DEV_CREDENTIALS.accountsToken, { query: '{ user(id: ' })).status).toBe(400);
      const invalid = await gql(accounts.url, DEV_CREDENTIALS.accountsToken, { query: '{ user(id: "user-1") { password } }' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.errors?.[0]?.message).toContain('password');
    }
  });
});

describe('reviews provider', () => {
  const query = 'query R($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id reviews { id score body authorId } } } }';

  it('answers _entities in representation order, with an empty list for a product without reviews', async () => {
    const representations = [
      { __typename: 'Product', id: 'prod-300' },
      { __typename: 'Product', id: 'prod-1' },
    ];
    const res = await gql(reviews.url, DEV_CREDENTIALS.reviewsToken, { query, variables: { r: representations } });
    expect(res).toEqual({
      status: 200,
      body: { data: { _entities: [{ id: 'prod-300', reviews: [] }, { id: 'prod-1', reviews: fixtures.reviewsOf('prod-1') }] } },
    });
  });

  it('nulls an invalid representation with an error and keeps the others', async () => {
    const res = await gql(reviews.url, DEV_CREDENTIALS.reviewsToken, { query, variables: { r: [{ __typename: 'User', id: 'u' }, { __typename: 'Product', id: 'prod-2' }] } });
    expect(res.body.data?._entities).toEqual([null, { id: 'prod-2', reviews: fixtures.reviewsOf('prod-2') }]);
    expect(res.body.errors).toHaveLength(1);
  });

  it('demands its own bearer token', async () => {
    expect((await gql(reviews.url, DEV_CREDENTIALS.accountsToken, { query, variables: { r: [] } })).status).toBe(401);
  });

  it('sends a contract-breaking data payload under the malformed fault', async () => {
    reviews.fault({ kind: 'malformed' }, { times: 1 });
    const res = await gql(reviews.url, DEV_CREDENTIALS.reviewsToken, { query, variables: { r: [{ __typename: 'Product', id: 'prod-1' }] } });
    expect(res.status).toBe(200);
    expect(res.body.data?._entities).toEqual([{ __typename: 'Product', id: 5, reviews: [{ id: 'rev-x', score: 'five', body: null }] }]);
  });
});

describe('memoizeAnswers (the bench)', () => {
  const query = 'query R($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id reviews { id score body authorId } } } }';
  const ask = (provider: ReviewsProvider, id: string) =>
    gql(provider.url, DEV_CREDENTIALS.reviewsToken, { query, variables: { r: [{ __typename: 'Product', id }] } });

  it('sends the same answer again for the same request, still logging each request and applying faults first', async () => {
    const memo = await startReviewsProvider({ memoizeAnswers: true });
    try {
      const expected = { status: 200, body: { data: { _entities: [{ id: 'prod-1', reviews: fixtures.reviewsOf('prod-1') }] } } };
      expect(await ask(memo, 'prod-1')).toEqual(expected);
      expect(await ask(memo, 'prod-1')).toEqual(expected);
      // Other variables, another answer.
      expect((await ask(memo, 'prod-2')).body.data).toEqual({ _entities: [{ id: 'prod-2', reviews: fixtures.reviewsOf('prod-2') }] });
      memo.fault({ kind: 'status', status: 503 }, { times: 1 });
      expect((await ask(memo, 'prod-1')).status).toBe(503);
      expect(await ask(memo, 'prod-1')).toEqual(expected);
      expect(memo.requests).toHaveLength(5);
    } finally {
      await memo.close();
    }
  });
});
