// `arca import PATH...`: stores files, folders and .zip archives through the ingest service.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <vector>

#include "app/archive.h"

namespace arca::app {

struct ImportOptions {
  std::vector<std::filesystem::path> paths;
  // Workers storing files at once. More than the cores: a worker mostly waits for its blob's
  // fdatasync and the index commit (bench/ingest.py: 4 → 8 workers, +26 % on 2 cores).
  int jobs = 8;
  // Files read but not stored yet (queued or being stored) hold at most this many bytes, plus
  // the one being read (one file alone may be larger): many workers keep the disk busy with
  // small objects, and a folder of large multi-frame objects does not sit in memory at once.
  std::uint64_t memory_budget = std::uint64_t{1} << 30;
  bool list =
      false;  // one line per file on stdout: "stored|duplicate|rejected|skipped\t<uid>\t<name>"
  bool json = false;  // summary as JSON on stdout
};

// Returns the process exit code: 0 if nothing was rejected, 1 otherwise.
int run_import(Archive& archive, const ImportOptions& options, std::ostream& out,
               std::ostream& err);

}  // namespace arca::app
