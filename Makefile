# Wraparound: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE ?= 20000
DEMO_SEED ?= 1
DEMO_FEEDS := var/demo-feeds

.PHONY: demo test lint bench assets install clean serve

$(BIN)/wraparound: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/wraparound

install: $(BIN)/wraparound assets

# Vendor the NHS.UK frontend (and htmx, axe-core for tests) from npm into static files: no CDN.
assets: $(BIN)/wraparound
	bash scripts/vendor_assets.sh

demo: install
	bash scripts/demo.sh $(DEMO_PEOPLE) $(DEMO_SEED)

serve: install
	$(BIN)/wraparound runserver 127.0.0.1:8000

lint: $(BIN)/wraparound
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

test: install lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) var node_modules src/wraparound/static/vendor
