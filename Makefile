# Common tasks. Every target installs missing Debian packages first (cheap when present).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PY ?= /usr/bin/python3

.PHONY: all build deps run test unit-test e2e-test fuzz asan-e2e bench bench-registry bench-lake bench-runtime bench-serving bench-features bench-training-sets format clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts `plinth server` on embedded defaults (./plinth-data, 127.0.0.1:7070) with an example model.
run: build
	@scripts/run-example.sh

unit-test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e-test: build
	PLINTH_BIN=$(abspath $(BUILD_DIR))/src/plinth/plinth $(PY) -m pytest -q tests

# Parsers of untrusted input under libFuzzer (clang, ASan+UBSan) for a bounded time.
fuzz: deps
	@scripts/run-fuzz.sh

test: fuzz unit-test e2e-test

# The black-box suite against an AddressSanitizer + UBSan build of plinth (~1 h on 2 cores; not
# part of `make test`).
asan-e2e: deps
	@scripts/run-asan-e2e.sh

# Registry benchmark, then the lakehouse benchmark (Plinth vs DuckDB on the same table).
bench: bench-registry bench-lake bench-runtime bench-serving bench-features bench-training-sets

bench-registry: deps
	@scripts/run-bench.sh

bench-lake: deps
	@scripts/run-lake-bench.sh

bench-runtime: deps
	@scripts/run-runtime-bench.sh

bench-serving: deps
	@scripts/run-serving-bench.sh

# Feature store: online reads (in process and over HTTP), materialization, push-to-online.
bench-features: deps
	@scripts/run-features-bench.sh

# Training sets: point-in-time join vs DuckDB ASOF JOIN (1M labels x 10M feature rows).
bench-training-sets: deps
	@scripts/run-training-set-bench.sh

format:
	find src bench fuzz -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-rel
