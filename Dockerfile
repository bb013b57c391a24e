# One image for every service of the stack; compose.yaml picks the service with the command.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LOG_FORMAT=json DATA_DIR=/data
COPY --from=build /app /app
VOLUME /data
ENTRYPOINT ["node", "dist/stack/start.js"]
