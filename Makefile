# Visual Helpdesk for WhatsApp. Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HELPDESK := $(BIN)/helpdesk
RASA := $(HELPDESK) exec -- $(BIN)/rasa
export OMP_THREAD_LIMIT := 1

.PHONY: setup train run test lint unit validate conversations nlu-eval bench clean test-production

setup:
	@bash scripts/setup.sh

# Rasa fingerprints data, config and domain: an unchanged project reuses the last model.
train: setup
	@$(RASA) train --quiet --out models

run: train
	@$(HELPDESK) run

test: setup
	@bash scripts/test.sh

lint: setup
	@$(BIN)/ruff check . && $(BIN)/ruff format --check .

unit: setup
	@$(BIN)/pytest -q

validate: setup
	@$(BIN)/python scripts/validate_data.py

conversations: train
	@bash scripts/test_conversations.sh

nlu-eval: train
	@$(BIN)/python scripts/nlu_eval.py

# The production topology (2 replicas on PostgreSQL, Redis, S3, behind nginx) and its fault
# tests; needs the Debian packages of scripts/setup.sh --production. Not part of `make test`.
test-production: train
	@bash scripts/setup.sh --production
	@bash scripts/test_production.sh

bench: setup
	@bash scripts/bench.sh

clean:
	rm -rf models results var/bench
