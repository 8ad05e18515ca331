// `arca serve`: opens the archive and serves it until SIGINT or SIGTERM.
#pragma once

#include <iosfwd>

#include "app/archive.h"
#include "core/random.h"

namespace arca::app {

int run_serve(Archive& archive, Logger& logger, Random& random, std::ostream& out);

}  // namespace arca::app
