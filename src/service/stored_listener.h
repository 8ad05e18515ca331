// StoredListener: told about each instance that ingest has just made visible (stored or
// replaced), after its index transaction committed, on the ingesting thread. Used to keep
// derived data (the /metadata cache) warm. stored() must return quickly and must not fail the
// ingest: it only queues work.
// Thread-safety: implementations must be thread-safe (many ingests run at once).
#pragma once

#include "store/index.h"

namespace arca::service {

class StoredListener {
 public:
  virtual ~StoredListener() = default;
  virtual void stored(const store::StoredInstance& row) = 0;
};

}  // namespace arca::service
