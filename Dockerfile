# syntax=docker/dockerfile:1
# guidance-bot: one container serves Slack (/slack/events or Socket Mode), Teams (/api/messages),
# /healthz, /readyz and /metrics on port 3978. See docs/deploy.md.
#
#   docker build -t guidance-bot .
#   docker run --env-file .env -p 127.0.0.1:3978:3978 -v guidance-data:/var/lib/guidance-bot guidance-bot
#
# With no arguments the entrypoint runs `guidance-bot db upgrade` and then
# `guidance-bot serve --host 0.0.0.0 --port 3978`; with arguments it runs `guidance-bot ARGS…`
# (e.g. `docker run --rm guidance-bot about`, `… knowledge check`, `… report misses --since 30d`).

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: install the package and its extras into a virtual environment -------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Only what the wheel needs: pyproject (metadata), README (readme), src, knowledge (bundled).
COPY pyproject.toml README.md ./
COPY src ./src
COPY knowledge ./knowledge
RUN pip install --upgrade pip \
 && pip install '.[slack,teams,postgres]' \
 && guidance-bot knowledge check knowledge

# ---- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="guidance-bot" \
      org.opencontainers.image.description="Shinagawa City staff guidance assistant for Slack and Microsoft Teams"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GUIDANCE_KNOWLEDGE_DIR=/app/knowledge

RUN groupadd --system --gid 10001 guidancebot \
 && useradd --system --uid 10001 --gid guidancebot --no-create-home \
        --home-dir /var/lib/guidance-bot --shell /usr/sbin/nologin guidancebot \
 && mkdir -p /app /var/lib/guidance-bot \
 && chown guidancebot:guidancebot /var/lib/guidance-bot

COPY --from=build /opt/venv /opt/venv
# The knowledge the bot reads (GUIDANCE_KNOWLEDGE_DIR). Read-only for the bot user; to update it
# without a rebuild, mount a directory over /app/knowledge (the bot reloads changed files).
COPY knowledge /app/knowledge
COPY --chmod=0755 docker/entrypoint.sh /usr/local/bin/guidance-bot-entrypoint

# The working directory holds the default SQLite database (./guidance-bot.db and its WAL files):
# mount a volume here when not using PostgreSQL.
WORKDIR /var/lib/guidance-bot
USER guidancebot:guidancebot

EXPOSE 3978
STOPSIGNAL SIGTERM
# Liveness only (the process answers HTTP). Load balancers should use /readyz instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=4)"]

ENTRYPOINT ["guidance-bot-entrypoint"]
CMD []
