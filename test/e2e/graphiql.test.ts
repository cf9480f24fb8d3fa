// GraphiQL in a real browser (Debian's Chromium driven by playwright-core, no downloaded browser):
// the development gateway serves it with bundled assets, the persisted operations open as tabs,
// and under `npm run dev` every tab carries the dev token the launcher prints, so that a developer runs
// an authenticated example with nothing pasted. Screenshot: test/artifacts/graphiql-authenticated.png.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseEnv } from '../../src/server/config';
import { demoEnv } from '../../src/dev/demo-env';
import { fixtures, startUpstreams, type Upstreams } from '../../src/dev/upstreams';
import { graphiqlExamples } from '../../src/generated/graphiql-examples';
import { createGateway, type Gateway } from '../../src/server/gateway';
import { startNodeServer, type NodeServerHandle } from '../../src/server/node-server';
import { GRAPHQL_ENDPOINT } from '../../src/server/yoga';
import { freePort, launch } from '../helpers/processes';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = 'test/artifacts/graphiql-authenticated.png';

let upstreams: Upstreams;
let gateway: Gateway;
let server: NodeServerHandle;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test does, as root)`);
  upstreams = await startUpstreams();
  gateway = createGateway(buildConfig(parseEnv({ ...demoEnv(upstreams), NODE_ENV: 'development' })));
  server = await startNodeServer(gateway.yoga);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await gateway?.close();
  await upstreams?.close();
});

/** Opens GraphiQL and records every URL the page requests. */
async function openGraphiQL(): Promise<{ page: Page; requested: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${server.url}${GRAPHQL_ENDPOINT}`);
  await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
  return { page, requested };
}

/** An editor's visible text; Monaco renders spaces as no-break spaces. */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return (await locator.innerText()).replace(/\u00a0/g, ' ');
}

describe('GraphiQL in development', () => {
  it('loads from the gateway alone (no CDN) with one tab per persisted operation', async () => {
    const { page, requested } = await openGraphiQL();
    try {
      const tabs = page.locator('.graphiql-tab-button');
      await expect.poll(() => tabs.allInnerTexts(), { timeout: 15_000 }).toEqual(graphiqlExamples.map((e) => e.name));
      expect(graphiqlExamples.map((e) => e.name)).toContain('Me');
      const foreign = requested.filter((url) => !url.startsWith(server.url) && !url.startsWith('blob:') && !url.startsWith('data:'));
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('under npm run dev, runs an authenticated example in a second tab with nothing pasted: every tab carries the printed dev token', async () => {
    // The launcher as `npm run dev` runs it (on node:http: same launcher, config and GraphiQL as next dev).
    const port = await freePort();
    const dev = await launch(['dev', '--standalone'], { PORT: String(port) });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const token = /Dev token for user-1[^\n]*\n(\S+)\n/.exec(dev.output())?.[1];
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const user = fixtures.user('user-1');
      expect(user).toBeDefined();
      const sent: (string | undefined)[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === GRAPHQL_ENDPOINT) sent.push(request.headers()['authorization']);
      });
      await page.goto(`http://127.0.0.1:${port}${GRAPHQL_ENDPOINT}`);
      await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
      const tabs = page.locator('.graphiql-tab-button');
      await expect.poll(() => tabs.allInnerTexts(), { timeout: 15_000 }).toEqual(graphiqlExamples.map((e) => e.name));

      // The second example tab (Me needs a caller). Keyboard activation: under headless Chromium a
      // synthetic mouse click on a tab is swallowed by GraphiQL's drag-to-reorder handler, while Enter
      // on the focused tab switches it.
      expect(graphiqlExamples[1]?.name).toBe('Me');
      await tabs.nth(1).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => textOf(page.locator('.graphiql-query-editor')), { timeout: 10_000 }).toContain('query Me {');
      // Its headers pane shows the token (the pane is open at start); nothing was typed into it.
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor:visible');
      await expect.poll(() => textOf(headers), { timeout: 10_000 }).toContain(`"Authorization": "Bearer ${token}"`);

      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.graphiql-response');
      await expect.poll(() => textOf(result), { timeout: 15_000 }).toContain('"data"');
      const text = await textOf(result);
      expect(text).toContain('"id": "user-1"');
      expect(text).toContain(`"name": "${user?.displayName}"`);
      expect(text).toContain(`"email": "${user?.emailAddress}"`);
      expect(text).not.toContain('"errors"');
      expect(sent.at(-1)).toBe(`Bearer ${token}`);

      mkdirSync('test/artifacts', { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(existsSync(SCREENSHOT)).toBe(true);
    } finally {
      await page.close();
      await dev.stop();
    }
  }, 120_000);

  it('runs the persisted @defer example as a multipart stream and shows the parts merged', async () => {
    const port = await freePort();
    const dev = await launch(['dev', '--standalone'], { PORT: String(port) });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      const streamed: { accept: string | undefined; contentType: string | undefined }[] = [];
      page.on('response', (response) => {
        const request = response.request();
        if (request.method() === 'POST' && new URL(request.url()).pathname === GRAPHQL_ENDPOINT && (request.postData() ?? '').includes('@defer')) {
          streamed.push({ accept: request.headers()['accept'], contentType: response.headers()['content-type'] });
        }
      });
      await page.goto(`http://127.0.0.1:${port}${GRAPHQL_ENDPOINT}`);
      await page.locator('.graphiql-container').first().waitFor({ timeout: 30_000 });
      const tabs = page.locator('.graphiql-tab-button');
      await expect.poll(() => tabs.allInnerTexts(), { timeout: 15_000 }).toEqual(graphiqlExamples.map((e) => e.name));
      const index = graphiqlExamples.findIndex((e) => e.name === 'OrderPageDeferredReviews');
      expect(index).toBeGreaterThan(0);
      await tabs.nth(index).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => textOf(page.locator('.graphiql-query-editor')), { timeout: 10_000 }).toContain('@defer(label: "reviews")');

      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.graphiql-response');
      // The deferred fields appear once the later parts are merged into the first.
      await expect.poll(() => textOf(result), { timeout: 20_000 }).toContain('"averageRating"');
      const text = await textOf(result);
      expect(text).toContain('"reviews": [');
      expect(text).toContain('"author": {');
      expect(text).not.toContain('"errors"');
      expect(text).not.toContain('"incremental"');
      expect(text).not.toContain('"hasNext"');
      expect(streamed).toHaveLength(1);
      expect(streamed[0]?.accept ?? '').toContain('multipart/mixed');
      expect(streamed[0]?.contentType ?? '').toMatch(/^multipart\/mixed/);
    } finally {
      await page.close();
      await dev.stop();
    }
  }, 120_000);
});

describe('GraphiQL outside development', () => {
  it('is not served in production mode', async () => {
    const config = buildConfig(parseEnv({ ...demoEnv(upstreams), NODE_ENV: 'production', GRAPHIQL_TOKEN: 'a-token' }));
    expect(config.graphiqlToken).toBeUndefined();
    const production = createGateway(config);
    try {
      const response = await production.yoga.fetch(`http://gateway${GRAPHQL_ENDPOINT}`, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
      expect(await response.text()).not.toContain('YogaGraphiQL');
    } finally {
      await production.close();
    }
  });
});
