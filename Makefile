# The two commands a new user types: `make demo` and `make test`. Each installs what is missing
# (scripts/install-deps), builds, and runs.

PRESET ?= dev
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc)

.PHONY: all deps build release demo test golden format lint clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja: CMakeLists.txt CMakePresets.json | deps
	cmake --preset $(PRESET) >/dev/null

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

release:
	$(MAKE) build PRESET=release

# Runs the whole pipeline on an example reseller in ./demo (replaced on every run).
demo: release
	rm -rf demo
	build/release/rebill demo demo

# Every test: unit, golden and CLI, under AddressSanitizer and UndefinedBehaviorSanitizer.
test: build
	ctest --preset $(PRESET)

golden: build
	ctest --preset $(PRESET) -L golden

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: deps
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build demo
