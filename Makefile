# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

## Run the demo on the embedded default (SQLite, console channel, no configuration).
demo: $(STAMP)
	$(VENV)/bin/cellule db upgrade
	$(VENV)/bin/cellule demo

## Run the whole suite, on SQLite and PostgreSQL (PostgreSQL required when CI=true).
test: $(STAMP)
	$(VENV)/bin/cellule db upgrade
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

## The fast subset: every test but those that run Prefect flows (marked `flow`, see tests/conftest.py).
test-fast: $(STAMP)
	$(VENV)/bin/cellule db upgrade
	$(VENV)/bin/pytest -m "not flow"

## Every benchmark in bench/, short mode, one table (about 20 minutes; PostgreSQL on 127.0.0.1:5432).
bench: $(STAMP)
	$(VENV)/bin/python bench/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) data .pytest_cache
