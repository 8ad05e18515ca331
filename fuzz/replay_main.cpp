// Without libFuzzer (GCC builds, CI): runs a fuzz target over every file of the seed folders
// given on the command line, plus deterministic mutations of each (truncations, bit flips,
// byte insertions), so the targets keep compiling and the seeds stay crash-free under ASan.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

void run(const Bytes& b) {
  LLVMFuzzerTestOneInput(b.data(), b.size());
}

void mutate_and_run(const Bytes& seed, std::mt19937& rng) {
  run(seed);
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, seed.size() / 2, seed.size() * 9 / 10}) {
    if (cut < seed.size())
      run(Bytes(seed.begin(), seed.begin() + static_cast<long>(cut)));
  }
  for (int i = 0; i < 64 && !seed.empty(); ++i) {
    Bytes m = seed;
    std::size_t pos = rng() % m.size();
    m[pos] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    if (i % 4 == 0)
      m.insert(m.begin() + static_cast<long>(pos), static_cast<std::uint8_t>(rng()));
    run(m);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::mt19937 rng(12345);
  std::size_t seeds = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(argv[i], ec)) {
      if (!e.is_regular_file() || e.file_size() > (8u << 20))
        continue;
      std::ifstream in(e.path(), std::ios::binary);
      Bytes seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      mutate_and_run(seed, rng);
      ++seeds;
    }
  }
  std::printf("replayed %zu seeds with mutations\n", seeds);
  return seeds > 0 ? 0 : 1;
}
