# Banyan CRM. `make run` serves the product with its demo company; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATABASE_URL_POSTGRES ?= postgres://postgres@127.0.0.1:5432/banyan_test
export DATABASE_URL_POSTGRES

.PHONY: run test install lint format messages demo clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	scripts/serve.sh

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --ignore ".venv/*" --ignore "static/vendor/*" --ignore "var/*"
	$(BIN)/python manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

demo: $(STAMP)
	$(BIN)/python manage.py seed_demo --reset

clean:
	rm -rf $(VENV) var
