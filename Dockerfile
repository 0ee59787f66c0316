# Đúng hạn in a container: gunicorn by default; the same image runs `dunghan worker` and the
# release step (`dunghan migrate`, `dunghan load-processes`). Configuration: DUNGHAN_* variables.
#   docker build -t dunghan .      (compose.yaml runs web + worker + PostgreSQL)

# Front-end packages from the npm registry, pinned by package-lock.json.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
 && mkdir vendor \
 && tar -C node_modules -cf - --exclude='*.map' \
        $(node -p "Object.keys(require('./package.json').dependencies).join(' ')") \
    | tar -C vendor -xf -

FROM python:3.13-slim-bookworm AS build
WORKDIR /src
COPY . .
COPY --from=assets /src/vendor service/static/vendor
RUN python -m venv /opt/dunghan \
 && /opt/dunghan/bin/pip install --no-cache-dir --disable-pip-version-check .

# Pango and fonts with Vietnamese glyphs for WeasyPrint's PDFs; pg_dump for backups.
FROM python:3.13-slim-bookworm
RUN useradd --system --create-home --home-dir /var/lib/dunghan --shell /usr/sbin/nologin dunghan \
 && apt-get update && apt-get install -y --no-install-recommends postgresql-client \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/dunghan /opt/dunghan
ENV PATH=/opt/dunghan/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DUNGHAN_BIND=0.0.0.0:8000 \
    DUNGHAN_LOG_FORMAT=json \
    DUNGHAN_VAR_DIR=/var/lib/dunghan
USER dunghan
WORKDIR /var/lib/dunghan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "-c", "python:service.gunicorn_config", "service.wsgi:app"]
