# The two commands of the README's quick start, each making its own virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: the main job on the embedded default (SQLite, local Prefect server, mail sink) until Ctrl-C
run: $(STAMP)
	$(BIN)/coordination serve $(SERVE_ARGS)

## test: lint (ruff), type-check (mypy: strict on the domain and the services), then the whole suite
## (PostgreSQL tests need the server binaries; see README), one worker per core, each test file on
## one worker (its fixtures set up once)
PYTEST_ARGS ?= -n auto --dist loadfile
test: $(STAMP)
	$(BIN)/ruff check coordination flows tests benchmarks docs
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
