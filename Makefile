# set-up and everyday commands; `make run` and `make test` are the two that matter
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := python3 -m uv
APT_PACKAGES := espeak-ng sox fonts-dejavu-core tesseract-ocr tesseract-ocr-eng chromium

.PHONY: run test setup uv system-deps lint format schema bench bench-quick clean

run: setup system-deps  ## start the embedded stack: local S3, Dagster UI + daemon, GraphQL API
	$(UV) run lecture-highlights serve

test: setup system-deps  ## every test, the slow end-to-end ones included
	@set +e; $(UV) run pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$rc

setup: uv  ## the Python environment, exactly as locked
	$(UV) sync --frozen

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"

system-deps:  ## espeak-ng: test lectures and terms by sound; sox: test lectures; DejaVu: subtitles; tesseract: slide OCR
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

lint:  ## ruff, black, mypy and the layer contracts as CI would run them
	$(UV) run ruff check .
	$(UV) run black --check .
	$(UV) run mypy lecture_assets resources sensors graphql_api
	$(UV) run lint-imports

schema:  ## export the public GraphQL schema to schema.graphql (clients build on it)
	$(UV) run python -m graphql_api.export_schema

format:
	$(UV) run ruff check --fix .
	$(UV) run black .

bench: setup system-deps  ## full benchmark on a 60-minute synthetic lecture (slow)
	$(UV) run python -m bench --minutes 60

bench-quick: setup system-deps  ## the same harness on a 20-minute lecture
	$(UV) run python -m bench --minutes 20

clean:
	rm -rf .local tests/.fixtures-cache bench/.cache
