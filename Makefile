# The two commands of the README: `make run` and `make test`.
# Everything is done by scripts/devtool.py (stdlib Python, no venv needed to start).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
DEVTOOL = $(PYTHON) scripts/devtool.py

.PHONY: run test lint stop perf help

help:
	@echo "make run    Odoo 18 with the three addons and demo data on http://localhost:8069"
	@echo "make test   all tests (Odoo at_install/post_install + tours, then pytest tests/)"
	@echo "            subsets: make test ADDONS=edu_crm   make test TAGS=/edu_crm:TestEnrol"
	@echo "make lint   pre-commit hooks (ruff, pylint-odoo, prettier, hygiene)"
	@echo "make perf   benchmarks in tests/perf (print numbers beside a baseline)"
	@echo "make stop   stop the embedded PostgreSQL clusters"

run:
	$(DEVTOOL) run

test:
	$(DEVTOOL) test

lint:
	$(DEVTOOL) lint

perf:
	$(DEVTOOL) perf

stop:
	$(DEVTOOL) stop
