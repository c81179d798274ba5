# Two images from one file:
#   docker build .              -> the production image (the last stage): the API,
#                                  relay, workers, beat and Flower; no development tools.
#   docker build --target dev . -> adds the bundled TMDb-compatible server and the SMTP
#                                  sink (what docker-compose.yml's tmdb and smtp run).
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
COPY movienexus ./movienexus
COPY migrations ./migrations
COPY alembic.ini Procfile ./
RUN pip install --no-cache-dir -c requirements/constraints.txt -e . && mkdir -p var/mail var/prometheus && chown -R nobody var
EXPOSE 8000 5555

FROM base AS dev
COPY tmdb_server ./tmdb_server
RUN pip install --no-cache-dir -c requirements/constraints.txt -e '.[dev]'
EXPOSE 8001 1025

FROM base AS production
USER nobody
