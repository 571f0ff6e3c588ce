# idgov — `make demo` and `make test` work on a fresh clone: they install what
# is missing (npm packages from the lockfile), build, then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

POLICIES := $(patsubst %/policy.ts,%,$(wildcard policies/*/policy.ts))
HARNESS_SRC := $(shell find harness/src bench/baselines -name '*.ts' 2>/dev/null)
SDK_SRC := $(shell find assembly -name '*.ts' -not -path '*/__tests__/*' 2>/dev/null)

.PHONY: help install build build-harness build-policies lint format test fuzz demo bench bench-serve clean publish registry-tool playground browser-tool

help:
	@echo "make demo    build and show the flagship policy deciding real requests"
	@echo "make test    build and run every test (ends with 'N passed, N failed')"
	@echo "make build   build the harness and every policy into policies/<name>/build/"
	@echo "make lint    type-check all TypeScript (tests included) and lint/format-check it, AssemblyScript too"
	@echo "make format  apply the formatter (eslint --fix)"
	@echo "make fuzz    the property suites with 10x the cases, 100k evaluations, 1k load/close cycles (figures: test-results/fuzz.log)"
	@echo "make bench   benchmark every policy (report under bench/results/)"
	@echo "make playground  static browser playground of every policy's component in playground/build/"
	@echo "make publish REGISTRY=host[:port]/path [PUBLISH_FLAGS=--insecure]  push every annotated policy, print ClusterAdmissionPolicy manifests pinned by digest"
	@echo "make bench-serve  load-test idgov serve with autocannon (bench/results/serve-latest.md)"
	@echo "make clean   remove build outputs"

# npm ci when node_modules is missing or older than the lockfile.
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

# The identity vocabulary's tables are generated from its data file; when the
# generator rewrites them (exit 2) the harness is compiled again with the new table.
harness/dist/.built: node_modules/.installed $(HARNESS_SRC) harness/tsconfig.json bench/tsconfig.json assembly/identity/vocabulary.json
	npx tsc -p harness/tsconfig.json
	@node harness/dist/build/vocabulary.js || { [ $$? -eq 2 ] && npx tsc -p harness/tsconfig.json; }
	npx tsc -p bench/tsconfig.json
	@touch $@

build-harness: harness/dist/.built

# Each policy's outputs (four core modules, the annotated module, the component and its JS) depend on its own sources and the SDK.
# Secondary expansion: a policy depends on its own build-options.json only (when it has one).
.SECONDEXPANSION:
policies/%/build/policy.wasm: policies/%/*.ts $$(wildcard policies/$$*/build-options.json) policies/%/metadata.yml policies/%/README.md $(SDK_SRC) assembly/identity/vocabulary.json asconfig.json wit/policy.wit harness/dist/.built
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

# The registry tests run Debian's distribution registry (and htpasswd for basic auth).
registry-tool:
	@if [ -z "$$IDGOV_REGISTRY" ] && { ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; }; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing docker-registry and apache2-utils (registry tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry apache2-utils >/dev/null || exit 1; \
	  else \
	    echo "make test needs a local OCI registry: run 'sudo apt-get install docker-registry apache2-utils' (or set IDGOV_REGISTRY=host:port)" >&2; exit 1; \
	  fi; \
	fi

# Type-check everything that runs on Node (tests included: tsconfig.json), then
# lint and format-check all TypeScript and AssemblyScript (eslint.config.mjs).
lint: build-harness
	npx tsc -p tsconfig.json
	npx eslint .

format: install
	npx eslint --fix .

test: build lint playground registry-tool browser-tool
	@rm -f .vitest-results.json
	@npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json; \
	  status=$$?; echo "policy test suites (idgov test): JUnit report in test-results/idgov-suites.xml"; \
	  node .ci/summary.mjs .vitest-results.json; exit $$status

# The long runs of the reliability suites (docs/reliability.md records their figures).
FUZZ_TESTS := harness/test/mutations.test.ts harness/test/stability.test.ts harness/test/settings-schema.test.ts policies/identity-assurance/tests/reliability.test.ts
fuzz: build
	@mkdir -p test-results
	IDGOV_FUZZ_RUNS=10000 IDGOV_STABILITY_EVALUATIONS=100000 IDGOV_STABILITY_CYCLES=1000 IDGOV_STABILITY_RECORD=docs/reliability-stability.json IDGOV_FUZZ_SCALE=1 \
	  npx vitest run --testTimeout=1800000 $(FUZZ_TESTS) 2>&1 | tee test-results/fuzz.log

demo: build
	@node harness/dist/demo.js

bench: build
	@node harness/bin/idgov.js bench --project

# Each policy is pushed as <REGISTRY>/<name>:v<io.kubewarden.policy.version>; its manifest uses
# the policy's example settings (test_data/settings-recommended.yaml, else test_data/settings.yaml).
IDGOV := node harness/bin/idgov.js
# stdout carries only the manifests (build logs go to stderr), so `make -s publish … > policies.yaml` works.
publish:
	@test -n "$(REGISTRY)" || { echo "usage: make publish REGISTRY=host[:port]/path [PUBLISH_FLAGS='--insecure | --ca-cert ca.pem | --docker-config config.json']" >&2; exit 2; }
	@$(MAKE) -s build >&2
	@for p in $(POLICIES); do \
	  name=$$(basename $$p); module=$$p/build/annotated-policy.wasm; \
	  version=$$($(IDGOV) inspect $$module -o json | node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).metadata.annotations["io.kubewarden.policy.version"]))') || exit 1; \
	  ref=$$($(IDGOV) push $$module registry://$(REGISTRY)/$$name:v$$version $(PUBLISH_FLAGS)) || exit 1; \
	  settings=$$(ls $$p/test_data/settings-recommended.yaml $$p/test_data/settings.yaml 2>/dev/null | head -1); \
	  echo "---"; \
	  $(IDGOV) scaffold manifest -t ClusterAdmissionPolicy registry://$$ref $${settings:+--settings $$settings} $(PUBLISH_FLAGS) || exit 1; \
	done

bench-serve: build
	@node harness/dist/bench/serve-load.js

clean:
	rm -rf harness/dist bench/dist policies/*/build playground/build .vitest-results.json test-results
