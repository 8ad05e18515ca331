// The flags every subcommand that touches the archive accepts (DESIGN §7): --config,
// --data-dir, --key-file, --http-port, --bind, --dicom-port, --dicom-tls-port, --aet.
#pragma once

#include <CLI/CLI.hpp>

#include "app/config.h"

namespace arca::app {

void add_archive_flags(CLI::App* cmd, ConfigOverrides& o);

}  // namespace arca::app
