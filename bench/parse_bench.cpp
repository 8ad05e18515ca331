// CPU cost of parse_part10 (validation + index attribute extraction) per instance.
// Run: build/bench/arca_parse_bench [--benchmark_filter=...]
// Objects: pydicom's CT_small.dcm, and the first instance of ARCA_BENCH_DATASET (a folder made
// by ../shared/bench/make-dataset.py: 512x512 16-bit CT, ~0.5 MB) when that is set.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "core/file.h"
#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"

namespace arca::dicom {
namespace {

namespace fs = std::filesystem;

Bytes load(const fs::path& path) {
  auto bytes = read_file(path, std::size_t{1} << 30);
  return bytes.ok() ? bytes.value() : Bytes{};
}

fs::path first_dataset_instance() {
  const char* dir = std::getenv("ARCA_BENCH_DATASET");
  if (dir == nullptr)
    return {};
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.path().extension() == ".dcm")
      return e.path();
  }
  return {};
}

void run(benchmark::State& state, const Bytes& object) {
  init_dcmtk();
  if (object.empty() || !parse_part10(object).ok()) {
    state.SkipWithError("object missing or not parseable");
    return;
  }
  for (auto _ : state) {
    auto parsed = parse_part10(object);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * object.size()));
}

void BM_ParseCtSmall(benchmark::State& state) {
  static const Bytes kObject =
      load("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");
  run(state, kObject);
}
BENCHMARK(BM_ParseCtSmall);

void BM_ParseBenchDatasetCt(benchmark::State& state) {
  static const Bytes kObject = load(first_dataset_instance());
  run(state, kObject);
}
BENCHMARK(BM_ParseBenchDatasetCt);

}  // namespace
}  // namespace arca::dicom

BENCHMARK_MAIN();
