# Two images from one file:
#   docker build .              -> the production image (the last stage): the API,
#                                  relay, workers, beat and Flower; no development tools.
#   docker build --target dev . -> adds the bundled TMDb-compatible server and the SMTP
#                                  sink (what docker-compose.yml's tmdb and smtp run).
# The web app (web/, on the TypeScript client) is built in a Node stage from the lock
# file (npm ci; playwright-core downloads no browser) and only its dist/ is copied.
FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
COPY clients/typescript ./clients/typescript
COPY web ./web
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim AS base
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY setup.cfg pyproject.toml README.md ./
COPY requirements ./requirements
COPY api ./api
COPY adapters ./adapters
COPY domain ./domain
COPY read_models ./read_models
COPY workers ./workers
COPY notifications ./notifications
COPY catalog_sync ./catalog_sync
COPY library_transfer ./library_transfer
COPY movienexus ./movienexus
COPY migrations ./migrations
COPY alembic.ini Procfile gunicorn.conf.py ./
COPY --from=frontend /build/web/dist ./web/dist
RUN pip install --no-cache-dir -c requirements/constraints.txt -e . && mkdir -p var/mail var/prometheus && chown -R nobody var
EXPOSE 8000 5555

FROM base AS dev
COPY tmdb_server ./tmdb_server
RUN pip install --no-cache-dir -c requirements/constraints.txt -e '.[dev]'
EXPOSE 8001 1025

FROM base AS production
USER nobody
