# syntax=docker/dockerfile:1.7
# Multi-stage build on Node 22 LTS: compile the service with dev dependencies, ship only production
# dependencies and the compiled service and migrations (no benchmarks, no test fakes), run as an
# unprivileged user with a container healthcheck on /livez. Needs BuildKit (the default builder of
# current Docker): npm's download cache is a cache mount shared by builds, never part of a layer.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# Only src and migrations are here, so the build compiles nothing of bench/ or test/.
RUN npm run build

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
# /app/var (keyset file, embedded data in development) is writable by `app`; a new volume mounted on
# /app/var/keys (docker-compose.yml) starts as a copy of it, owned by `app`.
RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --home /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var/keys && chown -R app:app /app/var
COPY --from=deps --chown=app:app /app/node_modules ./node_modules
COPY --from=build --chown=app:app /app/dist/src ./dist/src
COPY --from=build --chown=app:app /app/dist/migrations ./dist/migrations
COPY --chown=app:app package.json ./
COPY --chown=app:app bin ./bin
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/livez').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# Migrations run as a separate one-shot job before rollout: `node dist/src/cli.js migrate up`.
CMD ["node", "dist/src/main.js"]
