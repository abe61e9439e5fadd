# The production image of the queue worker: the @fq/worker package's `fq-worker` bin on its
# built JavaScript, with the worker's production dependencies only (no TypeScript loader, no
# test tooling, no fake Gemini). See "Production" in worker/README.md.
#
#   docker build -t fq-worker .
#   docker run --rm -e GCLOUD_PROJECT=my-project -e GEMINI_API_KEY=... fq-worker --concurrency 4
#
# It sits at the repository root, not in worker/, because the build needs the npm workspace
# (the root package.json and its single package-lock.json), and because `docker build .` and
# `gcloud run deploy --source .` both pick up ./Dockerfile and ./.dockerignore from there.
# worker/src/cli/container.test.ts holds this file to the CLI (flags, variables, /healthz,
# the bin) and `npm run rehearse:image -w @fq/worker` runs its build and runtime commands
# without Docker.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile the worker and pack it as npm would publish it ----
FROM ${NODE_IMAGE} AS build
WORKDIR /repo
COPY . .
# The worker's own dependencies and dev dependencies (esbuild) from the lockfile; not the
# console's, the emulator's tooling or Playwright. No install scripts: none is needed (see
# allowScripts in package.json).
RUN npm ci --workspace @fq/worker --ignore-scripts --no-audit --no-fund
# dist/ (JavaScript only: the image needs no declarations), then /image/fq-worker.tgz with a
# package.json and a lockfile that pins every dependency at the repository's versions.
RUN node worker/scripts/build.mjs \
 && node worker/scripts/pack-for-image.mjs /image

# ---- runtime: node, the package and its production dependencies ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /image/ ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf "$(npm config get cache)"
# Files stay root's and read-only to the process; it runs as the image's unprivileged user.
USER node
# /healthz and /metrics. Cloud Run sets PORT itself; elsewhere this default applies.
ENV PORT=8080
EXPOSE 8080
# SIGTERM: stop claiming, let in-flight jobs finish for FQ_GRACE_MS, then release the rest
# and deregister within FQ_FINAL_WRITES_MS. 7 s + 2 s fits the 10 s that Cloud Run and
# `docker stop` allow before SIGKILL; raise both where the platform allows more (Kubernetes'
# terminationGracePeriodSeconds, `docker stop -t`).
STOPSIGNAL SIGTERM
ENV FQ_GRACE_MS=7000 FQ_FINAL_WRITES_MS=2000
# 200 while the worker runs; 503 while it starts, drains or has stopped.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs the worker directly (PID 1, exec form): the signal reaches the worker's handler.
ENTRYPOINT ["node", "/app/node_modules/@fq/worker/bin/fq-worker.mjs"]
CMD []
