# One image for every service of bmp-pipeline; the command picks the service's entry point:
#   docker run bmp-pipeline services/ingest/main.ts
#   docker run bmp-pipeline services/peer-state/main.ts
#   docker run bmp-pipeline services/route-changes/main.ts
#   docker run bmp-pipeline scripts/create-topics.ts      (creates every topic, then exits)
# Sources run through tsx (a production dependency), so there is no separate build output.
# Configuration is by BMP_* environment variables (`SERVICE --print-config` lists them).

# Stage 1: production dependencies only. patches/ must be there before `npm ci`, whose
# postinstall (patch-package) applies them to kafkajs.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: the runtime image: node, the dependencies and the sources, nothing else (no npm
# cache, no dev dependencies, no tests or benchmarks).
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="bmp-pipeline" \
      org.opencontainers.image.description="BMP collector: ingest, peer-state and route-changes services" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY services ./services
COPY schemas ./schemas
COPY scripts/create-topics.ts ./scripts/create-topics.ts
# Numeric user (the image's "node" user, 1000): Kubernetes' runAsNonRoot can only verify a
# numeric one. The BMP port (1790) and HTTP ports are unprivileged, so no capability is needed.
# tsx writes its transform cache under /tmp: with a read-only root file system, mount a volume
# there (the Helm chart does).
USER 1000:1000
EXPOSE 1790 9464 9465 9466
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/ingest/main.ts"]
