# Two entry points for a fresh machine: `make demo` and `make test`.
# Both build their own virtual environment from the package registries. `make test` also
# installs the system packages the tests need (xmlsec1, softhsm2) through
# scripts/setup-system.sh, the same script .ci/run calls; `make demo` calls it in its `demo`
# mode (the font and Pango its soft copies need).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

# The documentation site (mkdocs.yml): built offline into the git-ignored site/. --strict turns
# every warning (broken link or anchor, page missing from the nav, unresolved API reference)
# into a failure; never add -q, which hides the warnings from --strict as well.
# NO_MKDOCS_2_WARNING silences the end-of-life banner Material prints on every build.
DOCS_BUILD := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

.PHONY: venv demo test lint typecheck docs docs-serve bench clean

$(BIN)/hocbaso: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/hocbaso

venv: $(BIN)/hocbaso

demo: venv
	scripts/setup-system.sh demo
	$(BIN)/hocbaso demo --out $(OUT)

test: venv
	scripts/setup-system.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(DOCS_BUILD)
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check src tests benchmarks

typecheck: venv
	$(BIN)/mypy

docs: venv
	$(DOCS_BUILD)

docs-serve: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict

bench: venv
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(OUT) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
