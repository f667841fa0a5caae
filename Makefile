# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap what they need
# (.venv with the project installed, the pinned npm tools) and skip whatever is already done.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP  := $(VENV)/.zktrade-installed
NPM_STAMP := node_modules/.zktrade-installed
PYTEST_ARGS ?=
# Both cores; a test file stays on one worker, since module fixtures (a deployed pool, a devnet)
# carry state from test to test within a file.
XDIST := -n 2 --dist loadfile

.PHONY: demo test test-fast bench clean help constraints

help:
	@echo "make demo   - run the zktrade demo on the embedded devnet"
	@echo "make test   - run the whole test suite (slow and node-backed cases included)"
	@echo "make test-fast - skip the cases marked slow"
	@echo "make bench  - prover benchmark against snarkjs and groth16py"
	@echo "make constraints - re-pin constraints.txt from a fresh resolution of pyproject.toml"

# The venv's pip is the one Python ships (not upgraded): what a new user has is what we test.
$(PY_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "zktrade needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

# Re-pin constraints.txt on purpose: resolve pyproject.toml afresh in a throw-away venv.
constraints:
	rm -rf .venv-constraints && $(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-constraints

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js >= 18) is needed for the pinned tools"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/zktrade demo

test: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

bench: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/zktrade bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis
