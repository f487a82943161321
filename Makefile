# Two commands on a fresh machine: `make report` (the main job) and `make test`.
# Both bootstrap .venv from pyproject.toml when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.pgraph-installed
BIN    := $(VENV)/bin

.PHONY: report test bench clean docs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/pgraph report

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache

docs: $(STAMP)
	$(BIN)/python scripts/generate_docs.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --update-docs
