# multi-stage image for the API, the Dagster code location, webserver, daemon and run workers
FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra deploy --no-install-project
COPY lecture_assets ./lecture_assets
COPY graphql_api ./graphql_api
COPY resources ./resources
COPY sensors ./sensors
COPY workspace.yaml dagster.yaml ./
COPY deploy ./deploy
RUN uv sync --frozen --no-dev --extra deploy

FROM python:3.11-slim-bookworm AS runtime
# fonts for burned-in subtitles, tesseract for slide text, espeak-ng for matching misheard
# words to slide terms by sound; ffmpeg itself comes from the imageio-ffmpeg wheel
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core tesseract-ocr tesseract-ocr-eng espeak-ng \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 lecture
WORKDIR /app
COPY --from=build --chown=lecture:lecture /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    DAGSTER_HOME=/app/dagster_home \
    LECTURE_DATA_DIR=/app/data \
    PYTHONUNBUFFERED=1
RUN mkdir -p /app/dagster_home /app/data && cp /app/dagster.yaml /app/dagster_home/ \
    && chown -R lecture:lecture /app/dagster_home /app/data
USER lecture
EXPOSE 8000 3000 4000
# WEB_CONCURRENCY=N runs N API workers, each on its own SO_REUSEPORT socket (graphql_api/serve.py)
CMD ["python", "-m", "graphql_api.serve", "--host", "0.0.0.0", "--port", "8000"]
