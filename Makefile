# Two commands do all the set-up on a fresh clone:
#   make figures   run every notebook on the shipped bulletin and write figures/
#   make test      run the test suite
# Each creates .venv and installs the project into it the first time.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: figures test results setup clean

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

test: setup
	$(PY) -m pytest

clean:
	rm -rf build results .pytest_cache
