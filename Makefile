# studiobook: `make run` serves the demo studio, `make test` runs the suite. Both start from a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test bench install lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo ""
	@echo "  studiobook demo studio is running"
	@echo "  Widget (clients): http://127.0.0.1:$(PORT)/book"
	@echo "  Admin (staff):    http://127.0.0.1:$(PORT)/admin   login: demo@studiobook.test / demo-studio"
	@echo "  Organization:     http://127.0.0.1:$(PORT)/o/lincoln-high   students: jordan@example.com, maya@example.com / demo-client"
	@echo ""
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/pytest

# Benchmarks (README, Performance): SQLite, or PostgreSQL with DATABASE_URL; BENCH_SCALE=0.1 for less.
bench: install
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
