# emoxnet: every target bootstraps the local virtual environment first (idempotent).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# the stamp is named after pyproject.toml's content (nbdev-export rewrites the file, so its mtime means nothing)
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: help demo venv synth test check-sync check-clean nbtest pytest export clean bench browser docs

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: $(STAMP)  ## create .venv and install emoxnet[dev] (second run installs nothing)

demo: $(STAMP)  ## main job: launch the Gradio demo serving the bundled EmoXNetLite student (http://127.0.0.1:7860)
	$(BIN)/emoxnet demo

synth: $(STAMP)  ## generate the SynthFACS benchmark, its real-format exports and preview grids
	$(BIN)/emoxnet synth --out data/synthfacs --export all --preview data/synthfacs_preview

export: $(STAMP)  ## notebooks -> emoxnet/ + README.md, and clean notebooks
	$(BIN)/nbdev-export
	$(BIN)/python .ci/readme.py
	$(BIN)/nbdev-clean

check-sync: $(STAMP)  ## nbdev-export must leave no diff
	@bash .ci/unchanged.sh "nbdev-export" bash -c "$(BIN)/nbdev-export && $(BIN)/python .ci/readme.py"

check-clean: $(STAMP)  ## nbdev-clean must leave no diff
	@bash .ci/unchanged.sh "nbdev-clean" $(BIN)/nbdev-clean

nbtest: $(STAMP)  ## run every notebook (experiments in smoke mode)
	OMP_NUM_THREADS=1 $(BIN)/nbdev-test --timing

browser:  ## install Debian chromium for the browser test (once)
	@bash .ci/ensure-chromium.sh

pytest: $(STAMP) browser  ## pytest tests (CLI, loaders on exported files, demo, browser, the docs site, the book rules)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q --durations=15 tests

test: check-sync check-clean nbtest pytest  ## the full CI suite, in order

docs: $(STAMP)  ## build the documentation site into _docs/ from the notebooks (nothing is trained or re-run)
	OMP_NUM_THREADS=1 $(BIN)/python .ci/docs.py _docs

clean:  ## remove the built site and caches (never data/ or runs/)
	rm -rf _docs _proc .pytest_cache

bench: $(STAMP)  ## print speed figures
	$(BIN)/emoxnet bench
