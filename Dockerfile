FROM python:3.11-slim
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
COPY tmdb_server ./tmdb_server
COPY migrations ./migrations
COPY alembic.ini Procfile ./
RUN pip install --no-cache-dir -c requirements/constraints.txt -e . && mkdir -p var/mail var/prometheus
EXPOSE 8000 5555 8001 1025
