# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# make demo ARGS=--keep-running: afterwards the gateways stay up for the operator console (Ctrl-C stops)
ARGS ?=
demo: $(STAMP)
	$(VENV)/bin/skgw demo $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check gateway adapters tests bench

# e.g. make bench BENCH_ARGS="--only inbound,outbound"; PostgreSQL rows need SKPGW_TEST_POSTGRES_DSN
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
