// The /metadata cache (service/metadata_cache.h) behind the DICOM JSON renderer of dicomweb/:
// answers equal to the uncached path for the pydicom corpus, invalidation by the index,
// rebuilding of damaged entries, encryption at rest and the size bound.
#include "service/metadata_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "crypto/system_random.h"
#include "dicomweb/handlers.h"
#include "service/delete_service.h"
#include "service/metadata_warmer.h"
#include "service/service_fixture.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/testing/memory_key_vault.h"

namespace arca::dicomweb {
namespace {

using service::corpus_file;
using service::kCorpus;

class CapturingLogger final : public Logger {
 public:
  void log(LogLevel, std::string_view m) override {
    std::lock_guard lock(mu);
    lines.emplace_back(m);
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

class MetadataCacheTest : public service::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    crypto::StaticKeyProvider provider(SecretBytes(system_random_.bytes(32)));
    keys_ = store::KeyHierarchy::create(provider, vault_, system_random_).value();
    encrypted_ = std::make_unique<store::EncryptedBlobStore>(cache_inner_, *keys_, system_random_);
    make_cache({});
  }

  void make_cache(service::MetadataCacheOptions options) {
    cache_ = std::make_unique<service::MetadataCache>(*encrypted_, cache_log_, options);
    cached_ = std::make_unique<service::RetrieveService>(
        service::RetrieveDeps{faulty_, *index_, audit_, clock_, logger_, cache_.get()});
  }

  service::StoreOutcome store(const Bytes& bytes) {
    auto r = ingest_->store(operator_ctx(), bytes);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? r.value() : service::StoreOutcome{};
  }

  // The /metadata body of a study (or one series) through `retrieve`, counting renders.
  std::string body(service::RetrieveService& retrieve, const StudyUid& study,
                   const SeriesUid& series = SeriesUid()) {
    service::RetrieveScope scope;
    scope.level = series.empty() ? service::RetrieveLevel::kStudy : service::RetrieveLevel::kSeries;
    scope.studies.push_back(study);
    if (!series.empty())
      scope.series.push_back(series);
    auto plan = retrieve.plan(operator_ctx(), scope);
    EXPECT_TRUE(plan.ok());
    service::MetadataRenderer json = json_renderer();
    service::MetadataRenderer counting{json.kind, [&](service::OpenedInstance& o) {
                                         ++renders_;
                                         return json.render(o);
                                       }};
    auto texts = retrieve.metadata(operator_ctx(), plan.value(), counting);
    EXPECT_TRUE(texts.ok()) << (texts.ok() ? "" : texts.error().to_string());
    std::string out = "[";
    for (const std::string& t : texts.ok() ? texts.value() : std::vector<std::string>{})
      out += (out.size() > 1 ? "," : "") + t;
    return out + "]";
  }

  std::vector<store::BlobId> entries() {
    std::vector<store::BlobId> ids;
    EXPECT_TRUE(cache_inner_
                    .list([&](const store::BlobInfo& info) -> Result<void> {
                      ids.push_back(info.id);
                      return ok();
                    })
                    .ok());
    return ids;
  }

  crypto::SystemRandom system_random_;
  store::MemoryKeyVault vault_;
  std::unique_ptr<store::KeyHierarchy> keys_;
  store::MemoryBlobStore cache_inner_;
  std::unique_ptr<store::EncryptedBlobStore> encrypted_;
  CapturingLogger cache_log_;
  std::unique_ptr<service::MetadataCache> cache_;
  std::unique_ptr<service::RetrieveService> cached_;
  int renders_ = 0;
};

TEST_F(MetadataCacheTest, CacheAnswersEqualTheUncachedPathForTheWholeCorpus) {
  std::set<std::string> studies;
  std::set<std::string> stored_instances;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kCorpus)) {
    if (!entry.is_regular_file())
      continue;
    auto bytes = read_file(entry.path(), 64 << 20);
    if (!bytes.ok())
      continue;
    auto stored = ingest_->store(operator_ctx(), bytes.value());
    if (stored.ok()) {
      studies.insert(stored->study.str());
      stored_instances.insert(stored->instance.str());
    }
  }
  ASSERT_GT(studies.size(), 10u);
  ASSERT_GT(stored_instances.size(), 40u);
  std::size_t instances = 0;
  for (const std::string& uid : studies) {
    const StudyUid study(uid);
    std::string uncached = body(*retrieve_, study);
    renders_ = 0;
    std::string cold = body(*cached_, study);
    const int cold_renders = renders_;
    renders_ = 0;
    std::string warm = body(*cached_, study);
    EXPECT_EQ(cold, uncached) << uid;
    EXPECT_EQ(warm, uncached) << uid;
    EXPECT_EQ(renders_, 0) << uid << ": a warm request rendered again";
    instances += static_cast<std::size_t>(cold_renders);
  }
  EXPECT_EQ(instances, stored_instances.size());  // each rendered once, when cold
  EXPECT_FALSE(entries().empty());
}

TEST_F(MetadataCacheTest, ANewInstanceInTheSeriesIsNoticedAndOnlyItIsRendered) {
  Bytes ct = corpus_file("CT_small.dcm");
  service::StoreOutcome first = store(ct);
  std::string before = body(*cached_, first.study);
  renders_ = 0;
  const std::string uid = first.instance.str();
  std::string other_uid = uid;
  other_uid.back() = other_uid.back() == '9' ? '8' : '9';
  service::StoreOutcome second = store(service::replace_all(ct, uid, other_uid));
  ASSERT_EQ(second.study, first.study);
  std::string after = body(*cached_, first.study);
  EXPECT_EQ(renders_, 1);
  EXPECT_EQ(after, body(*retrieve_, first.study));
  EXPECT_NE(after, before);
  EXPECT_NE(after.find(other_uid), std::string::npos);
  renders_ = 0;
  body(*cached_, first.study);
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetadataCacheTest, ARemovedInstanceIsNoLongerServed) {
  Bytes ct = corpus_file("CT_small.dcm");
  service::StoreOutcome first = store(ct);
  std::string other_uid = first.instance.str();
  other_uid.back() = other_uid.back() == '9' ? '8' : '9';
  store(service::replace_all(ct, first.instance.str(), other_uid));
  body(*cached_, first.study);  // cached with both
  auto tx = index_->begin().value();
  ASSERT_TRUE(tx->remove_instance(default_tenant(), InstanceUid(other_uid)).ok());
  ASSERT_TRUE(tx->commit().ok());
  renders_ = 0;
  std::string after = body(*cached_, first.study);
  EXPECT_EQ(renders_, 0);  // the remaining instance still comes from the entry
  EXPECT_EQ(after.find(other_uid), std::string::npos);
  EXPECT_EQ(after, body(*retrieve_, first.study));
}

TEST_F(MetadataCacheTest, ADamagedEntryIsRebuiltAndLoggedWithoutPhi) {
  service::StoreOutcome stored = store(corpus_file("MR_small.dcm"));
  std::string expected = body(*cached_, stored.study);
  ASSERT_EQ(entries().size(), 1u);
  Bytes* raw = cache_inner_.raw(entries().front());
  (*raw)[raw->size() / 2] ^= 0x40;
  renders_ = 0;
  EXPECT_EQ(body(*cached_, stored.study), expected);
  EXPECT_EQ(renders_, 1);
  ASSERT_FALSE(cache_log_.lines.empty());
  for (const std::string& line : cache_log_.lines) {
    EXPECT_NE(line.find("rebuilding"), std::string::npos) << line;
    EXPECT_EQ(line.find("CompressedSamples"), std::string::npos) << line;
    EXPECT_EQ(line.find(stored.study.str()), std::string::npos) << line;
  }
  renders_ = 0;
  EXPECT_EQ(body(*cached_, stored.study), expected);
  EXPECT_EQ(renders_, 0);  // rewritten
  // Truncated to nothing, and a foreign entry under the id: rebuilt the same way.
  cache_inner_.raw(entries().front())->resize(10);
  EXPECT_EQ(body(*cached_, stored.study), expected);
}

TEST_F(MetadataCacheTest, DeletingAStudyRemovesItsEntries) {
  make_cache({std::uint64_t{1} << 20, {std::string(json_renderer().kind)}});
  service::StoreOutcome ct = store(corpus_file("CT_small.dcm"));
  service::StoreOutcome mr = store(corpus_file("MR_small.dcm"));
  body(*cached_, ct.study);
  body(*cached_, mr.study);
  ASSERT_EQ(entries().size(), 2u);
  service::DeleteService deletion(
      service::DeleteDeps{faulty_, *index_, audit_, clock_, logger_, cache_.get()});
  ASSERT_TRUE(deletion.delete_study(operator_ctx(), ct.study).ok());
  ASSERT_EQ(entries().size(), 1u);  // only the other study's entry is left
  renders_ = 0;
  body(*cached_, mr.study);
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetadataCacheTest, EntriesAreEncryptedAtRest) {
  service::StoreOutcome stored = store(corpus_file("CT_small.dcm"));
  std::string json = body(*cached_, stored.study);
  ASSERT_NE(json.find("CompressedSamples^CT1"), std::string::npos);
  ASSERT_EQ(entries().size(), 1u);
  const Bytes& raw = *cache_inner_.raw(entries().front());
  const std::string text(raw.begin(), raw.end());
  for (std::string needle : {"CompressedSamples", "1CT1", stored.instance.str().c_str(), "Value"})
    EXPECT_EQ(text.find(needle), std::string::npos) << needle;
}

TEST_F(MetadataCacheTest, InstanceLevelUsesTheEntryWithoutBuildingOne) {
  service::StoreOutcome stored = store(corpus_file("CT_small.dcm"));
  service::RetrieveScope scope;
  scope.level = service::RetrieveLevel::kInstance;
  scope.instances.push_back(stored.instance);
  auto plan = cached_->plan(operator_ctx(), scope).value();
  auto one = cached_->metadata(operator_ctx(), plan, json_renderer()).value();
  EXPECT_TRUE(entries().empty());
  std::string study = body(*cached_, stored.study);
  EXPECT_EQ("[" + one.front() + "]", study);
  EXPECT_EQ(cached_->metadata(operator_ctx(), plan, json_renderer()).value(), one);
}

TEST_F(MetadataCacheTest, OneAuditedRetrievePerRequest) {
  service::StoreOutcome stored = store(corpus_file("CT_small.dcm"));
  const std::size_t before = audit_.events.size();
  body(*cached_, stored.study);
  ASSERT_EQ(audit_.events.size(), before + 1);
  const audit::AuditEvent& e = audit_.events.back();
  EXPECT_EQ(e.action, AuditAction::kRetrieve);
  EXPECT_EQ(e.studies, std::vector<StudyUid>{stored.study});
  EXPECT_EQ(e.instances, std::vector<InstanceUid>{stored.instance});
  audit_.fail = true;  // fail closed
  service::RetrieveScope scope;
  scope.studies.push_back(stored.study);
  auto plan = cached_->plan(operator_ctx(), scope).value();
  EXPECT_FALSE(cached_->metadata(operator_ctx(), plan, json_renderer()).ok());
}

TEST_F(MetadataCacheTest, TheCacheStaysWithinItsBound) {
  make_cache({std::uint64_t{64} << 10, {}});  // entries of a quarter of that at most
  std::vector<StudyUid> studies;
  for (const char* f : {"CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "693_J2KI.dcm",
                        "JPEG-lossy.dcm", "ExplVR_BigEnd.dcm", "GDCMJ2K_TextGBR.dcm"}) {
    studies.push_back(store(corpus_file(f)).study);
    body(*cached_, studies.back());
    EXPECT_LE(cache_->accounted_bytes(), std::uint64_t{64} << 10) << f;
  }
  std::uint64_t stored = 0;
  for (const auto& id : entries())
    stored += cache_inner_.raw(id)->size();
  EXPECT_LE(stored, std::uint64_t{80} << 10);  // plaintext accounted; ciphertext a little more
  for (const StudyUid& study : studies)
    EXPECT_EQ(body(*cached_, study), body(*retrieve_, study));
}

TEST_F(MetadataCacheTest, IngestWarmsTheCacheInTheBackground) {
  service::MetadataWarmer warmer({*index_, faulty_, *cache_, logger_}, json_renderer(),
                                 {std::chrono::milliseconds(0), 100});
  service::IngestService ingest(
      service::IngestDeps{faulty_, *index_, refs_, audit_, random_, clock_, logger_, &warmer},
      service::IngestOptions{});
  Bytes ct = corpus_file("CT_small.dcm");
  auto stored = ingest.store(operator_ctx(), ct);
  ASSERT_TRUE(stored.ok());
  for (int i = 0; i < 500 && warmer.built() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(warmer.built(), 1u);
  EXPECT_EQ(entries().size(), 1u);
  renders_ = 0;
  EXPECT_EQ(body(*cached_, stored->study), body(*retrieve_, stored->study));
  EXPECT_GT(renders_, 0);  // the uncached reference rendered...
  renders_ = 0;
  body(*cached_, stored->study);
  EXPECT_EQ(renders_, 0);  // ...the cached path did not, before and after
}

}  // namespace
}  // namespace arca::dicomweb
