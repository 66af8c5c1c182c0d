# ofsted-kg: two commands, `make run` and `make test`, on a machine with only Python 3.11 and make.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= var/store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-test browser jena build run test lint bench clean docs

# The virtual environment, with the project (editable) and the `ofsted-kg` command.
$(BIN)/ofsted-kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# YASGUI for the query page: a pinned npm tarball, checked against its sha512 (server/web/vendor.py).
YASGUI := server/static/vendor/yasgui/.installed
$(YASGUI): server/web/vendor.py | $(BIN)/ofsted-kg
	$(BIN)/python -m ofsted_kg.web.vendor
	@touch $@

install: $(BIN)/ofsted-kg $(YASGUI)

# The test extras (pytest, pytest-xdist, hypothesis, ruff, mypy, oxigraph, playwright, SPARQLWrapper)
# on top of install.
$(VENV)/.test-installed: $(BIN)/ofsted-kg
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Headless Chromium for tests/browser/: Debian's package, installed when missing (needs root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: install Debian's chromium package (or set OFSTED_KG_SKIP_BROWSER=1)" >&2; \
	  fi; }

# Apache Jena's command-line SPARQL client (arq.rsparql, arq.rupdate) for tests/test_clients.py:
# Debian's libapache-jena-java and a Java runtime, installed when missing (needs root).
JENA_CMDS ?= /usr/share/java/jena-cmds.jar
jena:
	@{ test -f $(JENA_CMDS) && command -v java >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libapache-jena-java default-jre-headless; \
	  else \
	    echo "Apache Jena is missing: install Debian's libapache-jena-java package (or set OFSTED_KG_SKIP_JENA=1)" >&2; \
	  fi; }

install-test: install $(VENV)/.test-installed browser jena

build: install
	$(BIN)/ofsted-kg build --store $(STORE)

run: build
	$(BIN)/ofsted-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks
	$(BIN)/mypy --strict server

test: install-test lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: install-test
	$(BIN)/python benchmarks/reasoning.py
	$(BIN)/python benchmarks/build.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The settings table in docs/configuration.md, made again from server/config.py's SETTINGS.
docs: $(BIN)/ofsted-kg
	$(BIN)/python -c 'import re, pathlib; from ofsted_kg.config import settings_table; \
	p = pathlib.Path("docs/configuration.md"); s = p.read_text(); \
	p.write_text(re.sub(r"(<!-- settings:[^\n]*-->\n).*?(<!-- end of settings -->)", \
	lambda m: m.group(1) + settings_table() + m.group(2), s, flags=re.S))'
