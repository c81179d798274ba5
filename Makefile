# Movie Nexus: `make run` starts everything, `make test` runs every test.
# Each target does its own set-up: virtualenv, install, database, migrations.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-unit test-integration test-e2e bench install migrate check-services clean

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -m pip install -q -e '.[dev,test]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import api, workers, celery, flask_smorest" \
	  || { echo "install failed: see the pip output above"; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

check-services: install
	@$(BIN)/movienexus check-services

migrate: check-services
	@$(BIN)/movienexus db create
	@$(BIN)/movienexus db upgrade

run: install
	@scripts/run.sh

test: install
	@scripts/test.sh

test-unit: install
	@$(BIN)/pytest tests/unit -q

bench: install
	@scripts/bench.sh

clean:
	rm -rf $(VENV) var *.egg-info
