// An identity provider whose key set answer is too large (a loopback node:http server standing in for
// JWT_JWKS_URL): the gateway refuses it by its Content-Length, or stops reading at the cap when the
// size is not declared (chunked), counting bytes, not characters. The caller gets a 401, never a 500,
// and the server sees the connection close long before it has sent everything.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopback, type Loopback } from '../helpers/http-loopback';
import { captureLog } from '../helpers/log-capture';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';
import { startWorld, type World } from '../helpers/world';

const COOLDOWN_MS = 30_000;
const CHUNK = Buffer.alloc(64 * 1024, ' ');
// Far past the 256 KiB cap and whatever the loopback socket buffers hold.
const TOTAL_BYTES = 64 * 1024 * 1024;

interface Poured {
  readonly sent: number;
  /** The client closed the connection before the whole answer was written. */
  readonly cutShort: boolean;
}

/** Writes `total` bytes of `chunk` as fast as the client reads them, until done or the connection closes. */
async function pour(res: ServerResponse, total: number, chunk: Buffer): Promise<Poured> {
  let sent = 0;
  let closed = false;
  const whenClosed = new Promise<void>((resolve) => res.once('close', resolve)).then(() => {
    closed = true;
  });
  while (sent < total && !closed) {
    const room = res.write(chunk);
    sent += chunk.length;
    if (!room) await Promise.race([new Promise((resolve) => res.once('drain', resolve)), whenClosed]);
  }
  if (!closed) res.end();
  await whenClosed;
  return { sent, cutShort: !res.writableFinished };
}

type Scenario = (res: ServerResponse) => Promise<Poured>;

const log = captureLog();
let clock: ManualClock;
let world: World;
let idp: Loopback;
let scenario: Scenario | undefined;
let poured: Promise<Poured> | undefined;

beforeAll(async () => {
  idp = await startLoopback((_req, res) => {
    if (scenario === undefined) throw new Error('no scenario');
    poured = scenario(res);
  });
  clock = createManualClock({ start: Date.now() });
  world = await startWorld({
    callers: 'identity',
    clock,
    env: { JWT_JWKS_URL: `${idp.url}/.well-known/jwks.json` },
    telemetry: { logDestination: log.stream, logLevel: 'warn', processMetrics: false },
  });
});
afterAll(async () => {
  await world.close();
  await idp.close();
});

async function answerWith(serve: Scenario): Promise<{ status: number; code: unknown; reason: unknown; poured: Poured }> {
  scenario = serve;
  poured = undefined;
  log.clear();
  // Each failed fetch starts the cooldown: the next scenario comes after it.
  clock.advance(COOLDOWN_MS);
  // A token of a kid the gateway has never seen (it holds no keys at all): it must fetch the key set.
  const res = await world.gql('{ ping }', { as: `Bearer ${world.upstreams.identity.mint('user-1')}` });
  if (poured === undefined) throw new Error('the gateway did not fetch the key set');
  const failure = log.lines().find((line) => line.msg === 'identity provider key set fetch failed');
  return { status: res.status, code: res.body.errors?.[0]?.extensions['code'], reason: failure?.['reason'], poured: await poured };
}

describe('a key set answer over the size cap', () => {
  it('is refused by its Content-Length before it is read: 401, and the connection is closed', async () => {
    const result = await answerWith(async (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': TOTAL_BYTES });
      // A first piece, then nothing: only the declared size can tell the gateway to stop (else it waits for its timeout).
      res.write(CHUNK);
      await new Promise((resolve) => res.once('close', resolve));
      return { sent: CHUNK.length, cutShort: !res.writableFinished };
    });
    expect([result.status, result.code, result.reason]).toEqual([401, 'UNAUTHENTICATED', 'answer too large']);
    expect(result.poured.cutShort).toBe(true);
  });

  it('without a Content-Length (chunked) is read no further than the cap: 401, and the connection is closed', async () => {
    const result = await answerWith(async (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      return pour(res, TOTAL_BYTES, CHUNK);
    });
    expect([result.status, result.code, result.reason]).toEqual([401, 'UNAUTHENTICATED', 'answer too large']);
    expect(result.poured.cutShort).toBe(true);
    expect(result.poured.sent).toBeLessThan(TOTAL_BYTES);
  });

  it('counts bytes, not characters: a key set of 200 000 two-byte characters (400 kB) is too large', async () => {
    const body = Buffer.from(JSON.stringify({ keys: [], padding: 'é'.repeat(200_000) }));
    const result = await answerWith(async (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      await new Promise((resolve) => res.once('close', resolve));
      return { sent: body.length, cutShort: false };
    });
    expect([result.status, result.code, result.reason]).toEqual([401, 'UNAUTHENTICATED', 'answer too large']);
  });
});
