// `arca serve`: opens the archive and serves it until SIGINT or SIGTERM.
#pragma once

#include <iosfwd>

#include "app/archive.h"
#include "core/random.h"

namespace arca::app {

int run_serve(Archive& archive, Logger& logger, Random& random, std::ostream& out);

// `arca routes`: the HTTPS route table serve would use, one JSON object per line —
// {"method", "path", "access": "public"|"signed_in"|"authenticated"|"permission",
// "permission", "audit"} — for the authorization matrix test and for operators.
int run_routes(Archive& archive, Random& random, std::ostream& out, std::ostream& err);

}  // namespace arca::app
