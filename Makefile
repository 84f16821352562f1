# `make demo`: install, load the demo data, serve on the embedded SQLite at http://127.0.0.1:8000
# `make test`: install, lint, type-check and run the whole suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck pytest bench bench-quick docs clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/straitlink init
	$(BIN)/straitlink demo
	$(BIN)/straitlink serve

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# One worker per CPU; a module's tests stay on one worker, so that its module-scoped set-ups (a demo load) run once.
pytest: install
	$(BIN)/pytest -n auto --dist loadscope

test: lint typecheck pytest

docs: install
	$(BIN)/python -m straitlink.tools.gendocs

# Full-size benchmarks (minutes; PostgreSQL needed). `make bench-quick` runs small sizes of the same scripts.
bench: install
	$(BIN)/python bench/bench_transitions.py
	$(BIN)/python bench/bench_reads.py
	$(BIN)/python bench/bench_audit_verify.py
	$(BIN)/python bench/bench_stats.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_exchange.py --reverse
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/eval_ingest.py

bench-quick: install
	$(BIN)/python bench/bench_transitions.py --quick
	$(BIN)/python bench/bench_reads.py --quick
	$(BIN)/python bench/bench_audit_verify.py --quick
	$(BIN)/python bench/bench_stats.py --scale 0.01
	$(BIN)/python bench/bench_web.py --quick
	$(BIN)/python bench/bench_search.py --quick
	$(BIN)/python bench/bench_exchange.py --quick
	$(BIN)/python bench/bench_ingest.py --runs 1
	$(BIN)/python bench/eval_ingest.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
