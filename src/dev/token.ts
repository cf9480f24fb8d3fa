// `npm run -s token -- [userId] [--scopes a,b] [--idp <url>]`: prints a dev bearer token for a fixture
// user (default user-1) with every dev scope unless --scopes narrows them; HS256 with the dev secret, or
// minted by the simulated identity provider at <url> (the one `npm run dev -- --idp` prints).
import { parseArgs } from 'node:util';
import { mintDevToken } from './dev-jwt';
import { DEV_CALLER_SCOPES } from './upstreams/credentials';
import { DEV_TOKEN_PATH } from './upstreams/identity';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { scopes: { type: 'string' }, idp: { type: 'string' } } });
const userId = positionals[0] ?? 'user-1';
if (!/^user-\d+$/.test(userId)) {
  console.error(`Expected a fixture user id like "user-1", got "${userId}".`);
  process.exit(2);
}
const scopes = values.scopes === undefined ? DEV_CALLER_SCOPES : values.scopes.split(/[\s,]+/).filter(Boolean);

async function fromIdentityProvider(url: string): Promise<string> {
  const response = await fetch(new URL(DEV_TOKEN_PATH, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: userId, scopes }) });
  const body = (await response.json()) as { access_token?: unknown };
  if (response.status !== 200 || typeof body.access_token !== 'string') throw new Error(`The identity provider answered ${response.status}.`);
  return body.access_token;
}

console.log(values.idp === undefined ? await mintDevToken(userId, { scope: scopes.join(' ') }) : await fromIdentityProvider(values.idp));
