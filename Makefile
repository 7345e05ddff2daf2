# newsflow: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
AXE := node_modules/axe-core/axe.min.js
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled

.PHONY: demo test lint typecheck bench synth dev clean install browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsflow demo samples/

test: $(STAMP) node_modules/.bin/cdk browser
	$(BIN)/ruff check functions infra tests benchmarks app.py
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check functions infra tests benchmarks app.py
	$(BIN)/ruff format --check functions infra tests benchmarks app.py

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

dev: $(STAMP)
	$(BIN)/newsflow dev

# The browser tests (tests/browser) drive Debian's chromium; installed here when it is missing (as root).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
		echo "chromium is missing: installing Debian's package"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The npm packages of package-lock.json: the CDK CLI, the npm `newsapi` client the e2e tests drive and
# axe-core (accessibility checks in tests/browser).
node_modules/.bin/cdk: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

synth: $(STAMP) node_modules/.bin/cdk
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth -c stage=dev --quiet

clean:
	rm -rf $(VENV) cdk.out .newsflow .pytest_cache .mypy_cache .ruff_cache node_modules test-artifacts
