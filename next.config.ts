// Next.js configuration: the gateway's server-side packages stay outside the bundle so that
// one copy of graphql (and of undici's dispatcher) is loaded at run time.
import type { NextConfig } from 'next';

const config: NextConfig = {
  serverExternalPackages: ['@graphql-yoga/render-graphiql', 'graphql', 'graphql-yoga', '@whatwg-node/node-fetch', '@whatwg-node/server', '@graphql-tools/schema', 'undici', 'pino', 'ioredis', 'dataloader', 'jose', 'zod'],
  poweredByHeader: false,
  // Compression belongs to the proxy or CDN in front (as for the standalone server): gzip of an
  // order page (~35 KB) on the event loop costs more CPU than the rest of Next's per-request work,
  // and Next's compression middleware wraps every response even when the client asks for none.
  compress: false,
  reactStrictMode: true,
  // The allowlist is read from files at run time: serverless platforms (Vercel) bundle only traced
  // files, so the manifests are named for every API route.
  outputFileTracingIncludes: { '/api/**': ['./persisted-queries/manifest.json', './persisted-queries/released/*.json'] },
  // `npm run typecheck` checks the whole project (src and test) in CI; Next's own pass would check it
  // again on every build and fail a demo start on a test-only type error.
  typescript: { ignoreBuildErrors: true },
};

export default config;
