# Two commands on a fresh machine: `make report` (the main job) and `make test`.
# Both bootstrap .venv from pyproject.toml when it is missing or older than pyproject.toml;
# `make test` also installs the Debian packages the tests need (scripts/install-system-packages.sh).
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.pgraph-installed
BIN    := $(VENV)/bin
# pgraph's own modules compiled to bytecode, as pip does for an installed package (an editable install
# leaves it to Python, which cannot keep it where PYTHONDONTWRITEBYTECODE is set: 35 ms more per command)
BYTECODE = @$(BIN)/python -m compileall -q src >/dev/null

.PHONY: report test bench clean docs

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BYTECODE)
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/pgraph report

test: $(STAMP)
	scripts/install-system-packages.sh
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) out .pytest_cache

docs: $(STAMP)
	$(BIN)/python scripts/generate_docs.py
	$(BIN)/pgraph report -o out/report.html || test $$? -eq 1   # 1: findings, still a report
	$(BIN)/python scripts/report_screenshot.py out/report.html
	$(BIN)/pgraph export overlap -o docs/overlap.png
	$(BIN)/python scripts/stamp_version.py docs/overlap.png

bench: $(STAMP)
	$(BYTECODE)
	$(BIN)/python benchmarks/run.py --update-docs
