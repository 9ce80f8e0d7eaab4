# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
REPS ?= 100
PORT ?= 8501

.PHONY: run compare test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: $(STAMP)
	@echo "gridmuster dashboard: http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	$(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false \
		--client.toolbarMode viewer --server.maxUploadSize 5

compare: $(STAMP)
	$(BIN)/gridmuster compare scenarios/muster_youchegang.yaml --reps $(REPS) --workers 2 \
		--out out/youchegang-compare

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --nbmake tests notebooks

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks dashboard
	$(BIN)/mypy

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
