# Trivselsguiden production image.
#   docker build -t trivselsguiden .
#   docker run -e TRIVSEL_DATABASE_URL=postgresql+psycopg://... -e TRIVSEL_SECRET_KEY=... \
#              -e TRIVSEL_COOKIE_SECURE=true -p 8000:8000 trivselsguiden
# With PostgreSQL run `trivsel db upgrade` once per release before starting (see
# docs/operations.md); with the embedded SQLite (volume on /data) `serve` migrates itself.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRIVSEL_DATA_DIR=/data

# WeasyPrint's runtime libraries and the notification document's font (app/concerns/pdf.py;
# the same packages as .ci/run's "PDF documents" step).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

RUN groupadd --system trivsel && useradd --system --gid trivsel --home /srv/app trivsel

WORKDIR /srv/app
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY guide_content ./guide_content
COPY templates ./templates
COPY static ./static
RUN pip install -e . && mkdir -p /data && chown trivsel:trivsel /data

USER trivsel
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["trivsel", "serve", "--host", "0.0.0.0", "--port", "8000"]
