# Two commands: `make lab` opens the course, `make test` runs every test and notebook.
# Both create .venv and install everything on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export KERAS_BACKEND := tensorflow

.PHONY: lab test test-fast test-notebooks check-homework release-homework benchmarks clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -c 'import sys; v=sys.version_info[:2]; assert (3,10) <= v <= (3,13), f"Python 3.10-3.13 needed, found {v}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "Python 3 (ipykernel)"
	touch $(STAMP)

ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_index.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks homework/source \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  -p no:cacheprovider $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser" $(PYTEST_ARGS)

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

# A student checks their homework: make check-homework HW=hw01 [NB=path/to/my_copy.ipynb]
# A cell still running after CELL_TIMEOUT seconds (a loop that never ends) is stopped and named.
HW ?= hw01
NB ?= homework/release/$(HW)/$(HW).ipynb
CELL_TIMEOUT ?= 120
check-homework: $(STAMP)
	$(BIN)/python -m pytest -p dlhelpers.homework -p no:cacheprovider --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout $(CELL_TIMEOUT) $(NB)

release-homework: $(STAMP)
	$(BIN)/python -m dlhelpers.homework release

benchmarks: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
