# Banyan CRM. `make run` serves the product with its demo company; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
SCALE ?= 0.1
DATABASE_URL_POSTGRES ?= postgres://postgres@127.0.0.1:5432/banyan_test
export DATABASE_URL_POSTGRES

.PHONY: run test install install-test lint format messages demo bench clean

# The stamps make a second `make run`/`make test` skip pip: they are redone only when
# pyproject.toml changes. `make run` installs what the product needs; `make test` adds the tools.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(RUN_STAMP)

$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

# Production refuses to start without SECRET_KEY: the first run writes a random one to
# var/secret_key (mode 0600), which the settings read from then on.
run: $(RUN_STAMP)
	$(BIN)/python -m banyan.core.keyfile
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py optimize_database
	scripts/serve.sh

test: $(TEST_STAMP)
	scripts/test.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(RUN_STAMP)
	$(BIN)/python -m banyan.core.keyfile
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --ignore ".venv/*" --ignore "static/vendor/*" --ignore "var/*" --ignore "tests/*" --ignore "*/tests/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

demo: $(RUN_STAMP)
	$(BIN)/python -m banyan.core.keyfile
	$(BIN)/python manage.py seed_demo --reset

# `make bench SCALE=0.1` (a tenth, under 10 minutes) or `make bench SCALE=1` (a million
# customers): seeds PostgreSQL at 127.0.0.1:5432 once per scale, times every list in-process and
# through gunicorn, writes bench/results/. BENCH_ARGS="--only customer --no-http" narrows it.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
