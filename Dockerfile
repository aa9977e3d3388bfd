# One image for the api, worker, notifier and cli processes; docker-compose.yml picks the command.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/postman.ts scripts/postman-collection.ts scripts/build-web.sh scripts/write-openapi.ts scripts/
COPY src src
COPY workflows workflows
COPY activities activities
COPY migrations migrations
COPY test test
COPY bench bench
COPY docs/postman docs/postman
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && ATS_ROOT=/app bash scripts/build-web.sh \
 && node dist/src/main/cli.js bundle-workflows dist/workflow-bundle.js \
 && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# How the processes run (src/main/process-settings.ts): a small young generation, and two malloc
# arenas instead of one per thread.
ENV NODE_OPTIONS=--max-semi-space-size=4
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
CMD ["node", "dist/src/main/api.js"]
