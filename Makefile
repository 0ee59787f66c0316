# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Serve the demo province on http://127.0.0.1:8000 with an embedded SQLite database.
run: install
	$(BIN)/dunghan migrate
	$(BIN)/dunghan load-processes
	$(BIN)/dunghan seed-demo
	$(BIN)/dunghan serve

## Lint, check the import contracts, then run every test except slow soak/benchmark runs.
test: install lint
	$(BIN)/pytest -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Benchmarks print ratios against raw SpiffWorkflow measured in the same run (PostgreSQL needed).
bench: install
	$(BIN)/python bench/consultation.py
	$(BIN)/python bench/timers.py
	$(BIN)/python bench/webhook_delivery.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
