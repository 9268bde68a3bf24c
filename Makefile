# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= var
PORT ?= 8000

.PHONY: demo test install-demo install-dev lint ci worker help

help:
	@echo "make demo   installe, prépare les données fictives et lance le serveur sur http://127.0.0.1:$(PORT)"
	@echo "make test   installe les dépendances de test et lance toute la suite"

install-demo:
	$(PYTHON) scripts/bootstrap.py base

install-dev:
	$(PYTHON) scripts/bootstrap.py dev

demo: install-demo
	PARCOURS_DEMO=1 PARCOURS_DATA_DIR=$(DATA_DIR) PARCOURS_MFA_REQUIRED=0 $(BIN)/python manage.py demo --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest -n auto  # both cores (pytest-xdist); demo mode (PARCOURS_DEMO=1): tests/pytest_demo_mode.py

lint: install-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports  # the app layers (docs/decisions/0027-layered-apps.md)

worker:
	PARCOURS_DATA_DIR=$(DATA_DIR) $(BIN)/python manage.py db_worker --queue-name "*"
