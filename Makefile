# The two commands (README): `make run` and `make test`. Both install what is missing
# (scripts/setup), build, and are safe to run again.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
export CCACHE_NOHASHDIR := true
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all setup build run test test-asan fuzz format format-check clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja: | setup
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@scripts/run-dev $(BUILD)/src/app/arca

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 600

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer (CI runs this too).
test-asan: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DARCA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) --timeout 900 -LE slow

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# libFuzzer runs of every fuzz target (clang), FUZZ_SECONDS each. Not part of `make test`.
FUZZ_SECONDS ?= 60
PYDICOM_FILES := /usr/lib/python3/dist-packages/pydicom/data/test_files
fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DARCA_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS) --target arca_fuzz_dicom_parse arca_fuzz_blob_header arca_fuzz_url arca_fuzz_query arca_fuzz_dicom_json \
	  arca_fuzz_redirect
	for t in dicom_parse blob_header url query dicom_json redirect; do \
	  seeds=fuzz/seeds/$$t; [ $$t = dicom_parse ] && seeds=$(PYDICOM_FILES); \
	  mkdir -p build-fuzz/corpus/$$t && \
	  build-fuzz/fuzz/arca_fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 \
	    build-fuzz/corpus/$$t $$seeds || exit 1; \
	done
