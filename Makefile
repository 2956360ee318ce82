# Two commands do all the set-up on a fresh clone:
#   make figures   run every notebook on the shipped bulletin and write figures/
#   make test      run the test suite on two cores (make test-fast: the quick subset, under a minute)
#   make report    write report/report.html and report/tables.xlsx for the shipped bulletin
#   make lab       open JupyterLab on notebooks/ with the project's kernel
#   make docs      build the user guide and API reference (docs/) into build/site, warnings as errors
# Each creates .venv and installs the project into it the first time; `make test` also installs
# Debian's chromium (as root, with apt-get) when it is missing: the report's browser test needs it.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: figures test test-fast lab results report docs setup browser clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

figures: setup
	$(PY) -m analysis notebooks --figures figures --executed build/notebooks

results: setup
	$(PY) -m analysis run --out results

report: setup
	$(PY) -m analysis report --out report

docs: setup
	$(PY) -m mkdocs build --strict

# Quick when chromium is there; otherwise installs it (root) or says how (not root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is missing: run 'sudo apt-get install chromium' (the report's browser test needs it)" >&2; exit 1; \
	  fi; }

# Both on two cores (pytest-xdist), a test file on one worker, the files that share an
# expensive session fixture (the CLI's outputs, a report) on the same one: see tests/conftest.py.
XDIST := -n 2 --dist loadfile

test: setup browser
	$(PY) -m pytest $(XDIST)

test-fast: setup
	$(PY) -m pytest -m "not slow" $(XDIST)

lab: setup
	$(VENV)/bin/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean:
	rm -rf build results report .pytest_cache
