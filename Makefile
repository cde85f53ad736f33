# massar — the two commands first: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
LANGS := ar fr en pt

.PHONY: run test lint i18n i18n-check compile-catalogs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

## run: install, migrate the embedded SQLite database, check the content, serve on :8000
run: $(STAMP) compile-catalogs
	$(BIN)/massar db upgrade
	$(BIN)/massar content check
	$(BIN)/massar serve --host 127.0.0.1 --port 8000

## test: install the dev extras and run the whole suite
test: $(STAMP) compile-catalogs
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy conversations bot backend

## i18n: extract interface strings, update every catalog, compile them
i18n: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -o locales/messages.pot \
		--project=massar --copyright-holder="massar contributors" .
	for lang in $(LANGS); do \
		if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching -i locales/messages.pot -d locales -l $$lang; \
		else \
			$(BIN)/pybabel init -i locales/messages.pot -d locales -l $$lang; \
		fi; \
	done
	$(BIN)/python -m backend.i18n_tools locales/en/LC_MESSAGES/messages.po
	$(MAKE) compile-catalogs

compile-catalogs: $(STAMP)
	$(BIN)/pybabel compile --statistics -d locales 2>&1 | tail -n 4

## bench: the benchmarks (never part of the pass/fail suite)
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis massar.db*
