// The yoga-next-route peer's Next.js app, built in a scratch copy of the repository (see
// ../next-route-app.ts): `next build`/`next start` run with this folder as their working directory,
// so the copy's root (turbopack's, and node_modules there) is four levels up. Server packages stay
// outside the bundle as in the gateway's own next.config.ts (one copy of graphql at run time).
import { resolve } from 'node:path';
import type { NextConfig } from 'next';

const root = resolve(process.cwd(), '../../../..');

const config: NextConfig = {
  serverExternalPackages: ['graphql', 'graphql-yoga', 'graphql-jit', '@envelop/graphql-jit', '@whatwg-node/node-fetch', '@whatwg-node/server', '@graphql-tools/schema', 'undici', 'dataloader', 'zod'],
  poweredByHeader: false,
  compress: false,
  turbopack: { root },
  outputFileTracingRoot: root,
  typescript: { ignoreBuildErrors: true },
};

export default config;
