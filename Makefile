# Two commands on a fresh machine:  make demo  |  make test
# Each creates .venv when missing and installs the package from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := reports/demo

.PHONY: demo study test install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[app]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,app,ocr,dask]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	@bash scripts/install_browser.sh  # Debian's Chromium, for the PNG/SVG export (skips when present)
	@mkdir -p $(DEMO)
	@echo "== 1/6 ingest the bundled corpus"
	$(BIN)/policyscope ingest corpus/ --db $(DEMO)/policyscope.db --progress
	$(BIN)/policyscope docs --db $(DEMO)/policyscope.db
	@echo "== 2/6 track personalisation and integration"
	$(BIN)/policyscope track --db $(DEMO)/policyscope.db --by-doc-type --out $(DEMO)/track
	@echo "== 3/6 fit topics"
	$(BIN)/policyscope topics fit --db $(DEMO)/policyscope.db --k 4 --seed 42 --out $(DEMO)/topics -q
	@echo "== 4/6 topic timeline"
	$(BIN)/policyscope topics timeline $(DEMO)/topics --out $(DEMO)/topic_timeline
	@echo "== 5/6 dashboard"
	$(BIN)/policyscope dashboard --db $(DEMO)/policyscope.db --track $(DEMO)/track --topics $(DEMO)/topics \
		--topic-timeline $(DEMO)/topic_timeline --out $(DEMO)/dashboard.html
	@echo "== 6/6 publication bundle"
	$(BIN)/policyscope export --chart concept-share --db $(DEMO)/policyscope.db --track $(DEMO)/track \
		--out $(DEMO)/export
	@echo
	@echo "Done. Open $(DEMO)/dashboard.html in a browser; the publishable chart, its CSV and"
	@echo "citations are in $(DEMO)/export/; the numbers behind them are in $(DEMO)/track/."

# The seeds' claim tested on the bundled seeds plus ../shared/corpus when present (docs/study.md).
study: $(VENV)/.installed
	@bash scripts/install_browser.sh  # Debian's Chromium, for the report's SVG figures (skips when present)
	$(BIN)/policyscope study --out reports/study
	@echo "Open reports/study/study.html (or read reports/study/study.md); the numbers are in reports/study/*.csv."

test: $(VENV)/.installed-dev
	@bash scripts/install_browser.sh  # Debian's Chromium + chromedriver for the browser tests
	@bash scripts/install_ocr.sh      # Tesseract, for the --ocr test
	$(BIN)/python -m pytest -q -ra

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_ingest_process.py
	$(BIN)/python benchmarks/bench_dask.py
	$(BIN)/python benchmarks/bench_track.py
	$(BIN)/python benchmarks/bench_detect.py
	$(BIN)/python benchmarks/bench_topics.py
	$(BIN)/python benchmarks/bench_topics_vs_human_codes.py
	$(BIN)/python benchmarks/bench_pipeline.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache
