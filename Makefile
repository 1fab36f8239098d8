# vigil - the two commands of the README, and the rest.
#   make        build (installs missing Debian packages from deps/debian.txt first)
#   make test   build, then run every test through CTest
#   make demo   build, then run the main job on the embedded default store
#   make bench  build, then run the benchmarks and print their figures
#   make deps   install what is missing from deps/debian.txt
#   make asan   build and test under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz   build the libFuzzer targets and run each for FUZZ_SECONDS
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS ?= 2

.PHONY: all deps build test demo bench asan fuzz lint clean

all: build

deps:
	@./tools/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: build lint
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	@./tools/demo.sh $(BUILD)/vigil

bench: build
	@./bench/run.sh $(BUILD)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DVG_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DVG_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers
	@./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

lint:
	@./tools/lint.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
