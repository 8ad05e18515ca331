// Single-instance WADO requests read the index once: the plan made from the path (which checks
// permission, tenant, study scope and that the instance sits in the study and series named)
// hands its record to RetrieveService::open_planned, which opens the blob and records the one
// audit event without looking the instance up again. Counted through a wrapper around the real
// SqliteIndex, over the real route table and dispatcher.
#include <gtest/gtest.h>

#include <string>

#include "dicomweb/routes.h"
#include "http/dispatcher.h"
#include "service/service_fixture.h"

namespace arca::dicomweb {
namespace {

// Forwards to a real index and counts the reads that find instances.
class CountingIndexReader final : public store::IndexReader {
 public:
  explicit CountingIndexReader(store::IndexReader& inner) : inner_(inner) {}
  Result<std::optional<store::StoredInstance>> find_instance(const TenantId& tenant,
                                                             const InstanceUid& uid) override {
    ++lookups;
    return inner_.find_instance(tenant, uid);
  }
  Result<std::vector<store::StoredInstance>> study_instances(const TenantId& tenant,
                                                             const StudyUid& study) override {
    ++lookups;
    return inner_.study_instances(tenant, study);
  }
  Result<std::vector<QueryRow>> query(const TenantId& tenant, const Query& query) override {
    ++lookups;
    return inner_.query(tenant, query);
  }
  Result<std::uint64_t> count(const TenantId& tenant, const Query& query) override {
    return inner_.count(tenant, query);
  }
  Result<void> for_each_instance(
      const std::function<Result<void>(const store::StoredInstance&)>& visit) override {
    return inner_.for_each_instance(visit);
  }
  Result<bool> references_blob(const store::BlobId& blob) override {
    return inner_.references_blob(blob);
  }
  Result<std::vector<store::StoredInstance>> instances_received_since(
      std::int64_t from_ms) override {
    return inner_.instances_received_since(from_ms);
  }
  int lookups = 0;

 private:
  store::IndexReader& inner_;
};

class StubAuthenticator final : public http::Authenticator {
 public:
  explicit StubAuthenticator(http::Principal principal) : principal_(std::move(principal)) {}
  Result<http::Principal> authenticate(const http::Request&) override { return principal_; }

 private:
  http::Principal principal_;
};

class WadoLookups : public service::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    Bytes ct = service::corpus_file("CT_small.dcm");
    stored_ = ingest_->store(operator_ctx(), ct).value();
    size_ = ct.size();
    counting_ = std::make_unique<CountingIndexReader>(*index_);
    counted_retrieve_ = std::make_unique<service::RetrieveService>(
        service::RetrieveDeps{faulty_, *counting_, audit_, clock_, logger_});
    query_ = std::make_unique<service::QueryService>(
        service::QueryDeps{*index_, audit_, clock_, logger_});
    ASSERT_TRUE(
        register_dicomweb_routes(router_, {*query_, *counted_retrieve_, *ingest_, random_}).ok());
  }

  std::string instance_path() const {
    return "/dicom-web/studies/" + stored_.study.str() + "/series/" + stored_.series.str() +
           "/instances/" + stored_.instance.str();
  }

  // Dispatches a GET as `tenant`'s reader and drains the body; returns status and body size.
  std::pair<int, std::size_t> get(const std::string& target, const std::string& accept,
                                  const std::string& tenant = "default") {
    StubAuthenticator reader(http::Principal::make("user:1", tenant, {Permission::kImageRead}));
    http::Dispatcher dispatcher(router_, reader);
    http::RequestInit init{http::Method::kGet, target, {}, "127.0.0.1", "rid", nullptr};
    if (!accept.empty())
      init.headers.set("Accept", accept);
    auto request = http::Request::create(std::move(init));
    EXPECT_TRUE(request.ok()) << target;
    http::Response response = dispatcher.dispatch(*request);
    if (!response.is_stream())
      return {response.status(), response.bytes().size()};
    std::size_t total = 0;
    Bytes buffer(64 * 1024);
    for (;;) {
      auto n = response.stream_body().source->read(buffer);
      EXPECT_TRUE(n.ok());
      if (!n.ok() || *n == 0)
        break;
      total += *n;
    }
    return {response.status(), total};
  }

  std::size_t retrieve_records() const {
    std::size_t n = 0;
    for (const audit::AuditEvent& e : audit_.events)
      n += e.action == AuditAction::kRetrieve ? 1 : 0;
    return n;
  }

  void start_counting() {
    counting_->lookups = 0;
    audit_.events.clear();
  }

  std::unique_ptr<CountingIndexReader> counting_;
  std::unique_ptr<service::RetrieveService> counted_retrieve_;
  std::unique_ptr<service::QueryService> query_;
  http::Router router_;
  service::StoreOutcome stored_;
  std::size_t size_ = 0;
};

TEST_F(WadoLookups, InstanceRetrieveAsStoredReadsTheIndexOnce) {
  start_counting();
  auto [status, bytes] =
      get(instance_path(), "multipart/related; type=\"application/dicom\"; transfer-syntax=*");
  EXPECT_EQ(status, 200);
  EXPECT_GT(bytes, size_);  // the object plus the multipart framing
  EXPECT_EQ(counting_->lookups, 1);
  EXPECT_EQ(retrieve_records(), 1u);
}

TEST_F(WadoLookups, InstanceRetrieveInANamedSyntaxOpensOnceAndIsAuditedOnce) {
  start_counting();
  auto [status, bytes] = get(instance_path(),
                             "multipart/related; type=\"application/dicom\"; "
                             "transfer-syntax=1.2.840.10008.1.2.1");
  EXPECT_EQ(status, 200);
  EXPECT_GT(bytes, size_);
  EXPECT_EQ(counting_->lookups, 1);
  EXPECT_EQ(retrieve_records(), 1u);
}

TEST_F(WadoLookups, FramesAndWadoUriReadTheIndexOnce) {
  start_counting();
  EXPECT_EQ(
      get(instance_path() + "/frames/1", "multipart/related; type=application/octet-stream").first,
      200);
  EXPECT_EQ(counting_->lookups, 1);
  EXPECT_EQ(retrieve_records(), 1u);

  start_counting();
  auto [status, bytes] =
      get("/wado?requestType=WADO&studyUID=" + stored_.study.str() +
              "&seriesUID=" + stored_.series.str() + "&objectUID=" + stored_.instance.str() +
              "&contentType=application/dicom&transferSyntax=*",
          "");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(bytes, size_);
  EXPECT_EQ(counting_->lookups, 1);
  EXPECT_EQ(retrieve_records(), 1u);
}

TEST_F(WadoLookups, AnotherTenantOrAnotherSeriesStillFindsNothing) {
  EXPECT_EQ(get(instance_path(), "").first, 200);
  EXPECT_EQ(get(instance_path(), "", "other-tenant").first, 404);
  const std::string wrong_series = "/dicom-web/studies/" + stored_.study.str() +
                                   "/series/1.2.3/instances/" + stored_.instance.str();
  EXPECT_EQ(get(wrong_series, "").first, 404);
}

}  // namespace
}  // namespace arca::dicomweb
