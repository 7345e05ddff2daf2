# newsflow: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export AWS_ACCOUNT_ID_ENDPOINT_MODE := disabled

.PHONY: demo test lint typecheck bench synth dev clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsflow demo samples/

test: $(STAMP) node_modules/.bin/cdk
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

# The npm packages of package-lock.json: the CDK CLI and the npm `newsapi` client that the e2e tests drive.
node_modules/.bin/cdk: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

synth: $(STAMP) node_modules/.bin/cdk
	PATH="$(CURDIR)/$(BIN):$$PATH" npx cdk synth -c stage=dev --quiet

clean:
	rm -rf $(VENV) cdk.out .newsflow .pytest_cache .mypy_cache .ruff_cache node_modules
