# idgov — `make demo` and `make test` work on a fresh clone: they install what
# is missing (npm packages from the lockfile), build, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

POLICIES := $(patsubst %/policy.ts,%,$(wildcard policies/*/policy.ts))
HARNESS_SRC := $(shell find harness/src -name '*.ts' 2>/dev/null)
SDK_SRC := $(shell find assembly -name '*.ts' -not -path '*/__tests__/*' 2>/dev/null)

.PHONY: help install build build-harness build-policies test demo bench clean playground browser-tool

help:
	@echo "make demo    build and show the flagship policy deciding real requests"
	@echo "make test    build and run every test (ends with 'N passed, N failed')"
	@echo "make build   build the harness and every policy into policies/<name>/build/"
	@echo "make bench   benchmark every policy (report under bench/results/)"
	@echo "make playground  static browser playground of every policy's component in playground/build/"
	@echo "make clean   remove build outputs"

# npm ci when node_modules is missing or older than the lockfile.
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

# The identity vocabulary's tables are generated from its data file; when the
# generator rewrites them (exit 2) the harness is compiled again with the new table.
harness/dist/.built: node_modules/.installed $(HARNESS_SRC) harness/tsconfig.json assembly/identity/vocabulary.json
	npx tsc -p harness/tsconfig.json
	@node harness/dist/build/vocabulary.js || { [ $$? -eq 2 ] && npx tsc -p harness/tsconfig.json; }
	@touch $@

build-harness: harness/dist/.built

# Each policy's outputs (four core modules, the component and its JS) depend on its own sources and the SDK.
policies/%/build/policy.wasm: policies/%/*.ts $(SDK_SRC) assembly/identity/vocabulary.json asconfig.json wit/policy.wit harness/dist/.built
	node harness/dist/build/main.js policies/$*

build-policies: $(addsuffix /build/policy.wasm,$(POLICIES))

build: build-harness build-policies

playground: build
	node harness/dist/build/playground.js

# The playground test drives Debian's headless Chromium; install it when missing (root with
# apt-get). Never fatal: without a browser that one test skips and says why.
browser-tool:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (playground browser test)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	      echo "could not install chromium: the playground browser test will be skipped" >&2; \
	  else \
	    echo "no chromium and not root with apt-get: the playground browser test will be skipped (sudo apt-get install chromium)" >&2; \
	  fi; \
	fi

test: build playground browser-tool
	@rm -f .vitest-results.json
	@npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json; \
	  status=$$?; echo "policy test suites (idgov test): JUnit report in test-results/idgov-suites.xml"; \
	  node .ci/summary.mjs .vitest-results.json; exit $$status

demo: build
	@node harness/dist/demo.js

bench: build
	@node harness/dist/bench/report.js

clean:
	rm -rf harness/dist policies/*/build playground/build .vitest-results.json test-results
