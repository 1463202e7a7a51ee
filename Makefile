# Everyday commands. `make run` and `make test` work from a fresh clone with Python 3.11+ and npm.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt messages bench bench-pdf clean-data

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(PY) -m pip install --quiet --disable-pip-version-check --group dev
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

## Start the app with demo data at http://127.0.0.1:8000/ (embedded PostgreSQL and Redis unless
## DATABASE_URL / REDIS_URL are set). Ctrl-C stops everything.
run: $(STAMP)
	$(PY) -m randers.devservices run

## Run the whole test suite against PostgreSQL and Redis (embedded ones unless the URLs are set).
test: $(STAMP)
	$(PY) -m randers.devservices exec -- $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Update the Danish translations after changing user-facing text.
messages: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemessages --locale da --no-obsolete --ignore "node_modules/*" --ignore ".venv/*" --ignore ".data/*" --ignore "tests/*"
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py compilemessages --locale da --ignore "node_modules/*" --ignore ".venv/*"

clean-data:
	rm -rf .data

## Benchmarks (README, "Performance and benchmarks"): pages against their floor and their query
## counts at 220 and 5,000 units, load against gunicorn, and the PDF figures; one table, one JSON.
bench: $(STAMP)
	$(PY) -m randers.devservices exec -- $(PY) -m tests.benchmarks.run $(BENCH_ARGS)

## The PDF benchmark (README, "PDFs and background jobs"): one 10-page agreement through the whole
## pipeline against WeasyPrint alone, and the book of all demo agreements, cold and warm.
bench-pdf: $(STAMP)
	$(PY) -m randers.devservices exec -- $(PY) -m tests.benchmarks.pdf $(BENCH_ARGS)
