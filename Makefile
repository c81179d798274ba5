# Movie Nexus: `make run` starts everything, `make test` runs every test.
# Each target does its own set-up: virtualenv, install, database, migrations.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements/constraints.txt
NODE_STAMP := node_modules/.installed-stamp
NODE_PACKAGES := package.json package-lock.json clients/typescript/package.json web/package.json

.PHONY: run test test-unit test-integration test-e2e bench install migrate check-services clean \
	lock audit mutation frontend client

# Installs the exact versions of the lock (make lock regenerates it from setup.cfg).
$(STAMP): setup.cfg pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip 'setuptools>=78.1.1' 2>&1 \
	  | grep -v "^WARNING: Location" || true
	@$(BIN)/python -m pip install -q -c $(LOCK) -e '.[dev,test]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -c "import api, workers, celery, flask_smorest, schemathesis" \
	  || { echo "install failed: see the pip output above (a requirement in setup.cfg the"; \
	       echo "lock cannot satisfy? run 'make lock' and commit $(LOCK))"; exit 1; }
	@touch $(STAMP)

lock:
	@scripts/lock.sh

# The TypeScript client, the web app and the contract tools: the exact versions of
# package-lock.json (npm ci, from the npm registry), then the client and web app built.
$(NODE_STAMP): $(NODE_PACKAGES)
	@command -v npm >/dev/null || { echo "make needs Node.js 20+ and npm (apt-get install nodejs npm)"; exit 1; }
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

frontend: $(NODE_STAMP)
	@npm run build --silent

# Regenerates the TypeScript client's document and types from what the API serves.
client: install $(NODE_STAMP)
	@$(BIN)/python -m movienexus.devtools.openapi_document clients/typescript/openapi.json
	@npm run generate --silent --workspace clients/typescript

audit: install
	@$(BIN)/python -m movienexus.devtools.audit $(LOCK)

install: $(STAMP)

check-services: install
	@$(BIN)/movienexus check-services

migrate: check-services
	@$(BIN)/movienexus db create
	@$(BIN)/movienexus db upgrade

run: install frontend
	@scripts/run.sh

test: install frontend
	@scripts/test.sh

test-unit: install
	@$(BIN)/pytest tests/unit -q

# Mutation testing of domain/ by tests/unit (mutmut): each module's score. Not in make test.
mutation: install
	@scripts/mutation.sh

bench: install
	@scripts/bench.sh

clean:
	rm -rf $(VENV) var *.egg-info
