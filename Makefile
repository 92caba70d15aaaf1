# One entry point for people and CI. `make test` works on a fresh machine: it creates ./venv (the same
# virtualenv the Pulumi CLI uses, see Pulumi.yaml), installs pinned dependencies, lints, type-checks
# and runs the unit tests under Pulumi mocks.
PYTHON ?= python3
VENV ?= venv
BIN := $(VENV)/bin

STACK ?= dev

.PHONY: test install lint typecheck unit plan benchmark lock clean

test: lint typecheck unit

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/pyright

unit: install
	$(BIN)/python -m pytest -q

# The offline plan of one stack: inventory, outputs, exposure, subnets, diagrams in out/.
# Extra flags: make plan STACK=prod PLAN_ARGS="--compare dev --json out/prod.json"
plan: install
	$(BIN)/python -m plan $(STACK) $(PLAN_ARGS)

# Wall time of planning dev, prod and synthetic stacks with 1, 10 and 50 services.
benchmark: install
	$(BIN)/python -m plan.benchmark

# Re-pin constraints.txt to what is installed now (after changing a range in requirements*.txt).
lock: install
	( echo "# Exact versions the test suite last passed with (pip freeze of the dev venv). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis out
