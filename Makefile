# Two commands: `make run` and `make test`. Both create .venv, install, and build the index when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test index install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first: 2.13.0 is the CPU build on this disk; anything newer would pull a multi-GB CUDA build.
# The first install compiles llama-cpp-python (about 9 minutes on 2 cores); pip caches the wheel afterwards.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[hosted,test]'
	touch $(STAMP)

install: $(STAMP)

# Incremental: a no-op when corpus/ is unchanged since the last build.
index: $(STAMP)
	$(PY) -m tutor ingest

run: index
	$(PY) app.py

test: index
	$(PY) -m pytest
	$(PY) -m tutor eval

clean:
	rm -rf $(VENV) index/manifest.json index/generations index/chroma data evals/reports
