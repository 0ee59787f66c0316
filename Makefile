# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := service/static/vendor
VENDOR_STAMP := node_modules/.dunghan-vendor
PORT ?= 8000

.PHONY: run test lint install vendor bench screenshots clean layout

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Front-end packages come from the npm registry (package-lock.json); each direct dependency is
# copied, without source maps, into service/static/vendor/ (ignored by git) and served from there.
# --ignore-scripts: no package may run code at install time (swagger-ui-dist's telemetry hook).
$(VENDOR_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Cần Node.js và npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	tar -C node_modules -cf - --exclude='*.map' \
	    $$(node -p "Object.keys(require('./package.json').dependencies).join(' ')") \
	    | tar -C $(VENDOR) -xf -
	touch $@

vendor: $(VENDOR_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

## Serve the demo province on http://127.0.0.1:$(PORT) with an embedded SQLite database
## (another port: make run PORT=8080).
run: export DUNGHAN_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(BIN)/dunghan migrate
	$(BIN)/dunghan load-processes
	$(BIN)/dunghan seed-demo
	$(BIN)/dunghan serve --port $(PORT)

## Lint, check the import contracts, then run every test except slow soak/benchmark runs,
## spread over TEST_WORKERS processes (one per core; each gets its own PostgreSQL database).
TEST_WORKERS ?= 2
test: install lint
	$(BIN)/pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Draw the diagram (BPMN DI) of every process file that lacks one; review, then commit the files.
layout: install
	$(BIN)/dunghan lay-out processes/*.bpmn

## Benchmarks print ratios against raw SpiffWorkflow measured in the same run (PostgreSQL needed;
## each drops and rebuilds a database of its own). About 15 minutes on 2 cores.
bench: install
	$(BIN)/python bench/consultation.py
	$(BIN)/python bench/completion_profile.py
	$(BIN)/python bench/completion_breakdown.py
	$(BIN)/python bench/timers.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/webhook_delivery.py
	$(BIN)/python bench/pages.py

## The README's screenshots (docs/screenshots/), taken by a browser test on a frozen clock.
screenshots: install
	DUNGHAN_SCREENSHOTS=docs/screenshots DUNGHAN_REQUIRE_BROWSER=1 \
	    $(BIN)/pytest -q -p no:randomly tests/ui/test_readme_screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis node_modules $(VENDOR)
