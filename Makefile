# flyweight: two commands set everything up on a machine with only Python 3.
#   make demo   run the main job end to end
#   make test   lint, types, import layers, tests
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_RUNTIME := $(VENV)/.stamp-runtime
STAMP_TEST    := $(VENV)/.stamp-test

.PHONY: demo test lint typecheck layers pytest bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[pandas]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUNTIME)

demo: $(STAMP_RUNTIME)
	$(PY) examples/literals_demo.py
	$(PY) examples/plugin_task_demo.py
	$(PY) examples/sqlite3_demo.py

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests bench examples tools
	$(VENV)/bin/ruff format --check src tests bench examples tools

typecheck: $(STAMP_TEST)
	$(PY) tools/idl_stubs.py .cache/stubs
	$(VENV)/bin/mypy

layers: $(STAMP_TEST)
	$(VENV)/bin/lint-imports --no-cache

pytest: $(STAMP_TEST)
	FLYWEIGHT_REQUIRE_ORACLE=1 $(PY) -m pytest -q

test: lint typecheck layers pytest

bench: $(STAMP_RUNTIME)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .cache .mypy_cache .pytest_cache .ruff_cache bench/.venv-flytekit
