# One entry point for people and CI. `make test` works on a fresh machine: it creates ./venv (the same
# virtualenv the Pulumi CLI uses, see Pulumi.yaml), installs pinned dependencies, lints, type-checks
# and runs the unit tests under Pulumi mocks.
PYTHON ?= python3
VENV ?= venv
BIN := $(VENV)/bin
POLICY_VENV := policy/venv
STACKS := $(patsubst Pulumi.%.yaml,%,$(wildcard Pulumi.*.yaml))

STACK ?= dev
SHELL := bash

# `make test` runs its four steps at the same time (STEPS=1: one after another); UNIT_WORKERS is how
# many pytest-xdist processes run the unit tests (auto: one per core; 0: all in pytest's own process).
STEPS ?= 4
UNIT_WORKERS ?= auto

.PHONY: test install lint typecheck unit policy-test plan benchmark db-tunnel ops status rollback snapshots prices docs workflows mutation lock clean

# The steps are independent (the policy step plans the stacks itself), so they share the cores; each
# line they print starts with its step's name, and each step ends with "[step] passed in N s" or
# FAILED. Every step runs (to its end) even when another fails.
# The unit step runs on every core there too: lint, typecheck and policy-test end well before it (on
# the 2-core machine after 0, ~35 and ~16 s) and leave it both cores: 60 s, not 74 in one process.
test: install $(POLICY_VENV)/.installed
	@$(MAKE) --no-print-directory --keep-going -j$(STEPS) lint typecheck unit policy-test \
	  UNIT_WORKERS=$(UNIT_WORKERS)
	@# Last, untagged: pytest's own closing lines (unit tests, then the policy pack's), as CI reads them.
	@grep -h -E '^=*[ ]*[0-9]+ (passed|failed)' out/steps/unit.log out/steps/policy-test.log

# $(call step,NAME,COMMAND): COMMAND with each line of its output tagged [NAME], then its time; the
# untagged output is kept in out/steps/NAME.log.
step = start=$$SECONDS; echo "[$(1)] started"; mkdir -p out/steps; \
	{ $(2); } 2>&1 | tee out/steps/$(1).log | while IFS= read -r line || [ -n "$$line" ]; do printf '[%s] %s\n' '$(1)' "$$line"; done; \
	status=$${PIPESTATUS[0]}; \
	echo "[$(1)] $$(if [ $$status = 0 ]; then echo passed; else echo FAILED; fi) in $$((SECONDS - start)) s"; \
	exit $$status

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The policy pack has its own virtualenv: pulumi-policy pins older grpcio/protobuf than the program.
$(POLICY_VENV)/.installed: policy/requirements.txt policy/requirements-dev.txt policy/constraints.txt
	$(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r policy/requirements-dev.txt
	touch $@

lint: install
	@$(call step,lint,$(BIN)/ruff check . && $(BIN)/ruff format --check .)

typecheck: install
	@$(call step,typecheck,$(BIN)/pyright)

# Stack runs are memoized, shared by the workers and kept in out/test-runs/ for later sessions while no
# source file or package changes (tests/conftest.py, plan/sources.py; `make clean` removes them).
unit: install
	@$(call step,unit,$(BIN)/python -m pytest -q -n $(UNIT_WORKERS))

# The policies on their own cases, on the fixture stacks' plan graphs (exact verdicts) and on every
# one of your stacks' graphs (no mandatory violation, whatever the stacks are called).
FIXTURE_STACKS := $(patsubst tests/stacks/Pulumi.%.yaml,%,$(wildcard tests/stacks/Pulumi.*.yaml))
# The graphs as `python -m plan STACK --no-diagram --json` writes them, planned in one process.
POLICY_GRAPHS = rm -rf out/graphs && mkdir -p out/graphs/stacks out/graphs/fixtures && \
	$(BIN)/python -m tools.policy_graphs out/graphs/stacks $(CURDIR) $(STACKS) && \
	$(BIN)/python -m tools.policy_graphs out/graphs/fixtures $(CURDIR)/tests/stacks $(FIXTURE_STACKS)
policy-test: install $(POLICY_VENV)/.installed
	@$(call step,policy-test,$(POLICY_GRAPHS) && \
	  WEBSTACK_GRAPHS=out/graphs $(POLICY_VENV)/bin/python -m pytest -q -p no:cacheprovider policy/tests)

# The offline plan of one stack: inventory, outputs, exposure, subnets, diagrams in out/.
# Extra flags: make plan STACK=prod PLAN_ARGS="--compare dev --json out/prod.json"
plan: install
	$(BIN)/python -m plan $(STACK) $(PLAN_ARGS)

# The exact commands that reach the stack's database from a laptop through ECS Exec (no SSH):
# make db-tunnel STACK=dev [TUNNEL_ARGS="--database main --local-port 15432"]
db-tunnel:
	pulumi stack output --json --stack $(STACK) | $(BIN)/python -m tools.tunnel $(TUNNEL_ARGS)

# Operate the deployed stack (python -m ops): make status STACK=dev; make ops STACK=dev ARGS="logs api --since 30m"
# (commands: status, logs, exec, run, db, cache; docs/operating-commands.md).
# The stack goes in WEBSTACK_STACK, so ARGS may end with "-- COMMAND" (exec, run).
ops: install
	WEBSTACK_STACK=$(STACK) $(BIN)/python -m ops $(ARGS)

status: install
	WEBSTACK_STACK=$(STACK) $(BIN)/python -m ops status $(ARGS)

# Run the previous task definition revision (its image by digest) of one service again and wait until it
# is steady: make rollback STACK=prod SERVICE=api [ARGS="--to 41"] (ops/rollback.py; docs/releasing.md).
rollback: install
	@test -n "$(SERVICE)" || { echo "usage: make rollback STACK=<stack> SERVICE=<service>"; exit 2; }
	WEBSTACK_STACK=$(STACK) $(BIN)/python -m ops rollback $(SERVICE) $(ARGS)

# Accept an intended change to what the fixture stacks deploy: rewrite tests/snapshots/current/.
snapshots: install
	$(BIN)/python -m tools.snapshots --update

# Refresh plan/prices/<region>.json from the AWS Price List API (needs AWS credentials allowed
# pricing:GetProducts and internet; the plan itself never does). Review `git diff plan/prices`, then commit.
# make prices PRICES_ARGS="--region eu-central-1"
prices: install
	$(BIN)/python -m tools.prices $(PRICES_ARGS)

# Regenerate what the schema and the program decide: docs/configuration-reference.md,
# schema/stack-file.schema.json (editor validation) and docs/container-variables.md. A test fails when
# a committed copy is stale; `venv/bin/python -m tools.docs --check` only reports.
docs: install
	$(BIN)/python -m tools.docs

# Write .github/workflows/ from .github/stages.yml (the order of promotion) and the stack files: a
# preview per stage, a deploy job per stage after the one before it. A test fails when they are stale.
workflows: install
	$(BIN)/python -m tools.workflows

# Not part of `make test` (tens of minutes): do the tests notice a change to what is deployed?
# MUTATION_ARGS, e.g. "edge --limit 40" or "--without-snapshots" (tools/mutation.py).
mutation: install
	$(BIN)/python -m tools.mutation $(MUTATION_ARGS)

# Wall time of planning dev, prod and synthetic stacks with 1, 10 and 50 services, then of the unit
# suite as `make unit` runs it, as a ratio of the original suite's 126 s and of day two's 58 s
# (tools/suite_benchmark.py).
benchmark: install
	$(BIN)/python -m tools.plan_benchmark
	$(BIN)/python -m tools.suite_benchmark --workers $(UNIT_WORKERS)

# Re-pin constraints.txt to what is installed now (after changing a range in requirements*.txt).
lock: install
	( echo "# Exact versions the test suite last passed with (pip freeze of the dev venv). Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --all --exclude pip --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) $(POLICY_VENV) .pytest_cache .ruff_cache .hypothesis out
