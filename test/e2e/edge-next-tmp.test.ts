import { it, expect } from 'vitest';
import { mintDevToken } from '../../src/dev/dev-jwt';
import { ensureNextBuild, freePort, launch } from '../helpers/processes';
import manifest from '../../persisted-queries/manifest.json';
it('persisted ops under next start', async () => {
  ensureNextBuild();
  const port = await freePort();
  const server = await launch(['start'], { DEMO: '1', PORT: String(port), PERSISTED_OPERATIONS: 'enforce' });
  try {
    const token = await mintDevToken('user-1');
    const id = manifest.operations.find((o) => o.name === 'OrderPage')?.id;
    const res = await fetch(`http://127.0.0.1:${port}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` }, body: JSON.stringify({ documentId: id }) });
    const text = await res.text();
    console.log('NEXT', res.status, res.headers.get('x-operation-cost'), text.slice(0, 200));
    const refused = await fetch(`http://127.0.0.1:${port}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query: '{ ping }' }) });
    console.log('NEXT-REFUSED', refused.status, await refused.text());
    expect(res.status).toBe(200);
  } finally {
    await server.stop();
  }
}, 600_000);
