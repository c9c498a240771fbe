# One command per job, the same for a person and for CI (.ci/run calls these targets).
#   make build   set up .venv from requirements.lock, regenerate, check, build docs and wheel
#   make test    the whole test suite
#   make check   contracts check (metaschema, conventions, rules, fixtures, generated drift)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Reproducible wheels: file times in the archive come from here, not from the checkout.
export SOURCE_DATE_EPOCH := 315532800

.PHONY: build setup generate check test docs wheel lock clean

build: setup generate check docs wheel

setup: $(STAMP)

# Everything comes from the lock file, with hashes checked; the two local packages are then
# installed editable (without dependencies: the lock already holds them).
$(STAMP): requirements.lock pyproject.toml generated/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e generated/python -e .
	touch $(STAMP)

generate: setup
	$(BIN)/contracts generate

check: setup
	$(BIN)/contracts check

test: setup
	$(BIN)/pytest

docs: setup
	$(BIN)/mkdocs build --strict --quiet --site-dir site

wheel: setup
	rm -rf dist/python
	$(BIN)/python -m build --wheel --no-isolation --outdir dist/python generated/python >/dev/null 2>&1
	@ls dist/python/*.whl

# Re-resolve requirements.lock from requirements/dev.in (needs pip-tools in the venv).
lock: setup
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --quiet -o requirements.lock requirements/dev.in

clean:
	rm -rf $(VENV) site dist .pytest_cache .mypy_cache
