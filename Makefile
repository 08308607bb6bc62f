# Two commands on a fresh machine:  make demo  |  make test
# Each creates .venv when missing and installs the package from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := reports/demo

.PHONY: demo test install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[app]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,app]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	@mkdir -p $(DEMO)
	$(BIN)/policyscope ingest corpus/ --db $(DEMO)/policyscope.db
	$(BIN)/policyscope docs --db $(DEMO)/policyscope.db

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -ra

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_ingest.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
