# syntax=docker/dockerfile:1
#
# stream-server image: one image for both processes.
#   api    (default):  node apps/api/dist/main.js
#   worker (override): node apps/worker/dist/main.js
# See docker-compose.yml for how the two are wired to Redis and the shared
# media volume, or (profile s3, STORAGE_DRIVER=s3) to a bucket, /data then
# being each container's private scratch.

# ---------------------------------------------------------------------------
# Build stage: install every dependency (dev included), compile the
# TypeScript project references, then drop dev dependencies.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Manifests first, so the `npm ci` layer is reused until a dependency
# changes. Each workspace's package.json is listed on its own because COPY
# with a glob would flatten the directories. Keep this list in step with
# "workspaces" in package.json (tests/deploy/compose.test.ts checks it).
# npm 11, as in development and CI: older npm ignores package.json's
# "allowScripts" and would run every dependency's install script.
RUN npm install -g npm@11 --no-audit --no-fund

COPY package.json package-lock.json tsconfig*.json ./
COPY packages/errors/package.json   packages/errors/
COPY packages/logger/package.json   packages/logger/
COPY packages/config/package.json   packages/config/
COPY packages/profiles/package.json packages/profiles/
COPY packages/storage/package.json  packages/storage/
COPY packages/ffmpeg/package.json   packages/ffmpeg/
COPY packages/contract/package.json packages/contract/
COPY packages/jobs/package.json     packages/jobs/
COPY packages/queue/package.json    packages/queue/
COPY packages/outbound/package.json packages/outbound/
COPY packages/webhooks/package.json packages/webhooks/
COPY packages/fleet/package.json    packages/fleet/
COPY packages/runtime/package.json  packages/runtime/
COPY packages/client/package.json   packages/client/
COPY apps/api/package.json          apps/api/
COPY apps/worker/package.json       apps/worker/
COPY apps/stack/package.json        apps/stack/
RUN npm ci --no-audit --no-fund

# Sources (node_modules, dist and build info are kept out by .dockerignore,
# so `tsc -b` always compiles from scratch).
COPY packages ./packages
COPY apps ./apps
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------
# Runtime stage: Node, Debian's ffmpeg and the built tree; nothing else.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

# Debian bookworm ships ffmpeg 5.1; the app prefers a system ffmpeg >= 5 to
# the old static build bundled by @ffmpeg-installer.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production STORAGE_DIR=/data PORT=8082

# The code stays root-owned (read-only for the app); only /data is writable.
# node_modules/@stream-server/* are symlinks into packages/ and apps/, so
# those directories are copied whole (with their dist/ and package.json).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages ./packages
# apps/ includes apps/web: the web page's static files, which the API
# reads from there at run time (no build step).
COPY --from=build /app/apps ./apps

# Create /data owned by `node` before declaring the volume: a fresh named
# volume is initialised from the image, ownership included.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data

EXPOSE 8082

# The slim image has no curl; Node 20's global fetch does the job. /health
# answers 200 only while Redis is reachable. (The worker serves no HTTP, so
# docker-compose.yml disables this check for it.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8082/health', { signal: AbortSignal.timeout(4000) }).then((res) => process.exit(res.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "apps/api/dist/main.js"]
