# One command per job, the same for a person and for CI (.ci/run calls these targets).
#   make build   set up .venv from requirements.lock, regenerate, check, build docs and wheel
#   make test    the whole test suite, then `make test-lowest`
#   make check   contracts check (metaschema, conventions, rules, fixtures, generated drift)
#   make release a committed tree, checked, built into dist/: wheel, site, CHANGELOG.md
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export NO_MKDOCS_2_WARNING := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Reproducible docs: the site's dates come from here, not from the clock. (Wheels need nothing:
# hatchling builds them reproducibly by itself, whatever the front end.)
export SOURCE_DATE_EPOCH := 315532800

.PHONY: build setup generate check test test-lowest docs wheel lock clean release clean-tree report

build: setup browser generate check docs wheel

# NO_SETUP=1 uses the venv as it is (a test that runs make in a copy of the repository with
# this checkout's venv must never install the copy into it).
setup: $(if $(NO_SETUP),,$(STAMP))

# The docs site is tested in a real browser (tests/browser/): Debian's headless Chromium. A fresh
# machine has none; as root it is installed here, otherwise the one command to run is printed.
CHROMIUM := /usr/bin/chromium
.PHONY: browser
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's chromium (for the browser tests)"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; \
		else \
			echo "make: the browser tests need $(CHROMIUM): run 'sudo apt-get install chromium', then make build" >&2; exit 1; \
		fi; \
	fi

# Everything comes from the lock file, with hashes checked; the two local packages are then
# installed editable (without dependencies: the lock already holds them), and the package's
# optional C proofs (speedups/) compiled with the machine's gcc and the lock's setuptools.
SPEEDUPS := speedups/pyproject.toml $(wildcard speedups/src/*.c)
$(STAMP): requirements.lock pyproject.toml generated/python/pyproject.toml $(SPEEDUPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e generated/python -e .
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall ./speedups \
		|| echo "make: the optional C proofs (speedups/) did not build (a C compiler and Python's headers are needed): the package uses its own Python, slower on spaced lines" >&2
	touch $(STAMP)

# Bytecode is compiled ahead, so the tools start without compiling their modules even where
# Python may not write bytecode itself (PYTHONDONTWRITEBYTECODE, a read-only checkout).
generate: setup
	$(BIN)/contracts generate
	$(BIN)/python -m compileall -q scripts generated/python/src >/dev/null

check: setup
	$(BIN)/contracts check

# Both cores (pytest-xdist): tests that share a costly fixture or build wheels from generated/
# are kept on one worker by their xdist_group mark; the rest are dealt out one by one.
test: setup browser
	$(BIN)/pytest -n auto --dist loadgroup
	$(MAKE) --no-print-directory test-lowest

# The package's tests again, on the lowest versions it declares (requirements/lowest.lock,
# resolved lowest-direct and hash-checked), in a venv holding nothing else: the package's wheel
# (no dependencies: the lock has them), pytest and hypothesis. Tests marked `package` only.
LOWEST := .venv-lowest
$(LOWEST)/.installed: requirements/lowest.lock
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/lowest.lock
	touch $@

test-lowest: wheel $(LOWEST)/.installed
	$(LOWEST)/bin/python -m pip install --quiet --no-deps --no-index --force-reinstall dist/python/*.whl
	$(LOWEST)/bin/python -m pip check
	$(LOWEST)/bin/python -m pytest -q -m "package and not tooling" -p no:cacheprovider $$(grep -l "pytest.mark.package" tests/test_*.py)

docs: setup
	$(BIN)/mkdocs build --strict --quiet --site-dir site

# The package's wheel (pure Python, the same bytes on every machine) in dist/python; the optional
# C proofs' wheel, for this platform, in dist/speedups.
wheel: setup
	rm -rf dist/python dist/speedups
	$(BIN)/python -m build --wheel --no-isolation --outdir dist/python generated/python >/dev/null 2>&1
	@$(BIN)/python -m build --wheel --no-isolation --outdir dist/speedups speedups >/dev/null 2>&1 \
		|| echo "make: no wheel of the optional C proofs (speedups/): they did not build on this machine" >&2
	@ls dist/python/*.whl; ls dist/speedups/*.whl 2>/dev/null || true

# A release is built from what is committed, and only once the policy passes: `contracts check`
# (schemas, rules, fixtures, version policy, drift of generated/ and the docs' generated pages),
# and, from the second release on, no version file released under the last tag has changed.
# The version is computed (`contracts version`): VERSION=X.Y.Z asks for one (refused when smaller
# than the changes need), BUMP=patch|minor|major for a runtime change bigger than a PATCH.
release: clean-tree check
	@last=$$(git describe --tags --abbrev=0 2>/dev/null || true); \
	if [ -n "$$last" ]; then echo "contracts check --against $$last"; $(BIN)/contracts check --against "$$last"; fi
	$(BIN)/contracts release $(if $(VERSION),--version $(VERSION)) $(if $(BUMP),--bump $(BUMP))
	$(MAKE) --no-print-directory wheel
	rm -rf dist/site dist/CHANGELOG.md
	$(BIN)/mkdocs build --strict --quiet --site-dir dist/site
	cp docs/changelog.md dist/CHANGELOG.md
	@echo "release $$(git describe --always --dirty) in dist/: python/ ($$(ls dist/python)), site/, CHANGELOG.md"

clean-tree:
	@test -z "$$(git status --porcelain)" || { \
		echo "make release: the tree has uncommitted changes; commit or discard them first:" >&2; \
		git status --short >&2; exit 1; }

# The markdown a reviewer reads on a pull request (the CI workflow posts it as a comment).
BASE ?= origin/main
report: setup
	@$(BIN)/contracts report --against $(BASE)

# The fast path against the reference, in one run; writes docs/performance.md.
# BENCH_ARGS="--events 50000 --memory-events 0 --catalogue-events 0 --warehouse-events 50000 --warehouse-small 5000"
# for a quick run.
.PHONY: bench
bench: generate
	$(BIN)/python -m contracts.bench $(BENCH_ARGS)

# `contracts diff` scored on the public corpora kept in tests/data/compat-corpora (make test scores them too):
# accuracy per corpus, and the count of missed breaking changes, which must stay zero.
.PHONY: conformance
conformance: setup
	$(BIN)/python -m contracts.compat.conformance

# The tests too long for `make test`: a million-line stream with workers killed at random.
.PHONY: slow
slow: setup
	$(BIN)/pytest -m slow

# Coverage-guided fuzzing (atheris) of the JSONL reader, the validators, parse and the
# compatibility checker; FUZZ_SECONDS is the whole budget, shared by the targets.
# Mutation testing (mutmut, from the lock) of the contract rules, the fast validation tiers and the
# compatibility prover, one area after the other (AREAS= to choose): the score per area, each to
# stay >= 90%; survivors in build/mutation/<area>/survivors.txt, explained in docs/mutation.md.
# Long (tens of minutes per area on two cores): not part of make test.
AREAS ?=
.PHONY: mutation
mutation: setup
	$(BIN)/python tests/mutation/run.py $(AREAS)

# atheris comes from its own hash-checked lock (requirements/fuzz.lock), installed here only: it
# has no wheel for some platforms, and nothing else needs it.
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz: setup $(VENV)/.fuzz-installed
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS)

$(VENV)/.fuzz-installed: requirements/fuzz.lock $(STAMP)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/fuzz.lock
	touch $@

# Re-resolve requirements.lock from requirements/dev.in (needs pip-tools in the venv), and
# requirements/lowest.lock (uv, from the lock): the package's dependencies at their lowest
# declared versions, with the test tools of requirements/lowest.in.
lock: setup
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --quiet -o requirements.lock requirements/dev.in
	$(BIN)/pip-compile --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --quiet -o requirements/fuzz.lock requirements/fuzz.in
	$(BIN)/uv pip compile --resolution lowest-direct --generate-hashes --python-version 3.11 --quiet \
		--no-header -o requirements/lowest.lock generated/python/pyproject.toml requirements/lowest.in

clean:
	rm -rf $(VENV) $(LOWEST) site dist .pytest_cache .mypy_cache
