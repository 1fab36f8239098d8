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
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
JOBS ?= 2

.PHONY: all deps build test demo bench asan tsan fuzz lint clean

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

# ThreadSanitizer over the code that runs threads of its own: the scan pipeline (its workers and the
# caller share jobs through one mutex) and the index builder (a reader and an adder share batches; the
# file is written on two threads). The TAXII server's threads live in libmicrohttpd, which is not
# built with TSan, so its tests stay out (they would report the library's own synchronisation).
tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS) --target scan_test_scan scan_test_confirm scan_test_realdata match_test_index
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -R '^(scan/test_(scan|confirm|realdata)|match/test_index)$$'

fuzz: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DVG_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers
	@./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

lint:
	@./tools/lint.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(TSAN_BUILD)
