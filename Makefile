# Two commands: `make run` and `make test`. Both create .venv, install, and build the index when needed.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test index install clean models

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first: 2.13.0 is the CPU build on this disk; anything newer would pull a multi-GB CUDA build.
# The first install compiles llama-cpp-python (about 9 minutes on 2 cores); pip caches the wheel afterwards. It is
# built for AVX2, not for the build machine's own CPU: a native build used AMX tiles that this machine's CPU
# advertises but its VM does not allow ("Illegal instruction" on the first long prompt), and a cached wheel is
# reused on whatever machine runs next.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -e '.[hosted,test]'
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

# Rebuild every shipped model from the committed data (outside CI: about 1.5 hours on 2 cores): the learner
# bi-encoder (datasets/learner-questions, 10 min), the safeguarding encoder (datasets/safeguarding-contrast, 15 min)
# and classifier (evals/safeguarding, 10 min), the reader and its span head (from datasets/reading), the sentence ranking
# and the scope decision (from the development units), then the span head's threshold (development units).
models: index
	$(PY) -m tutor.training.biencoder
	$(PY) -m tutor.guards.contrastive
	$(PY) -m tutor.guards.train_safeguarding
	$(PY) -m tutor.training.reader
	$(PY) -m tutor.training.ranking
	$(PY) -m tutor.training.scope
	$(PY) -m tutor.training.spans --choose

clean:
	rm -rf $(VENV) index/manifest.json index/generations index/chroma data evals/reports
