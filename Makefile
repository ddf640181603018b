# `make demo` and `make test` each set up .venv by themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test bench clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(INSTALLED)

# The tutorial's XOR, then a small CNN on Fashion-MNIST (the embedded sample where the real
# set is not installed); checkpoint, curves and graph go to runs/mnist_cnn/.
demo: $(INSTALLED)
	$(BIN)/python examples/xor.py
	$(BIN)/python examples/mnist_cnn.py --epochs 2

test: $(INSTALLED)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info

# Benchmarks (a few minutes): tables on stdout and in benchmarks/RESULTS.md. Options go in
# BENCH_ARGS, e.g. `make bench BENCH_ARGS="--threads 1"`; `--help` lists them.
BENCH_ARGS ?=
bench: $(INSTALLED)
	$(BIN)/python -c "import threadpoolctl" 2>/dev/null || $(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
