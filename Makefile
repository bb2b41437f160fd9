# flyweight: two commands set everything up on a machine with only Python 3.
#   make demo   run the main job end to end
#   make test   lint, types, import layers, tests (installs Debian's postgresql and chromium when missing)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_RUNTIME := $(VENV)/.stamp-runtime
STAMP_TEST    := $(VENV)/.stamp-test
DEMO_IMAGE ?= localhost:30000/flyweight-demo:v1

.PHONY: demo test lint typecheck layers pytest goldens bench image clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[pandas,postgres]'
	touch $@

$(STAMP_TEST): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUNTIME)

demo: $(STAMP_RUNTIME)
	$(PY) examples/literals_demo.py
	$(PY) examples/plugin_task_demo.py
	$(PY) examples/sqlite3_demo.py
	@echo ""
	@echo "== The SQLAlchemy plugin on a throwaway PostgreSQL (skipped, saying so, where PostgreSQL is not installed) =="
	$(PY) examples/sqlalchemy_demo.py
	@echo ""
	@echo "== The main job: a workflow (SQL -> pandas -> report), run locally through the container entrypoint =="
	$(VENV)/bin/flyweight run examples/music_report.py music_report --min-ms 200000
	@mkdir -p build
	$(VENV)/bin/flyweight package examples/music_report.py -o build/flyte-package.tgz --image $(DEMO_IMAGE) --force
	@echo ""
	@echo "The registration package is build/flyte-package.tgz (image $(DEMO_IMAGE)). Register it on a Flyte cluster with:"
	@echo "  flytectl register files --project flytesnacks --domain development --archive build/flyte-package.tgz --version v1"
	@echo "(the image must hold flyweight and this repository's code; on a cluster set MUSIC_DB_URI to a URL of the database)"

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check src tests bench examples tools
	$(VENV)/bin/ruff format --check src tests bench examples tools

typecheck: $(STAMP_TEST)
	$(PY) tools/idl_stubs.py .cache/stubs
	$(VENV)/bin/mypy

layers: $(STAMP_TEST)
	$(VENV)/bin/lint-imports --no-cache
	$(PY) tools/import_cycles.py

pytest: $(STAMP_TEST)
	$(PY) tools/postgres.py ensure
	$(PY) tools/chromium.py ensure
	FLYWEIGHT_REQUIRE_ORACLE=1 $(PY) -m pytest -q

test: lint typecheck layers pytest

goldens: $(STAMP_TEST)
	$(PY) tools/goldens.py

bench: $(STAMP_RUNTIME)
	$(PY) bench/run.py

# flyweight's runtime images (docker/Dockerfile) for the running Python, named as templates name them;
# where no container engine works, prints the commands to run elsewhere and exits 3.
image: $(STAMP_RUNTIME)
	$(PY) tools/images.py build

clean:
	rm -rf $(VENV) .cache .mypy_cache .pytest_cache .ruff_cache bench/.venv-flytekit
