# Runtime image for the API, the Temporal worker and the migration job; compose
# picks the role with `command:`. There is no build step: tsx (a runtime
# dependency) runs the TypeScript sources directly.
FROM node:20-bookworm-slim

# npm is only a script runner here; skip its registry update check.
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app

# Manifests first so the dependency layer is reused when only sources change.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY api ./api
COPY db ./db

# Files stay root-owned, so the unprivileged runtime user cannot modify the
# code it runs; tsx writes its cache under /tmp.
USER node

EXPOSE 3000
CMD ["node", "--import", "tsx", "api/server.ts"]
