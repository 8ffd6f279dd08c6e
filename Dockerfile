# syntax=docker/dockerfile:1
#
# Base image. It should be pinned by digest, so that a build months from now starts from the
# same bytes. No digest is written here yet: none could be resolved where this file was
# written (no registry access). To pin it, and each time you update it:
#   docker buildx imagetools inspect python:3.11-slim-bookworm   # prints "Digest: sha256:…"
# then build with --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<that digest>, or
# write that reference below (Dependabot's or Renovate's docker updater keeps it current).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- Build stage: dependencies from the lock file, then the wheel with its compiled catalogs.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src

# Dependencies first: this layer is rebuilt only when a lock file changes. Exact versions,
# every file checked against its hash (requirements.lock: the bot; requirements-build.lock:
# setuptools, wheel and Babel, which build the wheel).
COPY requirements.lock requirements-build.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps --require-hashes -r requirements-build.lock

# The source. setup.py compiles the translation catalogs (.po -> .mo) into the wheel.
COPY pyproject.toml setup.py README.md babel.cfg ./
COPY config ./config
COPY storage ./storage
COPY bot ./bot
COPY handlers ./handlers
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps /wheels/*.whl

# --- Runtime stage: the slim base, the virtual environment, nothing else (no build tools).
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DATABASE_PATH=/data/mutual-aid.sqlite3

RUN useradd --create-home --uid 10001 aid \
    && mkdir -p /data \
    && chown aid:aid /data

COPY --from=build /opt/venv /opt/venv

USER 10001
WORKDIR /home/aid
VOLUME ["/data"]
# The running bot's /healthz (WEBHOOK_PORT with WEBHOOK_URL, else HTTP_PORT) must answer 200;
# serving neither, valid settings and a readable database (check-config). Else unhealthy.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["mutual-aid-bot", "healthcheck"]
CMD ["mutual-aid-bot", "run"]
