# Visual Helpdesk for WhatsApp. Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HELPDESK := $(BIN)/helpdesk
RASA := $(HELPDESK) exec -- $(BIN)/rasa
export OMP_THREAD_LIMIT := 1

.PHONY: setup train run test lint unit validate conversations nlu-eval bench fuzz media-eval clean \
	test-production

setup:
	@bash scripts/setup.sh

# Rasa fingerprints data, config and domain: an unchanged project reuses the last model.
train: setup
	@$(RASA) train --quiet --out models

run: train
	@$(HELPDESK) run

test: setup
	@bash scripts/test.sh

# Style, then the import layers (pyproject.toml [tool.importlinter]) and no import cycles.
lint: setup
	@$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache \
		&& $(BIN)/python scripts/import_cycles.py

unit: setup
	@$(BIN)/pytest -q

validate: setup
	@$(BIN)/python scripts/validate_data.py

conversations: train
	@bash scripts/test_conversations.sh

media-eval: setup
	@$(BIN)/python scripts/media_eval.py

nlu-eval: train
	@$(BIN)/python scripts/nlu_eval.py --calibrate

# The production topology (2 replicas on PostgreSQL, Redis, S3, behind nginx) and its fault
# tests; needs the Debian packages of scripts/setup.sh --production. Not part of `make test`.
test-production: train
	@bash scripts/setup.sh --production
	@bash scripts/test_production.sh

bench: setup
	@bash scripts/bench.sh

# Coverage-guided fuzzing, 100,000 inputs per target (not in CI; `make test` runs a slice).
fuzz: setup
	@bash scripts/fuzz.sh

clean:
	rm -rf models results var/bench
