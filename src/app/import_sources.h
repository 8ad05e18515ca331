// What `arca import` reads: files, folders (recursively, in name order) and .zip archives
// (each entry read into memory, never unpacked to disk). Each item is reported under a display
// name (the path, or "archive.zip!entry") so the user can find the file a result refers to.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::app {

struct ImportItem {
  std::string name;     // for the user's eyes only: never logged
  Result<Bytes> bytes;  // the file's content, or why it could not be read
};

// Calls visit for every item under the given paths. An unreadable path or a damaged archive
// becomes an item whose bytes is an error; walking goes on. Items larger than max_bytes are
// reported as kTooLarge without being read.
void walk_import_paths(const std::vector<std::filesystem::path>& paths, std::size_t max_bytes,
                       const std::function<void(ImportItem)>& visit);

}  // namespace arca::app
