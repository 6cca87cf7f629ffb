# Tongban — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test lint lint-imports migrations-check unit e2e bench clean venv messages check-deploy

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --quiet --python $(BIN)/python
	touch $@

venv: $(VENV)/.synced

## make demo: set up, migrate SQLite, load the demo city and serve it on http://$(HOST):$(PORT)
demo: venv
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo --url http://$(HOST):$(PORT)
	@echo "Serving the demo city on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@$(BIN)/python manage.py audit_seal --loop 5 > var/audit_seal.log 2>&1 & \
	  sealer=$$!; \
	  $(BIN)/python manage.py db_worker --no-reload > var/db_worker.log 2>&1 & \
	  worker=$$!; \
	  $(BIN)/python manage.py notifications_sweep --loop 120 > var/notifications_sweep.log 2>&1 & \
	  sweeper=$$!; \
	  $(BIN)/python manage.py certificates_sweep --loop 3600 > var/certificates_sweep.log 2>&1 & \
	  certificates=$$!; \
	  $(BIN)/python manage.py exchange_sweep --loop 600 > var/exchange_sweep.log 2>&1 & \
	  exchange=$$!; \
	  trap "kill $$sealer $$worker $$sweeper $$certificates $$exchange 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: lint, import layers, migrations, unit tests, browser journeys
test: lint lint-imports migrations-check unit e2e

lint: venv
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py

lint-imports: venv
	cd src && ../$(BIN)/lint-imports --config ../pyproject.toml

migrations-check: venv
	TONGBAN_VAR_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

unit: venv
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) src
	$(BIN)/pytest -q tests/concurrency
	$(BIN)/pytest -q tests/faults

e2e: venv
	$(BIN)/pytest -q tests/e2e

bench: venv
	$(BIN)/python bench/catalog_search.py
	$(BIN)/python bench/case_throughput.py
	$(BIN)/python bench/exchange_throughput.py

check-deploy: venv
	TONGBAN_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	  PII_KEYS=k1:$$(head -c 32 /dev/urandom | base64) PII_INDEX_KEY=$$(head -c 32 /dev/urandom | base64) \
	  TONGBAN_VAR_DIR=$$(mktemp -d) ALLOWED_HOSTS=tongban.example \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

## make messages: refresh the translation catalogues (English msgids, Chinese translations)
messages: venv
	cd src/tongban && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete \
	  --ignore 'demo/*' --ignore '*/tests/*'
	cd src/tongban && ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var
