// Archive: the concrete wiring of one Arca archive (data directory + root key) — key provider,
// key vault, index, peer registry, audit trail, blob stores, encryption decorator, ingest,
// retrieve and query services. The only
// place that knows which implementations are in use (STYLE rule 4).
// Opening takes the archive's exclusive lock and sweeps what a crash left behind.
// Thread-safety: the services it hands out are thread-safe.
#pragma once

#include <memory>

#include "app/config.h"
#include "audit/record_chain.h"
#include "audit/recorder.h"
#include "core/logger.h"
#include "service/account_service.h"
#include "service/audit_search.h"
#include "service/backup_service.h"
#include "service/delete_service.h"
#include "service/document_service.h"
#include "service/ingest_service.h"
#include "service/peer_admin.h"
#include "service/query_service.h"
#include "service/retrieve_service.h"
#include "store/audit_log.h"
#include "store/peer_registry.h"

namespace arca::app {

class Archive {
 public:
  static Result<std::unique_ptr<Archive>> open(const Config& config, Logger& logger);
  ~Archive();

  service::IngestService& ingest();
  service::RetrieveService& retrieve();
  // From now on, series that ingest touched get their /metadata cache entry built in the
  // background (service/metadata_warmer.h); `serve` turns this on, batch commands do not.
  void warm_metadata_after_ingest();
  service::QueryService& query();
  service::DocumentService& documents();
  service::DeleteService& deletion();
  store::PeerRegistry& peers();
  service::AccountService& accounts();
  service::PeerAdmin& peer_admin();
  service::AuditSearch& audit_search();
  store::Index& index();
  store::BlobStore& blobs();
  // The audit trail as stored, and the key that checks its checkpoints (`arca audit`).
  store::AuditLog& audit_log();
  // Where console commands record their own accesses (e.g. an audit export).
  audit::AuditRecorder& audit_recorder();
  const audit::CheckpointSigner& audit_signer() const;
  const Config& config() const;
  // Backups of this archive and the key vault export (docs/adr/0019-backup-and-restore.md).
  service::BackupService& backups();
  service::BackupStorage& backup_storage();
  const SecretBytes& backup_key() const;
  // Fails when a store is not usable (readiness probe).
  Result<void> ready();

 private:
  struct Parts;
  explicit Archive(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace arca::app
