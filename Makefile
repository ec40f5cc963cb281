# France International — the two commands: `make demo` and `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTHON ?= python3
PORT   ?= 5000

.PHONY: install demo test soak bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml $(wildcard package-lock.json)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	if [ -f package.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	if [ -f webui/assets.py ]; then $(BIN)/python -m webui.assets; fi
	$(BIN)/python -m portail.communes
	touch $(STAMP)

demo: install
	$(BIN)/portail demo --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/portail data check
	$(BIN)/pytest --durations=15

# The fault suite with twenty kill seeds instead of two (long: about an hour on two cores).
soak: install
	SOAK=1 $(BIN)/pytest -p no:cacheprovider --timeout=3600 tests/faults

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules var
