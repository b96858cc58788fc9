# hulian: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Editable installs use setuptools' strict mode (a link tree), so that static tools
# resolve `hulian.*`; the stamp is renewed whenever a module is added or removed.
SOURCES := $(shell find engine metadata formula layouts runtime migrations examples -type f \( -name '*.py' -o -name '*.json' -o -name '*.lark' -o -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.ini' -o -name '*.mako' -o -name 'py.typed' \) 2>/dev/null | LC_ALL=C sort | tr '\n' ' ')
STAMP := $(VENV)/.installed-$(shell printf '%s' "$(SOURCES)" | cksum | cut -d' ' -f1)

.PHONY: demo test lint bench install clean postgres browser ui-screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=strict
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/hulian demo

postgres:
	@bash .ci/ensure-postgres

browser:
	@bash .ci/ensure-browser

test: install postgres browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile

# The screenshots docs/ui.md shows, taken by the browser tests (tests/browser).
ui-screenshots: install browser
	HULIAN_UI_SCREENSHOTS=docs/img/ui $(BIN)/python -m pytest -q -p no:cacheprovider tests/browser

lint: install
	$(BIN)/ruff check .

bench: install postgres
	$(BIN)/python bench/bulk_insert.py
	$(BIN)/python bench/formula.py
	$(BIN)/python bench/migrate.py
	$(BIN)/python bench/rollup.py
	$(BIN)/python bench/permissions.py
	$(BIN)/python bench/rest.py
	$(BIN)/python bench/ui.py
	$(BIN)/python bench/packs.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
