// `arca import PATH...`: stores files, folders and .zip archives through the ingest service.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <vector>

#include "app/archive.h"

namespace arca::app {

struct ImportOptions {
  std::vector<std::filesystem::path> paths;
  int jobs = 4;
  bool list =
      false;  // one line per file on stdout: "stored|duplicate|rejected|skipped\t<uid>\t<name>"
  bool json = false;  // summary as JSON on stdout
};

// Returns the process exit code: 0 if nothing was rejected, 1 otherwise.
int run_import(Archive& archive, const ImportOptions& options, std::ostream& out,
               std::ostream& err);

}  // namespace arca::app
