# ofsted-kg: two commands, `make run` and `make test`, on a machine with only Python 3.11 and make.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-test build run test lint typecheck bench clean

# The virtual environment, with the project (editable) and the `ofsted-kg` command.
$(BIN)/ofsted-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

install: $(BIN)/ofsted-kg

# The test extras (pytest, hypothesis, ruff, mypy) on top of install.
$(VENV)/.test-installed: $(BIN)/ofsted-kg
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install-test: $(VENV)/.test-installed

build: install
	$(BIN)/ofsted-kg build --store $(STORE)

run: build
	$(BIN)/ofsted-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks
	$(BIN)/mypy --strict server

test: install-test lint
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python benchmarks/reasoning.py
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
