# One image for every service of bmp-pipeline; the command picks the service, e.g.
#   docker run bmp-pipeline services/ingest/main.ts
# Sources run through tsx (a production dependency), so there is no separate build output.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY services ./services
COPY schemas ./schemas
USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/ingest/main.ts"]
