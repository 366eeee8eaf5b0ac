# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export COLA_HOME ?= $(CURDIR)/.cola
export DO_NOT_TRACK := 1

.PHONY: run test lint format package docs clean bench

$(BIN)/cola: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## make run: install, land the sample reports, build the warehouse, print a summary
run: $(BIN)/cola
	$(BIN)/cola run

## make test: everything the project checks
test: $(BIN)/cola lint infra-check browser-tools
	$(BIN)/pytest -n 3

lint: $(BIN)/cola
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@baseline=$$(mktemp) && cp .secrets.baseline "$$baseline" && mapfile -d '' files < <(git ls-files -z) && \
	{ $(BIN)/detect-secrets-hook --baseline "$$baseline" "$${files[@]}"; status=$$?; rm -f "$$baseline"; \
	  if [ $$status -ne 0 ] && [ $$status -ne 3 ]; then \
	    echo "lint: detect-secrets found a secret not in .secrets.baseline (exit 3 only means its line numbers moved). Remove it, or mark a false positive with '# pragma: allowlist secret' or 'detect-secrets scan --baseline .secrets.baseline'." >&2; \
	    exit 1; fi; }

## make package: the ingestion Lambda's deployment zip (reproducible), for terraform
package: $(BIN)/cola
	$(BIN)/python -m ingestion_lambda.package dist/ingestion_lambda.zip

## make bench: the pipeline against its floor query, full and incremental, and landing (N=1000000)
N ?= 1000000
bench: $(BIN)/cola
	$(BIN)/python benchmarks/bench_pipeline.py --reports $(N)

format: $(BIN)/cola
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .cola dist dbt_project/target dbt_project/logs

## make soak: the property-based reliability test on many random examples (COLA_SOAK_EXAMPLES)
COLA_SOAK_EXAMPLES ?= 300
.PHONY: soak
soak: $(BIN)/cola
	COLA_SOAK_EXAMPLES=$(COLA_SOAK_EXAMPLES) $(BIN)/pytest -q --hypothesis-show-statistics \
	  tests/reliability/test_properties.py

# --- infrastructure (terraform/, step_function/) -------------------------------
# Owned by the infrastructure work: terraform fmt/validate, checkov, asl-validator installs.
# `make infra-check` installs its own tools (idempotently) and checks, offline:
#   terraform fmt, init (local provider mirror) and validate of the root and every module,
#   checkov on terraform/, asl-validator on the rendered state machine definition.
# With CI=true a missing tool (terraform, node/npm) fails the check; elsewhere it is skipped
# with a warning. TF_PLUGIN_MIRROR may name the provider mirror (else it is discovered).
TF_DIR := terraform
TF_MODULE_DIRS := $(sort $(wildcard $(TF_DIR)/modules/*))
TF_CLI_CONFIG := $(CURDIR)/$(TF_DIR)/.terraform/cli.tfrc
TF_ENV := TF_CLI_CONFIG_FILE=$(TF_CLI_CONFIG) CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
SFN_DIR := step_function
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
INFRA_TMP := $(CURDIR)/.cola/infra-check

.PHONY: infra-check infra-tools tf-fmt tf-validate tf-checkov asl-validate

infra-check: tf-fmt tf-validate tf-checkov asl-validate

# Fails in CI, warns elsewhere, when a tool is missing.
define require_tool
	@if ! command -v $(1) >/dev/null 2>&1; then \
	  if [ "$${CI:-}" = "true" ]; then echo "infra-check: '$(1)' is required but not installed ($(2))" >&2; exit 1; \
	  else echo "infra-check: WARNING '$(1)' not installed ($(2)): skipping $@" >&2; fi; \
	fi
endef

$(SFN_DIR)/node_modules/.package-lock.json: $(SFN_DIR)/package.json $(SFN_DIR)/package-lock.json
	cd $(SFN_DIR) && npm ci --no-audit --no-fund --loglevel=error

$(CHECKOV_VENV)/bin/checkov:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)

$(TF_CLI_CONFIG):
	$(TF_DIR)/scripts/cli-config.sh $@

tf-fmt:
	$(call require_tool,terraform,Terraform 1.11+)
	@if command -v terraform >/dev/null 2>&1; then \
	  TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff $(TF_DIR); fi

tf-validate: $(TF_CLI_CONFIG)
	$(call require_tool,terraform,Terraform 1.11+)
	@if command -v terraform >/dev/null 2>&1; then set -e; \
	  $(TF_ENV) terraform -chdir=$(TF_DIR) init -backend=false -input=false -lockfile=readonly >/dev/null; \
	  $(TF_ENV) terraform -chdir=$(TF_DIR) validate -no-color; \
	  for module in $(TF_MODULE_DIRS); do \
	    if grep -q configuration_aliases $$module/*.tf; then \
	      echo "$$module: needs aliased providers from its caller: validated through the root"; \
	      continue; \
	    fi; \
	    $(TF_ENV) TF_DATA_DIR=$(INFRA_TMP)/$$(basename $$module) \
	      terraform -chdir=$$module init -backend=false -input=false >/dev/null; \
	    printf '%s: ' "$$module"; \
	    $(TF_ENV) TF_DATA_DIR=$(INFRA_TMP)/$$(basename $$module) terraform -chdir=$$module validate -no-color; \
	    rm -f $$module/.terraform.lock.hcl; \
	  done; \
	fi

tf-checkov: $(CHECKOV_VENV)/bin/checkov $(TF_CLI_CONFIG)
	$(TF_ENV) $(CHECKOV_VENV)/bin/checkov --directory $(TF_DIR) --framework terraform --skip-download \
	  --quiet --compact

asl-validate: $(TF_CLI_CONFIG)
	$(call require_tool,terraform,Terraform 1.11+ renders the definition)
	$(call require_tool,npm,Node.js 18+ with npm runs asl-validator)
	@if command -v terraform >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then set -e; \
	  $(MAKE) --no-print-directory $(SFN_DIR)/node_modules/.package-lock.json; \
	  mkdir -p $(INFRA_TMP); \
	  echo 'templatefile("dbt_build.asl.json", jsondecode(file("example_vars.json")))' \
	    | $(TF_ENV) terraform -chdir=$(SFN_DIR) console | sed '1d;$$d' > $(INFRA_TMP)/dbt_build.json; \
	  cd $(SFN_DIR) && npx --no-install asl-validator --json-path $(INFRA_TMP)/dbt_build.json; \
	fi

# --- docs and dashboard (dbt docs site, metrics, cola report) -------------------
# `make docs`: generate the dbt docs site for the local warehouse (built first with
# `cola run` when there is none) into $(DOCS_DIR) and serve it on $(DOCS_HOST):$(DOCS_PORT).
# DOCS_DIR also holds static_index.html, which opens from disk. `make docs-generate` only
# writes the site (the ECS runner uploads it); `make report` writes $(COLA_HOME)/report.html.
# `make browser-tools` installs what the browser tests need (Debian's chromium, and
# playwright-core pinned in tests/docs/package-lock.json); with CI=true a tool that is
# missing and cannot be installed fails the target, and the browser tests fail, never skip.
DOCS_HOST ?= 127.0.0.1
DOCS_PORT ?= 8080
DOCS_DIR ?= $(COLA_HOME)/docs
CHROMIUM ?= /usr/bin/chromium
BROWSER_DIR := tests/docs
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: docs docs-generate report browser-tools

docs: docs-generate
	@echo "docs: http://$(DOCS_HOST):$(DOCS_PORT)/ (also $(DOCS_DIR)/static_index.html); Ctrl-C stops"
	cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir . --target local \
	  --target-path $(DOCS_DIR) --host $(DOCS_HOST) --port $(DOCS_PORT) --no-browser

docs-generate: $(COLA_HOME)/warehouse.duckdb
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . --target local \
	  --target-path $(DOCS_DIR) --static

$(COLA_HOME)/warehouse.duckdb: | $(BIN)/cola
	$(BIN)/cola run

report: $(COLA_HOME)/warehouse.duckdb
	$(BIN)/cola report

browser-tools: $(CHROMIUM) $(BROWSER_DIR)/node_modules/.package-lock.json

$(CHROMIUM):
	@if [ ! -x "$@" ]; then \
	  echo "browser-tools: installing Debian's chromium (apt-get)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null \
	  || { echo "browser-tools: could not install chromium (apt-get install -y chromium)" >&2; \
	       if [ "$${CI:-}" = "true" ]; then exit 1; fi; }; \
	fi

$(BROWSER_DIR)/node_modules/.package-lock.json: $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  echo "browser-tools: npm is required (Node.js 20+ runs playwright-core)" >&2; \
	  if [ "$${CI:-}" = "true" ]; then exit 1; fi; \
	else cd $(BROWSER_DIR) && npm ci --no-audit --no-fund --loglevel=error; fi
# --- end docs and dashboard -----------------------------------------------------
