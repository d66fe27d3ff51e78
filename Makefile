# The README's two commands: `make run` (the default suite, end to end) and `make test`.
# Each installs the Debian packages it needs when they are missing.

SWIFT ?= swift
DEBIAN_PACKAGES := libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev gnuplot-nox valgrind binutils
EXPERIMENT ?= experiments/default.json
# Results of an experiment go to results/<its "name">/latest; the shipped files are named after their experiment.
RESULTS := results/$(basename $(notdir $(EXPERIMENT)))/latest
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench kill-resume deps test-deps build

# experiments/trace-replay.json replays a trace recorded on this machine first (not kept in git).
TRACE_REPLAY_TRACE := experiments/traces/cpython-dict.trace
run: deps build $(if $(filter experiments/trace-replay.json,$(EXPERIMENT)),$(TRACE_REPLAY_TRACE))
	.build/release/layoutlab run $(EXPERIMENT)
	.build/release/layoutlab report $(RESULTS)

# The release build too: `make run` uses it, and the optimizer has crashed on code the debug build compiles.
test: deps test-deps
	python3 scripts/target-graph.py > /dev/null
	$(SWIFT) build -c release
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The lab measures itself (layoutlab calibrate), times the default suite end to end, then the runner's own
# cost per trial for 200 and 2 000 trials (bench/trial-cost.sh, a few minutes).
bench: deps build
	.build/release/layoutlab calibrate
	@start=$$(date +%s.%N); .build/release/layoutlab run --quiet experiments/default.json > /dev/null; \
	  end=$$(date +%s.%N); echo "default suite, end to end: $$(echo "$$end - $$start" | bc) s"
	bench/trial-cost.sh

# SIGKILLs a run at 20 random moments, resuming each time, and checks that no file is ever torn (minutes).
kill-resume: deps build
	bench/kill-resume.sh

build:
	$(SWIFT) build -c release

$(TRACE_REPLAY_TRACE): | build
	scripts/record-cpython-dict-trace.sh $@

# The schema test checks experiments/schema.json with Python's jsonschema; the Slurm test starts a
# single-node Slurm (slurm-wlm, munge) on loopback.
TEST_PACKAGES := slurm-wlm munge
test-deps:
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema 2>/dev/null || \
	  (DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-jsonschema >/dev/null)
	@missing=""; for p in $(TEST_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
