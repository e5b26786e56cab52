# hfnotes — two commands on a fresh machine:
#   make course   run the whole course (bundled, offline) into build/
#   make test     ruff + unit tests + strict nbval over every notebook
#   make site     the executed notebooks as a static website in build/site/
# Conda users: activate the `hfnotes` env first; it is then used instead of .venv.

PYTHON ?= python3
VENV ?= $(if $(filter hfnotes,$(CONDA_DEFAULT_ENV)),$(CONDA_PREFIX),.venv)
BIN := $(VENV)/bin
STAMP := $(VENV)/.hfnotes-installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Notebooks and test files run JOBS at a time, one compute thread each; JOBS=1 runs one at a time on every core.
# Each notebook stays on one worker (one kernel, cells in order). They are handed out first, in order, and the
# short test files last, so the workers finish together instead of one waiting on the last notebook.
JOBS ?= 2
ifeq ($(JOBS),1)
XDIST := -n 0
else
XDIST := -n $(JOBS) --dist loadscope --no-loadscope-reorder
THREADS := OMP_NUM_THREADS=1
endif
# tests/offline/sitecustomize.py blocks every non-loopback connection in bundled mode, in pytest and in
# the notebook kernels nbval starts (they inherit this environment): the offline promise is tested.
GUARD := PYTHONPATH=$(CURDIR)/tests/offline$${PYTHONPATH:+:$$PYTHONPATH}

.PHONY: install assets course test lint lab notebooks site constraints clean

# pip installs the pinned torch first (a machine's own torch wheel stays in use); uv then installs the
# other pinned packages in seconds instead of minutes. Without uv, pip installs them.
# Both write the packages' bytecode at install time (pip by default, uv with --compile-bytecode): where
# PYTHONDONTWRITEBYTECODE is set (containers, CI) Python would otherwise compile transformers, datasets and
# peft from source in every process it starts, about 4 s each for every notebook kernel and test subprocess.
TORCH_PIN = $(shell grep -m1 '^torch==' constraints.txt)
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt "$(TORCH_PIN)" uv
	if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e ".[dev,lab,site]"; \
	else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,lab,site]"; \
	fi
	touch $(STAMP)

install: $(STAMP)

assets: $(STAMP)
	$(BIN)/hfnotes assets build

course: assets
	$(BIN)/hfnotes run notebooks --out build --jobs $(JOBS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts solutions docs
	$(BIN)/ruff format --check src tests benchmarks scripts solutions docs

# No `assets` step first: the course builds are the first two tests (tests/test_course_builds.py), one per
# worker, while the other worker runs what needs neither model.
test: lint
	$(GUARD) $(THREADS) $(BIN)/python -m pytest $(XDIST) notebooks tests src/hfnotes --doctest-modules $(NBVAL) --durations=15

# The course website: the committed notebooks rendered with their saved outputs (never executed), offline;
# any Sphinx warning fails the build. tests/test_site.py builds it the same way and opens it in Chromium.
site: $(STAMP)
	$(BIN)/python scripts/build_site.py --out build/site

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# Saved outputs are recorded one notebook at a time on every core, the way a learner runs them.
notebooks: assets
	$(BIN)/hfnotes run --in-place notebooks

# Refresh constraints.txt: resolve the newest allowed versions in a scratch venv, then
# run `make notebooks` and commit both (outputs must match the pinned versions).
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/python -m pip install --quiet "torch==2.13.0" uv -e ".[dev,lab,site]"
	{ echo "# Exact versions the committed notebook outputs were made with. Refresh: make constraints"; build/constraints-venv/bin/python -m pip freeze --exclude-editable | sed "s/+cpu$$//"; } > constraints.txt
	rm -rf build/constraints-venv

clean:
	rm -rf build .pytest_cache
