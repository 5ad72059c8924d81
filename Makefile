# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench site playground mutation pictures venv clean

demo: $(VENV)/.run-deps
	$(BIN)/python -m demos moons

test: $(VENV)/.test-deps
	$(BIN)/python -m pytest -n auto --dist loadgroup

bench: $(VENV)/.bench-deps
	$(BIN)/python -m bench

# The browser playground, built under site/ (needs npm, which fetches Pyodide and Graphviz as WebAssembly once).
site: $(VENV)/.run-deps
	$(BIN)/python -m viz.playground --out site

# ... and served at http://127.0.0.1:8000/ until Ctrl+C.
playground: $(VENV)/.run-deps
	$(BIN)/python -m viz.playground --out site --serve 8000

# The pictures of the README and the guides, drawn again by their demos at full size (a few minutes).
pictures: $(VENV)/.run-deps
	for demo in gauss_newton checkpointing vanishing; do $(BIN)/python -m demos $$demo --out demos/pictures || exit 1; done
	$(BIN)/python -m demos graph --out out && cp out/neuron.png demos/pictures/neuron.png

# Mutation testing of engine, nn and viz (slow: many hours on two cores; resumable, across machines too, by the results
# kept in .ci/mutation-results.json; not part of CI).
mutation: $(VENV)/.test-deps
	$(BIN)/python -m pip install --quiet "mutmut>=3.3,<4"
	$(BIN)/python .ci/mutation_results.py restore
	@# One thread per library: mutmut forks a process per mutant from one that ran the tests, and an OpenMP pool
	@# (PyTorch's) does not survive a fork: the fork's first parallel op waited forever, a false timeout. At most
	@# 8 GiB a process: a mutant that loops while it allocates gets a MemoryError (a failed test), not the machine.
	ulimit -v 8388608; CI=true OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
		$(BIN)/mutmut run --max-children $$(nproc 2>/dev/null || echo 2) || true
	$(BIN)/python .ci/mutation_results.py save
	$(BIN)/python .ci/mutation_score.py mutants

venv: $(BIN)/python

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): install Python 3 with its venv module (e.g. apt-get install python3-venv)"; exit 1; }

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

$(VENV)/.bench-deps: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@touch $@

clean:
	rm -rf $(VENV) out site build/playground-npm .pytest_cache .hypothesis *.egg-info mutants
