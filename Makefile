# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export COLA_HOME ?= $(CURDIR)/.cola
export DO_NOT_TRACK := 1

.PHONY: run test lint format dbt-build package clean

$(BIN)/cola: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## make run: install, land the sample reports, build the warehouse, print a summary
run: $(BIN)/cola
	$(BIN)/cola run

## make test: everything the project checks
test: $(BIN)/cola lint infra-check
	$(BIN)/pytest

lint: $(BIN)/cola
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/cola
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .cola dist dbt_project/target dbt_project/logs

# --- infrastructure (terraform/, step_function/) -------------------------------
# Owned by the infrastructure work: terraform fmt/validate, checkov, asl-validator installs.
.PHONY: infra-check
infra-check:
	@true
# --- end infrastructure ---------------------------------------------------------
