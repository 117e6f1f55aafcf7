# Trust Engine node image: `docker build -t trust-engine:0.1.0 .`
# (docker-compose.network.yml builds and tags it the same way).
#
# The sources are TypeScript run by Node 22's type stripping: there is no
# build step, only the production dependencies to install. The base image is
# a build argument so that a mirror or a pinned digest can stand in for the
# official image: --build-arg BASE_IMAGE=registry.example.org/node:22-bookworm-slim
ARG BASE_IMAGE=node:22-bookworm-slim

# ---- stage 1: production dependencies --------------------------------------
FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=dev leaves out the tests' tools and the `node` package (a second
# Node 22 for older hosts; the base image has Node 22). --omit=optional
# leaves out prebuilt native extras nothing here loads (sharp's libvips).
# --ignore-scripts: no dependency runs code at install (classic-level ships
# prebuilt binaries).
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- stage 2: the runtime --------------------------------------------------
FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="trust-engine" \
      org.opencontainers.image.description="Trust Engine verifier node" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    TRUST_ENGINE_DATA_DIR=/data \
    TRUST_ENGINE_LISTEN=/ip4/0.0.0.0/tcp/7000
WORKDIR /app
# Code and dependencies belong to root and are read-only for the node user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json NOTICE ./
COPY bin ./bin
COPY protocol ./protocol
COPY node ./node
COPY sim ./sim
COPY console/index.html ./console/index.html
COPY console/dist ./console/dist
COPY docker/init.sh docker/healthcheck.js ./docker/
# /data: the node's key, LevelDB and blobs (a volume, private to the node
# user); /network: the network file, written by the compose file's init.
RUN mkdir -p /data /network \
 && chown node:node /data /network \
 && chmod 0700 /data
VOLUME ["/data"]
USER node
# 7000: libp2p (publish it, and announce the published address with
# --announce or TRUST_ENGINE_ANNOUNCE); 7700: the HTTP API (loopback unless
# TRUST_ENGINE_API says otherwise, which then needs TRUST_ENGINE_API_TOKEN).
EXPOSE 7000 7700
# GET /healthz on the node's own API address (docker/healthcheck.js).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "docker/healthcheck.js"]
# The node stops in order on SIGTERM (API, jobs, libp2p, LevelDB): about 2 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "node/cli/main.ts"]
CMD ["node"]
