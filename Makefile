# The README's two commands: `make run` (the default suite, end to end) and `make test`.
# Each installs the Debian packages it needs when they are missing.

SWIFT ?= swift
DEBIAN_PACKAGES := libjemalloc-dev gnuplot-nox
EXPERIMENT ?= experiments/default.json
RESULTS := results/$(basename $(notdir $(EXPERIMENT)))/latest
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build

run: deps build
	.build/release/layoutlab run $(EXPERIMENT)
	@if command -v gnuplot >/dev/null; then \
	  gnuplot -e "results='$(RESULTS)'" plot.gnuplot && echo "charts: $$(ls $(RESULTS)/*.png | tr '\n' ' ')"; \
	else echo "gnuplot is missing: apt-get install gnuplot-nox"; fi

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

build:
	$(SWIFT) build -c release

deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
