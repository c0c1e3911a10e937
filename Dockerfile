# Repayment service image: `docker build -t repayment-service .` then
# `docker run -p 8000:8000 repayment-service` (README, "Operations").

# --- build: the runtime dependencies, exactly as locked (make lock), in a virtualenv ----------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
WORKDIR /src
RUN python -m venv /opt/venv
COPY requirements-runtime.lock .
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements-runtime.lock
# the compiled kernels (setup.py, SPEC §11) built in place beside their Python; the image's own
# setuptools builds them, and without gcc the service would run the same figures slower
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY setup.py pyproject.toml ./
COPY app ./app
RUN /usr/local/bin/python setup.py build_ext --inplace

# --- runtime: the virtualenv, the source tree and its migrations, as a non-root user ----------
# The app runs from /srv/app (not an installed copy): it finds alembic.ini beside its package.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv \
    PATH=/opt/venv/bin:$PATH \
    PORT=8000 \
    DATABASE_URL=sqlite:////srv/data/repayment.db \
    LOG_LEVEL=INFO
# the agreement document's PDF (SPEC §13): WeasyPrint loads Pango and HarfBuzz's subsetter at run
# time, and the Chinese text needs the CJK font it embeds; versions follow the base image's Debian
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /srv --no-create-home app \
    && mkdir -p /srv/data \
    && chown app:app /srv/data
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv
COPY --from=build /src/app ./app
COPY alembic.ini ./
COPY migrations ./migrations
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/livez\", timeout=2)"]
# migrations first (when the image carries them), then the server: app/server.py is uvicorn
# with the slow-peer bounds (HEADER_TIMEOUT_SECONDS, BODY_TIMEOUT_SECONDS, MAX_CONNECTIONS) and
# our JSON access log instead of uvicorn's
CMD ["sh", "-c", "if [ -f alembic.ini ]; then alembic upgrade head; fi && exec python -m app.server --host 0.0.0.0 --port \"$PORT\""]
