# syntax=docker/dockerfile:1
# One image for every component: the container's argument picks the gateway or a service
# (node dist/app/<component>/main.js). See helm/eks-info/README.md, "Image".
#
#   scripts/build.sh                  multi-arch build (linux/arm64 + linux/amd64) and push to ECR
#   docker build -t eks-info:local .  one local image for docker compose
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: compile and bundle on the builder's own CPU; the bundles are plain JavaScript, the
# same for every target architecture (scripts/bundle.mjs: one bundle per component).
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: node and the bundles only. Each component's bundle holds the code it runs (no
# node_modules, no tests, no other component's code); nothing is writable but the volumes.
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (libuv's pool, V8's compiler and GC
# threads) its own malloc arena, and what they free stays resident; two arenas keep about 6 MiB
# less per process (bench/README.md, footprint).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PORT=8080 \
    MANAGEMENT_PORT=9000 \
    EBS_PATH=/data/ebs \
    EFS_PATH=/data/efs \
    HISTORY_PATH=/data/history
WORKDIR /app
# A numeric non-root user (Kubernetes' runAsNonRoot checks the number), and the mount points
# owned by it so fresh Docker volumes are writable too. npm, npx, corepack and yarn are removed:
# the runtime never installs anything, and they are the image's largest source of CVE reports.
RUN groupadd --system --gid 10001 eksinfo \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin eksinfo \
 && mkdir -p /data/ebs /data/efs /data/history \
 && chown 10001:10001 /data/ebs /data/efs /data/history \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg
# Code stays owned by root: the app cannot change itself.
COPY --from=build /src/dist/app ./dist/app
COPY docker/healthcheck.mjs docker/smoke.mjs ./docker/
USER 10001:10001
EXPOSE 8080 9000
# Docker and compose only (Kubernetes uses the chart's probes): /health of whichever of the
# gateway port and the management port this component serves.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "docker/healthcheck.mjs"]
# No --enable-source-maps by default: mapping a stack loads the bundle's source map (~190 MiB for
# storage, measured). Stacks name the function and the line of the unminified bundle; set
# NODE_OPTIONS=--enable-source-maps to map them to the TypeScript sources live.
ENTRYPOINT ["node"]
CMD ["dist/app/gateway/main.js"]
