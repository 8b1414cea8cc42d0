# One image for every service of bmp-pipeline; the command picks the service's entry point:
#   docker run bmp-pipeline --single-threaded-gc dist/services/ingest/main.js   (the default)
#   docker run bmp-pipeline dist/services/peer-state/main.js
#   docker run bmp-pipeline dist/services/route-changes/main.js
#   docker run bmp-pipeline dist/scripts/create-topics.js   (creates every topic, then exits)
# The services run as JavaScript compiled by `npm run build` (tsconfig.build.json): no
# TypeScript loader at run time, which costs about 50 MiB of memory per process and writes a
# transform cache. Configuration is by BMP_* environment variables (`ENTRY --print-config` lists
# them).

# Stage 1: the build, with the dev dependencies (typescript). patches/ must be there before
# `npm ci`, whose postinstall (patch-package) applies them to kafkajs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
COPY scripts/create-topics.ts ./scripts/create-topics.ts
RUN npm run build

# Stage 2: production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 3: the runtime image: node, the dependencies, the build and the schemas, nothing else
# (no npm cache, no dev dependencies, no sources, tests or benchmarks). The build finds the
# schemas at the package root (the directory of package.json).
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="bmp-pipeline" \
      org.opencontainers.image.description="BMP collector: ingest, peer-state and route-changes services" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# Numeric user (the image's "node" user, 1000): Kubernetes' runAsNonRoot can only verify a
# numeric one. The BMP port (1790) and HTTP ports are unprivileged, so no capability is needed.
USER 1000:1000
EXPOSE 1790 9464 9465 9466
# Source maps (written by the build): stack traces in logs name the TypeScript lines.
ENTRYPOINT ["node", "--enable-source-maps"]
# Ingest's node flags: services/ingest/node-flags.ts says why.
CMD ["--single-threaded-gc", "dist/services/ingest/main.js"]
