# syntax=docker/dockerfile:1
# The gateway's container image: `next start` of the production build, on Node 24, as a non-root user.
#   docker build -t bff-gateway .
#   docker run --rm -p 3000:3000 --env-file deploy/compose/gateway.env bff-gateway
# docs/deploy.md explains each choice; test/deploy/dockerfile.test.ts checks the rules below and
# replays these steps in a scratch directory (no Docker engine in CI), then starts the result with
# this CMD against simulated providers.
#
# Node: the base image is Node 24 itself. The `node` devDependency (Node 24 first on the PATH of every
# npm script) only matters where the system node is older; here it is installed in the deps stage
# without its download script (--ignore-scripts) and never reaches the runtime stage (`--omit=dev`).

# 1. Every dependency, dev included (next build needs typescript); only the manifests are copied,
#    so this layer is rebuilt when they change, not on every source edit. --ignore-scripts: nothing
#    the build or the server uses needs an install script (native parts come as optional packages),
#    and the `node` devDependency's preinstall would download a second Node.
FROM node:24-slim AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund

# 2. The production build (.next). Its build cache (.next/cache) is dropped: the runtime never reads it.
#    Committed generated code (src/generated) is used as is: no codegen in the image.
FROM node:24-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json next.config.ts tsconfig.json ./
COPY src ./src
RUN npx next build && rm -rf .next/cache

# 3. The runtime: production dependencies only, the build, the config Next loads at start and the
#    persisted-operation manifests the allowlist reads (persisted-queries/, relative to /app).
#    Files stay owned by root: the gateway (uid 1000, the image's `node` user) cannot modify its code,
#    and it writes nothing at run time (checked by the test), so a read-only root filesystem works.
FROM node:24-slim AS runtime
# tini as PID 1: it forwards SIGTERM to the gateway and reaps zombies. Node as PID 1 has no default
# signal action, so a SIGTERM before the gateway hooked its shutdown (first request or readiness
# probe) would be ignored until the kill; `docker run --init` is not needed with it.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# NEXT_MANUAL_SIG_HANDLE: keeps Next's own SIGTERM handler (listener closed at once, exit 143) out of
# the way of the gateway's graceful shutdown (readiness 503, drain, in-flight requests, exit 0).
# PORT is read by `next start` (the CMD passes no --port).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    NEXT_MANUAL_SIG_HANDLE=true \
    PORT=3000
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/.next ./.next
COPY next.config.ts ./
COPY persisted-queries/manifest.json ./persisted-queries/manifest.json
COPY persisted-queries/released ./persisted-queries/released
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health/live').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# What `npm start` runs in production (src/server/start.ts), without npm, tsx or the launcher: node with
# the gateway's V8 flags (src/server/node-options.ts) runs `next start` in this process, the direct
# child of tini, so SIGTERM reaches the gateway itself. --keepAliveTimeout is SERVER_KEEP_ALIVE_TIMEOUT_MS's
# default (the launcher passes that variable; here change the CMD to change it).
CMD ["node", "--max-semi-space-size=64", "--initial-old-space-size=256", "node_modules/next/dist/bin/next", "start", "--keepAliveTimeout", "5000"]
