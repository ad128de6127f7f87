# Two commands on a fresh machine (Python 3.11+ and pip, nothing else):
#   make demo   installs the app into .venv and opens it on the demo event
#   make test   installs the app and its test tools into .venv and runs every check
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test check smoke bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python requirements-dev.lock pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/checkin demo

test: $(VENV)/.installed-dev check

check:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory smoke
	$(BIN)/python -m pytest -q

# The installed program works without the dev tools: build the wheel, install it with the
# runtime lock into a fresh venv, and run it.
smoke:
	rm -rf build/smoke && mkdir -p build/smoke
	$(BIN)/python -m pip wheel --quiet --no-deps -w build/smoke .
	$(PYTHON) -m venv build/smoke/venv
	build/smoke/venv/bin/python -m pip install --quiet -r requirements.lock build/smoke/*.whl
	build/smoke/venv/bin/checkin --help > /dev/null
	build/smoke/venv/bin/checkin --lang zh demo --no-app --db build/smoke/demo.db
	build/smoke/venv/bin/checkin event show --db build/smoke/demo.db > /dev/null
	@echo "smoke: the wheel installs and runs"

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

lock:
	rm -rf /tmp/checkin-lock && $(PYTHON) -m venv /tmp/checkin-lock
	/tmp/checkin-lock/bin/pip install --quiet '.[dev]'
	echo '# Exact versions of everything the app and its test tools install (make lock rewrites it).' > requirements-dev.lock
	/tmp/checkin-lock/bin/pip freeze | grep -v '^checkin-desk' >> requirements-dev.lock
	rm -rf /tmp/checkin-lock && $(PYTHON) -m venv /tmp/checkin-lock
	/tmp/checkin-lock/bin/pip install --quiet .
	echo '# Exact versions of everything the installed app needs (make lock rewrites it).' > requirements.lock
	/tmp/checkin-lock/bin/pip freeze | grep -v '^checkin-desk' >> requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
