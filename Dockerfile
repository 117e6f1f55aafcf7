# Trust Engine node image. Sources run on Node 22's type stripping: no build step.
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY protocol ./protocol
COPY node ./node
COPY sim ./sim
USER node
# libp2p and the HTTP API; the compose file maps them.
EXPOSE 7000 7700
ENTRYPOINT ["node", "node/cli/main.ts"]
CMD ["node"]
