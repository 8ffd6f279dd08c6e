# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/mutual-aid.sqlite3

RUN useradd --create-home --uid 10001 aid \
    && mkdir -p /data \
    && chown aid:aid /data

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY config ./config
RUN pip install --no-cache-dir .

USER 10001
VOLUME ["/data"]
CMD ["mutual-aid-bot", "run"]
