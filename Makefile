# planlib: two commands on a fresh machine (Python 3.11+, make, PyPI):
#   make briefings   build every briefing on the bundled data
#   make test        run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.planlib-installed

.PHONY: install briefings briefings-pdf test check explore lab bench bench-scale eval-extract clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "planlib needs Python 3.11+; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	touch $(STAMP)

install: $(STAMP)

briefings: install
	$(BIN)/planlib briefings --all

# English and Chinese briefings with a PDF of each (needs Chromium: see README, "Building briefings")
briefings-pdf: install
	$(BIN)/planlib briefings --all --lang both --pdf

# The ipywidgets explorer as a standalone page (Voilà) on http://localhost:8866.
# Each browser tab gets its own kernel (~250 MB); a kernel whose tab is closed is idle and has
# no connection, and is stopped after CULL_IDLE_S seconds (checked every CULL_INTERVAL_S).
# For a class: make explore EXPLORE_IP=0.0.0.0 (students open http://<this machine>:8866).
EXPLORE_IP      ?= 127.0.0.1
EXPLORE_PORT    ?= 8866
CULL_IDLE_S     ?= 300
CULL_INTERVAL_S ?= 60
EXPLORE_CULL     = --MappingKernelManager.cull_idle_timeout=$(CULL_IDLE_S) --MappingKernelManager.cull_interval=$(CULL_INTERVAL_S) --MappingKernelManager.cull_connected=False
explore: install
	$(BIN)/voila notebooks/explore.ipynb --Voila.ip=$(EXPLORE_IP) --port=$(EXPLORE_PORT) --no-browser $(EXPLORE_CULL)

# JupyterLab for the notebooks and lessons
lab: install
	$(BIN)/jupyter lab notebooks/

# Side-by-side speed benchmark (prints figures; not part of the tests)
bench: install
	$(BIN)/python benchmarks/briefings.py

# Load, checks and one region's analysis on 2,850 synthetic regions (prints figures and goals)
bench-scale: install
	$(BIN)/python benchmarks/scale.py

# planlib extract against the hand extraction of the five seed plans (prints figures; not a test)
eval-extract: install
	$(BIN)/python benchmarks/extract.py

check: install
	$(BIN)/planlib check

# pytest runs tests/ and, through nbval, every notebook in notebooks/ (see pyproject.toml).
test: install
	$(BIN)/python -m pytest

clean:
	rm -rf build .pytest_cache figures/*/
