# CareLab: the README's commands. `make run` serves the app; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run run-cluster cluster-packages test lint format bench db clean axe scorm-again lrs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

db: $(VENV)/.installed
	$(BIN)/carelab db migrate

run: db
	$(BIN)/streamlit run server.py --server.port $(PORT)

# Several CareLab servers behind HAProxy on one PostgreSQL (kept in .cluster/), on this
# machine: `make run-cluster SERVERS=3 CLUSTER_PORT=8500`. Installs Debian's haproxy and
# postgresql first when they are missing (docs/deployment.md has the production set-up).
SERVERS ?= 2
CLUSTER_PORT ?= 8500

cluster-packages:
	@missing=""; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" = "0" ] || sudo="sudo"; \
		echo "Installing Debian's$$missing"; \
		$$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

run-cluster: $(VENV)/.installed cluster-packages
	$(BIN)/python -m carelab.cluster --servers $(SERVERS) --port $(CLUSTER_PORT)

# axe-core for the accessibility browser test, pinned by tests/axe/package-lock.json, into
# tests/axe/node_modules (git-ignored); again only when the lock changes. Without npm the
# accessibility test skips locally (CI installs npm, and there it fails instead).
AXE_STAMP := tests/axe/node_modules/.installed

$(AXE_STAMP): tests/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/axe --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: axe-core not installed, the accessibility test will skip"; \
	fi

axe: $(AXE_STAMP)

# scorm-again (the LMS side of the SCORM 1.2 API) for the SCORM package browser test, pinned by
# tests/scorm/package-lock.json into tests/scorm/node_modules (git-ignored), the same way.
SCORM_STAMP := tests/scorm/node_modules/.installed

$(SCORM_STAMP): tests/scorm/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/scorm --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: scorm-again not installed, the SCORM browser test will skip"; \
	fi

scorm-again: $(SCORM_STAMP)

# ralph-malph, a real Learning Record Store for the xAPI tests, in its own virtual environment
# (it pins its own FastAPI and pydantic), from tests/lrs/requirements.txt; again only when
# that file changes. About 12 s on this machine with PyPI reachable.
RALPH_VENV := .venv-ralph
RALPH_STAMP := $(RALPH_VENV)/.installed

$(RALPH_STAMP): tests/lrs/requirements.txt
	$(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/pip install --quiet -r tests/lrs/requirements.txt
	touch $@

lrs: $(RALPH_STAMP)

# Two workers (pytest-xdist), a test file each at a time: the suite's servers, browsers and
# databases are per test or per file, so files run side by side. TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2

test: $(VENV)/.installed-test $(AXE_STAMP) $(SCORM_STAMP) $(RALPH_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench.run_all $(ARGS)

clean:
	rm -rf $(VENV) $(RALPH_VENV) .pytest_cache .ruff_cache tests/axe/node_modules tests/scorm/node_modules
