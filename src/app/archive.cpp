#include "app/archive.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "app/archive_lock.h"
#include "app/backup_storage.h"
#include "app/data_layout.h"
#include "audit/chained_recorder.h"
#include "audit/syslog_tls.h"
#include "crypto/key_provider.h"
#include "crypto/system_random.h"
#include "dicomweb/handlers.h"
#include "service/archive_maintenance.h"
#include "service/audit_reconcile.h"
#include "service/metadata_warmer.h"
#include "service/store_recovery.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/encrypted/journaled_audit_log.h"
#include "store/encrypted/key_hierarchy.h"
#include "store/fs/fs_blob_store.h"
#include "store/fs/layered_blob_store.h"
#include "store/fs/pack_blob_store.h"
#include "store/sqlite/sqlite_account_store.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_index.h"
#include "store/sqlite/sqlite_key_vault.h"
#include "store/sqlite/sqlite_peer_registry.h"

namespace arca::app {

namespace fs = std::filesystem;

namespace {

class HierarchyPatientRefs final : public service::PatientRefs {
 public:
  explicit HierarchyPatientRefs(const store::KeyHierarchy& keys) : keys_(keys) {}
  PatientRef ref(const TenantId& tenant, std::string_view issuer,
                 std::string_view patient_id) const override {
    return keys_.patient_ref(tenant, issuer, patient_id);
  }

 private:
  const store::KeyHierarchy& keys_;
};

// Referring physicians' studies by ReferringPhysicianName, for tenants that match on it.
class IndexReferringStudies final : public auth::ReferringStudies {
 public:
  explicit IndexReferringStudies(store::Index& index) : index_(index) {}
  Result<std::set<std::string>> studies_referred_to(const TenantId& tenant,
                                                    const std::string& name) override {
    Query q;
    q.level = QueryLevel::kStudy;
    Matcher m;
    m.attribute = QueryAttribute::kReferringPhysicianName;
    m.kind = MatchKind::kSingleValue;
    m.values = {name};
    q.matchers.push_back(std::move(m));
    std::set<std::string> out;
    for (const QueryRow& row : ARCA_TRY(index_.query(tenant, q)))
      out.insert(row.attributes.study.study_uid.str());
    return out;
  }

 private:
  store::Index& index_;
};

Result<void> make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(ErrorCode::kIo, "create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  return ok();
}

// Passes stored instances on to a listener set later (or drops them while there is none).
class ForwardingStoredListener final : public service::StoredListener {
 public:
  void stored(const store::StoredInstance& row) override {
    if (service::StoredListener* t = target.load())
      t->stored(row);
  }
  std::atomic<service::StoredListener*> target{nullptr};
};

}  // namespace

struct Archive::Parts {
  Config config;
  Logger& logger;
  std::optional<ArchiveLock> lock;
  SystemClock clock;
  crypto::SystemRandom random;
  std::unique_ptr<crypto::FileKeyProvider> key_provider;
  std::unique_ptr<store::SqliteKeyVault> vault;
  std::unique_ptr<store::KeyHierarchy> keys;
  std::unique_ptr<HierarchyPatientRefs> patient_refs;
  std::unique_ptr<store::SqliteIndex> index;
  std::unique_ptr<store::SqlitePeerRegistry> peers;
  std::unique_ptr<store::SqliteAccountStore> account_store;
  SecretBytes account_key;
  std::unique_ptr<IndexReferringStudies> referring;
  std::unique_ptr<auth::Accounts> accounts;
  std::unique_ptr<service::AccountService> account_service;
  std::unique_ptr<service::PeerAdmin> peer_admin;
  std::unique_ptr<service::AuditSearch> audit_search;
  // The objects live in pack files (docs/adr/0015); an archive written before packs keeps its
  // FsBlobStore files readable under a layer.
  std::unique_ptr<store::PackBlobStore> pack_blobs;
  std::unique_ptr<store::FsBlobStore> legacy_blobs;
  std::unique_ptr<store::LayeredBlobStore> layered_blobs;
  store::BlobStore* stored_blobs = nullptr;  // pack_blobs, or layered_blobs over legacy files
  std::unique_ptr<store::EncryptedBlobStore> encrypted_blobs;
  store::BlobStore* blobs = nullptr;  // the encrypted decorator, or (benchmarks only) stored_blobs
  // The /metadata cache: derived data in a store of its own (docs/formats/metadata-cache.md),
  // so the orphan sweep of `blobs` never sees it; encrypted like `blobs`.
  std::unique_ptr<store::FsBlobStore> fs_cache;
  std::unique_ptr<store::EncryptedBlobStore> encrypted_cache;
  std::unique_ptr<service::MetadataCache> metadata_cache;
  // Ingest tells this slot about stored instances; `serve` points it at the warmer.
  ForwardingStoredListener stored_slot;
  std::unique_ptr<service::MetadataWarmer> metadata_warmer;
  std::unique_ptr<store::SqliteAuditLog> sqlite_audit_log;
  // With a sync interval, appends commit to the encrypted journal in front of audit.db
  // (docs/adr/0017); `audit_log` is that journal, or audit.db itself.
  std::unique_ptr<store::JournaledAuditLog> journaled_audit_log;
  store::AuditLog* audit_log = nullptr;
  std::optional<audit::CheckpointSigner> audit_signer;
  std::unique_ptr<audit::ChainedAuditRecorder> chained_audit;
  std::unique_ptr<audit::AuditRecorder> audit_decorator;  // fail-open alert, or benchmark off
  audit::AuditRecorder* recorder = nullptr;               // what the services record to
  std::unique_ptr<audit::TlsSyslogConnector> syslog_connector;
  // Destroyed before the recorder and the log: its last send happens while they are open.
  std::unique_ptr<audit::SyslogForwarder> syslog_forwarder;
  std::unique_ptr<service::IngestService> ingest;
  std::unique_ptr<service::RetrieveService> retrieve;
  std::unique_ptr<service::QueryService> query;
  std::unique_ptr<service::DocumentService> documents;
  std::unique_ptr<service::DeleteService> deletion;
  std::unique_ptr<ArchiveBackupStorage> backup_storage;
  SecretBytes backup_key;
  std::unique_ptr<service::BackupService> backups;

  Parts(Config c, Logger& l) : config(std::move(c)), logger(l) {}

  Result<void> open_stores() {
    ARCA_TRY(make_private_dir(config.data_dir));
    lock.emplace(ARCA_TRY(ArchiveLock::acquire(config.data_dir)));
    key_provider = std::make_unique<crypto::FileKeyProvider>(config.key_file, random);
    SecretBytes root = ARCA_TRY(key_provider->root_key());
    ARCA_TRY(make_private_dir(config.data_dir / "keys"));
    vault = ARCA_TRY(store::SqliteKeyVault::open(
        vault_file(config.data_dir),
        ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kVault))));
    keys = ARCA_TRY(store::KeyHierarchy::create(*key_provider, *vault, random));
    patient_refs = std::make_unique<HierarchyPatientRefs>(*keys);
    SecretBytes index_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kIndex));
    index = ARCA_TRY(store::SqliteIndex::open(index_file(config.data_dir), index_key.clone()));
    peers =
        ARCA_TRY(store::SqlitePeerRegistry::open(index_file(config.data_dir), index_key.clone()));
    account_store =
        ARCA_TRY(store::SqliteAccountStore::open(index_file(config.data_dir), index_key.clone()));
    account_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kAccounts));
    // The trail has a file of its own (docs/adr/0014); an older archive's trail is moved out of
    // the index first.
    sqlite_audit_log = ARCA_TRY(store::SqliteAuditLog::open(
        audit_file(config.data_dir),
        ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kAuditLog))));
    const std::uint64_t moved =
        ARCA_TRY(sqlite_audit_log->adopt_index_records(index_file(config.data_dir), index_key));
    if (moved > 0) {
      logger.info("audit: moved " + std::to_string(moved) + " records from index.db to audit.db");
    }
    ARCA_TRY(open_audit_journal(root));
    audit_signer.emplace(ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kAuditMac)));
    backup_key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kBackup));
    backup_storage =
        ARCA_TRY(ArchiveBackupStorage::create(config.data_dir, root, keys.get(), random));
    ARCA_TRY(open_object_stores());
    if (config.storage.encrypt) {
      encrypted_blobs = std::make_unique<store::EncryptedBlobStore>(*stored_blobs, *keys, random);
      blobs = encrypted_blobs.get();
    } else {
      logger.warn(
          "blob encryption is OFF (benchmark-only configuration): never store patient data");
      blobs = stored_blobs;
    }
    ARCA_TRY(make_private_dir(config.data_dir / "cache"));
    fs_cache = ARCA_TRY(store::FsBlobStore::open(config.data_dir / "cache" / "metadata"));
    (void)ARCA_TRY(fs_cache->remove_incomplete());
    store::BlobStore* cache_blobs = fs_cache.get();
    if (config.storage.encrypt) {
      encrypted_cache = std::make_unique<store::EncryptedBlobStore>(*fs_cache, *keys, random);
      cache_blobs = encrypted_cache.get();
    }
    metadata_cache = std::make_unique<service::MetadataCache>(
        *cache_blobs, logger,
        service::MetadataCacheOptions{static_cast<std::uint64_t>(config.storage.metadata_cache_mb)
                                          << 20,
                                      {std::string(dicomweb::json_renderer().kind)}});
    return ok();
  }

  // Records a previous process committed to the journal but not to audit.db are replayed first,
  // whatever this process does next.
  Result<void> open_audit_journal(const SecretBytes& root) {
    SecretBytes key = ARCA_TRY(crypto::derive_key(root, crypto::KeyPurpose::kAuditJournal));
    store::JournaledAuditLogOptions options;
    options.file = config.data_dir / "audit.journal";
    if (config.audit.sync_interval_ms == 0) {
      (void)ARCA_TRY(
          store::JournaledAuditLog::replay(*sqlite_audit_log, options.file, key, logger));
      audit_log = sqlite_audit_log.get();
      return ok();
    }
    journaled_audit_log = ARCA_TRY(store::JournaledAuditLog::open(
        store::JournaledAuditLogDeps{*sqlite_audit_log, random, logger}, std::move(key), options));
    audit_log = journaled_audit_log.get();
    return ok();
  }

  Result<void> open_object_stores() {
    const std::filesystem::path root = config.data_dir / "blobs";
    std::error_code ec;
    const bool legacy = std::filesystem::is_directory(root / "objects", ec);
    pack_blobs = ARCA_TRY(store::PackBlobStore::open(root));
    stored_blobs = pack_blobs.get();
    if (legacy) {
      legacy_blobs = ARCA_TRY(store::FsBlobStore::open(root));
      layered_blobs = std::make_unique<store::LayeredBlobStore>(*pack_blobs, *legacy_blobs);
      stored_blobs = layered_blobs.get();
    }
    return ok();
  }

  Result<void> open_audit() {
    audit::ChainedRecorderOptions options;
    options.checkpoint_records = static_cast<std::uint64_t>(config.audit.checkpoint_records);
    options.checkpoint_interval = std::chrono::seconds(config.audit.checkpoint_interval_s);
    options.sync_interval = std::chrono::milliseconds(config.audit.sync_interval_ms);
    chained_audit = ARCA_TRY(audit::ChainedAuditRecorder::open(
        audit::ChainedRecorderDeps{*audit_log, clock, logger}, audit_signer->clone(), options));
    recorder = chained_audit.get();
    if (!config.audit.enabled) {
      logger.warn("audit is OFF (benchmark-only configuration): never serve patient data");
      audit_decorator = std::make_unique<audit::DisabledAuditRecorder>();
      recorder = audit_decorator.get();
    } else if (config.audit.on_failure == AuditConfig::OnFailure::kAlert) {
      audit_decorator = std::make_unique<audit::AlertingAuditRecorder>(*chained_audit, logger);
      recorder = audit_decorator.get();
    } else if (!config.audit.fail_open_tenants.empty()) {
      std::set<std::string> tenants(config.audit.fail_open_tenants.begin(),
                                    config.audit.fail_open_tenants.end());
      audit_decorator =
          std::make_unique<audit::AlertingAuditRecorder>(*chained_audit, logger, tenants);
      recorder = audit_decorator.get();
    }
    if (!config.audit.syslog_host.empty()) {
      syslog_connector = ARCA_TRY(audit::TlsSyslogConnector::create(
          {config.audit.syslog_host, config.audit.syslog_port, config.audit.syslog_ca_file}));
      audit::SyslogForwarderOptions o;
      o.cursor_file = config.data_dir / "audit-syslog.cursor";
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      o.hostname = host;
      syslog_forwarder =
          std::make_unique<audit::SyslogForwarder>(*audit_log, *syslog_connector, logger, o);
    }
    return ok();
  }

  void wire_services() {
    service::IngestOptions options;
    options.conflict_policy = config.storage.conflict_policy;
    if (!config.storage.encrypt)
      options.digest = service::IngestOptions::Digest::kNever;
    // Stores are recorded by the group committer right after its commit, under the chain's turn.
    audit::TransactionalAuditRecorder* in_transaction =
        config.audit.enabled ? chained_audit.get() : nullptr;
    ingest = std::make_unique<service::IngestService>(
        service::IngestDeps{*blobs, *index, *patient_refs, *recorder, random, clock, logger,
                            &stored_slot, in_transaction},
        options);
    retrieve = std::make_unique<service::RetrieveService>(
        service::RetrieveDeps{*blobs, *index, *recorder, clock, logger, metadata_cache.get()});
    query = std::make_unique<service::QueryService>(
        service::QueryDeps{*index, *recorder, clock, logger});
    documents = std::make_unique<service::DocumentService>(
        service::DocumentDeps{*retrieve, *ingest, *recorder, random, clock, logger},
        service::DocumentOptions{});
    deletion = std::make_unique<service::DeleteService>(
        service::DeleteDeps{*blobs, *index, *recorder, clock, logger, metadata_cache.get()});
    referring = std::make_unique<IndexReferringStudies>(*index);
    accounts = std::make_unique<auth::Accounts>(
        *account_store, clock, random, std::move(account_key), config.auth, referring.get());
    account_service = std::make_unique<service::AccountService>(
        service::AccountDeps{*accounts, *recorder, clock, logger});
    peer_admin = std::make_unique<service::PeerAdmin>(
        service::PeerAdminDeps{*peers, *account_store, *recorder, clock, logger});
    audit_search = std::make_unique<service::AuditSearch>(service::AuditSearchDeps{
        *audit_log, *patient_refs, *recorder, clock, logger, config.dicom.aet});
    backups = std::make_unique<service::BackupService>(service::BackupDeps{
        *backup_storage, *stored_blobs, *audit_log, *recorder, clock, logger, backup_key});
  }
};

Result<std::unique_ptr<Archive>> Archive::open(const Config& config, Logger& logger) {
  auto parts = std::make_unique<Parts>(config, logger);
  ARCA_TRY(parts->open_stores());
  ARCA_TRY(parts->open_audit());
  // Before anything is served: rows a crash left whose blob never reached the disk, then blobs
  // no row names (docs/adr/0023).
  (void)ARCA_TRY(service::recover_unsynced_stores(
      service::UnsyncedRecoveryDeps{*parts->index, *parts->blobs, *parts->stored_blobs,
                                    *parts->recorder, parts->clock, logger},
      parts->pack_blobs->unverified(), parts->pack_blobs->newest_commit_ms()));
  ARCA_TRY(parts->pack_blobs->confirm_unverified());
  ARCA_TRY(service::sweep_orphans(*parts->blobs, *parts->index, logger));
  if (config.audit.enabled) {
    // Before anything is served: stores a crash left without their audit record.
    (void)ARCA_TRY(service::reconcile_store_records(service::ReconcileDeps{
        *parts->index, *parts->audit_log, *parts->chained_audit, parts->clock, logger}));
  }
  parts->wire_services();
  ARCA_TRY(parts->accounts->ensure_default_tenant());
  return std::unique_ptr<Archive>(new Archive(std::move(parts)));
}

Archive::Archive(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Archive::~Archive() = default;

service::IngestService& Archive::ingest() {
  return *parts_->ingest;
}
void Archive::warm_metadata_after_ingest() {
  if (parts_->metadata_warmer || parts_->config.storage.metadata_cache_mb == 0)
    return;
  parts_->metadata_warmer = std::make_unique<service::MetadataWarmer>(
      service::MetadataWarmerDeps{*parts_->index, *parts_->blobs, *parts_->metadata_cache,
                                  parts_->logger},
      dicomweb::json_renderer());
  parts_->stored_slot.target.store(parts_->metadata_warmer.get());
}

service::RetrieveService& Archive::retrieve() {
  return *parts_->retrieve;
}
service::QueryService& Archive::query() {
  return *parts_->query;
}
service::DocumentService& Archive::documents() {
  return *parts_->documents;
}
service::DeleteService& Archive::deletion() {
  return *parts_->deletion;
}
store::PeerRegistry& Archive::peers() {
  return *parts_->peers;
}
service::AuditSearch& Archive::audit_search() {
  return *parts_->audit_search;
}
service::PeerAdmin& Archive::peer_admin() {
  return *parts_->peer_admin;
}
service::AccountService& Archive::accounts() {
  return *parts_->account_service;
}
store::Index& Archive::index() {
  return *parts_->index;
}
store::BlobStore& Archive::blobs() {
  return *parts_->blobs;
}
store::AuditLog& Archive::audit_log() {
  return *parts_->audit_log;
}
audit::AuditRecorder& Archive::audit_recorder() {
  return *parts_->recorder;
}
const audit::CheckpointSigner& Archive::audit_signer() const {
  return *parts_->audit_signer;
}
const Config& Archive::config() const {
  return parts_->config;
}

service::BackupService& Archive::backups() {
  return *parts_->backups;
}
service::BackupStorage& Archive::backup_storage() {
  return *parts_->backup_storage;
}
const SecretBytes& Archive::backup_key() const {
  return parts_->backup_key;
}

Result<void> Archive::ready() {
  ARCA_TRY(parts_->index->references_blob(store::BlobId("00000000000000000000000000000000")));
  return ok();
}

}  // namespace arca::app
