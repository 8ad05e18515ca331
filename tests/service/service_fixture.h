// A real ingest/retrieve stack for service tests: SqliteIndex in a temp dir, an in-memory blob
// store behind the fault-injecting wrapper, a recording audit sink, DICOM from the pydicom
// corpus that scripts/setup installs.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>

#include "core/file.h"
#include "crypto/hash.h"
#include "dicom/dcmtk_init.h"
#include "service/ingest_service.h"
#include "service/retrieve_service.h"
#include "store/sqlite/sqlite_index.h"
#include "store/testing/fault_injecting_blob_store.h"
#include "store/testing/memory_blob_store.h"
#include "test_dir.h"

namespace arca::service {

inline const char* kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";

inline Bytes corpus_file(const std::string& name) {
  auto bytes = read_file(std::string(kCorpus) + name, 64 << 20);
  EXPECT_TRUE(bytes.ok()) << name;
  return bytes.ok() ? bytes.value() : Bytes{};
}

// Replaces every occurrence of `from` with `to` (same length) in a Part-10 object, e.g. to
// derive a new SOP Instance UID without re-encoding.
inline Bytes replace_all(Bytes data, const std::string& from, const std::string& to) {
  EXPECT_EQ(from.size(), to.size());
  for (std::size_t i = 0; i + from.size() <= data.size(); ++i) {
    if (std::equal(from.begin(), from.end(), data.begin() + static_cast<long>(i))) {
      std::copy(to.begin(), to.end(), data.begin() + static_cast<long>(i));
    }
  }
  return data;
}

class FakePatientRefs final : public PatientRefs {
 public:
  PatientRef ref(const TenantId& tenant, std::string_view issuer,
                 std::string_view id) const override {
    std::string key = tenant.str() + "|" + std::string(issuer) + "|" + std::string(id);
    return PatientRef(to_hex(crypto::sha256(as_bytes(key))));
  }
};

class RecordingAudit final : public audit::AuditRecorder {
 public:
  Result<void> record(const audit::AuditEvent& e) override {
    if (fail)
      return make_error(ErrorCode::kOutOfSpace, "audit log full");
    std::lock_guard lock(mu);
    events.push_back(e);
    return ok();
  }
  std::atomic<bool> fail{false};  // every record() fails, as a full or locked audit log would
  std::mutex mu;
  std::vector<audit::AuditEvent> events;
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dicom::init_dcmtk();
    index_ = store::SqliteIndex::open(dir_.path() / "index.db", SecretBytes(Bytes(32, 7))).value();
    make_services(store::ConflictPolicy::kKeepFirst);
  }

  void make_services(store::ConflictPolicy policy) {
    retrieve_.reset();
    ingest_.reset();
    IngestOptions options;
    options.conflict_policy = policy;
    ingest_ = std::make_unique<IngestService>(
        IngestDeps{faulty_, *index_, refs_, audit_, random_, clock_, logger_}, options);
    retrieve_ =
        std::make_unique<RetrieveService>(RetrieveDeps{faulty_, *index_, audit_, clock_, logger_});
  }

  RequestContext operator_ctx() const {
    return {Principal::local_operator(default_tenant()), "test", "req-1"};
  }

  std::size_t blob_count() {
    std::size_t n = 0;
    EXPECT_TRUE(memory_
                    .list([&](const store::BlobInfo&) -> Result<void> {
                      ++n;
                      return ok();
                    })
                    .ok());
    return n;
  }

  test::TempDir dir_;
  std::unique_ptr<store::SqliteIndex> index_;
  store::MemoryBlobStore memory_;
  store::FaultInjectingBlobStore faulty_{memory_};
  FakePatientRefs refs_;
  RecordingAudit audit_;
  SeededRandom random_{42};
  ManualClock clock_{Clock::TimePoint(std::chrono::seconds(1'800'000'000))};
  NullLogger logger_;
  std::unique_ptr<IngestService> ingest_;
  std::unique_ptr<RetrieveService> retrieve_;
};

}  // namespace arca::service
