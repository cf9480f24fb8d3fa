// Next.js configuration: the gateway's server-side packages stay outside the bundle so that
// one copy of graphql (and of undici's dispatcher) is loaded at run time.
import type { NextConfig } from 'next';

const config: NextConfig = {
  serverExternalPackages: ['graphql', 'graphql-yoga', '@graphql-tools/schema', 'undici', 'pino', 'ioredis', 'dataloader', 'jose', 'zod'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
