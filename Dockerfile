# Trivselsguiden production image (multi-stage: nothing of the build is left in the image).
#   docker build -t trivselsguiden .
#   docker run -e TRIVSEL_DATABASE_URL=postgresql+psycopg://... -e TRIVSEL_SECRET_KEY=... \
#              -e TRIVSEL_COOKIE_SECURE=true -e TRIVSEL_WORKERS=2 -p 8000:8000 trivselsguiden
# With PostgreSQL run `trivsel db upgrade` once per release before starting (compose.yaml does
# it as a one-off service; docs/operations.md); with the embedded SQLite (volume on /data,
# one worker) `serve` migrates itself.

# --- build: the virtual environment in /opt/venv ----------------------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# The app reads its templates, static files, migrations and guide content beside the package
# (app/ is installed in place, from /srv/app): the same path in both stages.
WORKDIR /srv/app
COPY pyproject.toml README.md LICENSE alembic.ini ./
COPY app ./app
# Every dependency comes as a wheel: no compiler is needed, none is installed. The byte code
# is made here: the app's containers run read-only and write none.
RUN pip install -e . && python -m compileall -q /srv/app/app

# --- the image ---------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    TRIVSEL_DATA_DIR=/data \
    TRIVSEL_LOG_FORMAT=json \
    XDG_CACHE_HOME=/tmp/.cache
# XDG_CACHE_HOME: fontconfig (the PDF) needs a writable cache; HOME is the read-only /srv/app,
# and without one it prints "Fontconfig error: No writable cache directories" (not JSON) to
# the log a dozen times per document. /tmp is compose.yaml's tmpfs.

# runtime libraries for WeasyPrint (the notification's PDF, app/concerns/pdf.py): Pango,
# HarfBuzz's subsetter, fontconfig and the document's font; the same packages as .ci/run's
# "PDF documents" step.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system trivsel && useradd --system --gid trivsel --home /srv/app trivsel \
    && mkdir -p /data && chown trivsel:trivsel /data

COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/app
COPY --from=build /srv/app ./
COPY migrations ./migrations
COPY guide_content ./guide_content
COPY templates ./templates
COPY static ./static

USER trivsel
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# Workers: TRIVSEL_WORKERS (default 1; more need PostgreSQL).
CMD ["trivsel", "serve", "--host", "0.0.0.0", "--port", "8000"]
