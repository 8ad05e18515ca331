#include "store/index_contract.h"

#include <atomic>
#include <thread>

namespace arca::store::testing {

void IndexContractTest::SetUp() {
  auto made = GetParam().make(dir_);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  index_ = std::move(made).take();
}

StoredInstance sample_instance(int n, const std::string& study_uid, const std::string& series_uid) {
  StoredInstance s;
  s.tenant = TenantId("t1");
  s.patient_ref = PatientRef("pref-1");
  auto& a = s.attributes;
  a.specific_character_set = "ISO_IR 192";
  a.patient = {"PID-1", "ISSUER", "Doe^John", "19700101", "M"};
  a.study.study_uid = StudyUid(study_uid);
  a.study.study_date = "20240115";
  a.study.study_time = "101500";
  a.study.accession_number = "ACC-1";
  a.study.referring_physician_name = "Ref^Doc";
  a.study.study_description = "CT HEAD";
  a.study.study_id = "S1";
  a.study.timezone_offset = "+0100";
  a.series.series_uid = SeriesUid(series_uid);
  a.series.modality = "CT";
  a.series.series_number = 1;
  a.series.series_description = "AXIAL";
  a.series.series_date = "20240115";
  a.series.series_time = "101600";
  a.series.body_part_examined = "HEAD";
  a.series.performed_procedure_step_start_date = "20240115";
  a.series.performed_procedure_step_start_time = "101400";
  a.series.institution_name = "General";
  a.instance.sop_instance_uid = InstanceUid(series_uid + "." + std::to_string(n));
  a.instance.sop_class_uid = SopClassUid("1.2.840.10008.5.1.4.1.1.2");
  a.instance.transfer_syntax = TransferSyntaxUid("1.2.840.10008.1.2.1");
  a.instance.instance_number = n;
  a.instance.rows = 512;
  a.instance.columns = 512;
  a.instance.bits_allocated = 16;
  a.instance.number_of_frames = std::nullopt;
  a.instance.content_date = "20240115";
  a.instance.content_time = "101700";
  char blob[40];
  std::snprintf(blob, sizeof blob, "%032x", n);
  s.blob = BlobId(blob);
  s.size = 1000 + static_cast<std::uint64_t>(n);
  s.sha256 = std::string(63, 'a') + static_cast<char>('0' + n % 10);
  s.received_ms = 1700000000000 + n;
  return s;
}

std::unique_ptr<IndexTransaction> begin_tx(Index& index) {
  auto tx = index.begin();
  EXPECT_TRUE(tx.ok()) << tx.error().to_string();
  return tx.ok() ? std::move(tx).take() : nullptr;
}

Matcher make_matcher(QueryAttribute attribute, MatchKind kind, std::vector<std::string> values,
                     std::string low, std::string high) {
  Matcher m;
  m.attribute = attribute;
  m.kind = kind;
  m.values = std::move(values);
  m.low = std::move(low);
  m.high = std::move(high);
  return m;
}

PutResult put_one(Index& index, const StoredInstance& instance, ConflictPolicy policy) {
  auto tx = index.begin();
  EXPECT_TRUE(tx.ok()) << tx.error().to_string();
  auto r = (*tx)->put_instance(instance, policy);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  auto c = (*tx)->commit();
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return r.ok() ? *r : PutResult{};
}

namespace {

void expect_same(const StoredInstance& a, const StoredInstance& b) {
  EXPECT_EQ(a.tenant, b.tenant);
  EXPECT_EQ(a.patient_ref, b.patient_ref);
  EXPECT_EQ(a.blob, b.blob);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.received_ms, b.received_ms);
  const auto &x = a.attributes, &y = b.attributes;
  EXPECT_EQ(x.specific_character_set, y.specific_character_set);
  EXPECT_EQ(x.patient.patient_id, y.patient.patient_id);
  EXPECT_EQ(x.patient.issuer_of_patient_id, y.patient.issuer_of_patient_id);
  EXPECT_EQ(x.patient.patient_name, y.patient.patient_name);
  EXPECT_EQ(x.patient.birth_date, y.patient.birth_date);
  EXPECT_EQ(x.patient.sex, y.patient.sex);
  EXPECT_EQ(x.study.study_uid, y.study.study_uid);
  EXPECT_EQ(x.study.study_date, y.study.study_date);
  EXPECT_EQ(x.study.study_time, y.study.study_time);
  EXPECT_EQ(x.study.accession_number, y.study.accession_number);
  EXPECT_EQ(x.study.referring_physician_name, y.study.referring_physician_name);
  EXPECT_EQ(x.study.study_description, y.study.study_description);
  EXPECT_EQ(x.study.study_id, y.study.study_id);
  EXPECT_EQ(x.study.timezone_offset, y.study.timezone_offset);
  EXPECT_EQ(x.series.series_uid, y.series.series_uid);
  EXPECT_EQ(x.series.modality, y.series.modality);
  EXPECT_EQ(x.series.series_number, y.series.series_number);
  EXPECT_EQ(x.series.series_description, y.series.series_description);
  EXPECT_EQ(x.series.series_date, y.series.series_date);
  EXPECT_EQ(x.series.series_time, y.series.series_time);
  EXPECT_EQ(x.series.body_part_examined, y.series.body_part_examined);
  EXPECT_EQ(x.series.performed_procedure_step_start_date,
            y.series.performed_procedure_step_start_date);
  EXPECT_EQ(x.series.performed_procedure_step_start_time,
            y.series.performed_procedure_step_start_time);
  EXPECT_EQ(x.series.institution_name, y.series.institution_name);
  EXPECT_EQ(x.instance.sop_instance_uid, y.instance.sop_instance_uid);
  EXPECT_EQ(x.instance.sop_class_uid, y.instance.sop_class_uid);
  EXPECT_EQ(x.instance.transfer_syntax, y.instance.transfer_syntax);
  EXPECT_EQ(x.instance.instance_number, y.instance.instance_number);
  EXPECT_EQ(x.instance.rows, y.instance.rows);
  EXPECT_EQ(x.instance.columns, y.instance.columns);
  EXPECT_EQ(x.instance.bits_allocated, y.instance.bits_allocated);
  EXPECT_EQ(x.instance.number_of_frames, y.instance.number_of_frames);
  EXPECT_EQ(x.instance.content_date, y.instance.content_date);
  EXPECT_EQ(x.instance.content_time, y.instance.content_time);
}

std::optional<StoredInstance> find(Index& index, const StoredInstance& s) {
  auto r = index.find_instance(s.tenant, s.attributes.instance.sop_instance_uid);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : std::nullopt;
}

std::vector<QueryRow> run(Index& index, QueryLevel level, std::vector<Matcher> matchers = {},
                          const TenantId& tenant = TenantId("t1")) {
  Query q;
  q.level = level;
  q.matchers = std::move(matchers);
  auto r = index.query(tenant, q);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : std::vector<QueryRow>{};
}

TEST_P(IndexContractTest, PutThenFindRoundTripsEveryField) {
  auto s = sample_instance(1);
  s.attributes.instance.number_of_frames = 3;
  EXPECT_EQ(put_one(*index_, s).outcome, PutOutcome::kStored);
  auto got = find(*index_, s);
  ASSERT_TRUE(got.has_value());
  expect_same(*got, s);
  EXPECT_FALSE(find(*index_, sample_instance(2)).has_value());
}

TEST_P(IndexContractTest, SameBytesAgainIsDuplicateAndChangesNothing) {
  auto s = sample_instance(1);
  put_one(*index_, s);
  auto again = s;
  again.blob = BlobId("ffffffffffffffffffffffffffffffff");
  again.attributes.patient.patient_name = "Changed^Name";
  auto r = put_one(*index_, again);
  EXPECT_EQ(r.outcome, PutOutcome::kDuplicate);
  EXPECT_EQ(r.unreferenced_blob, std::nullopt);  // set for kReplaced only
  expect_same(*find(*index_, s), s);
  EXPECT_EQ(put_one(*index_, s).outcome, PutOutcome::kDuplicate);
}

TEST_P(IndexContractTest, InstanceContradictingTheStoredHierarchyIsRefused) {
  auto first = sample_instance(1);
  put_one(*index_, first);
  auto refused = [&](StoredInstance in) {
    auto tx = begin_tx(*index_);
    auto r = tx->put_instance(in, ConflictPolicy::kKeepFirst);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kHierarchyConflict) << r.error().to_string();
    EXPECT_FALSE(find(*index_, in).has_value());
  };
  // Its series is stored in another study: not filed into that study.
  refused(sample_instance(2, "1.2.3.9", "1.2.3.1.1"));
  // Its study is stored for another patient: not filed under that patient.
  auto other_patient = sample_instance(3, "1.2.3.1", "1.2.3.1.7");
  other_patient.patient_ref = PatientRef("pref-2");
  refused(other_patient);
  // The same patient, study and series take more instances as before.
  EXPECT_EQ(put_one(*index_, sample_instance(4)).outcome, PutOutcome::kStored);
  EXPECT_EQ(put_one(*index_, sample_instance(5, "1.2.3.1", "1.2.3.1.8")).outcome,
            PutOutcome::kStored);
}

TEST_P(IndexContractTest, DifferentBytesKeepFirstIsConflict) {
  auto s = sample_instance(1);
  put_one(*index_, s);
  auto other = s;
  other.blob = BlobId("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  other.sha256 = std::string(64, 'b');
  auto r = put_one(*index_, other, ConflictPolicy::kKeepFirst);
  EXPECT_EQ(r.outcome, PutOutcome::kConflict);
  EXPECT_EQ(r.unreferenced_blob, std::nullopt);
  expect_same(*find(*index_, s), s);
}

TEST_P(IndexContractTest, DifferentBytesReplaceReturnsOldBlob) {
  auto s = sample_instance(1);
  put_one(*index_, s);
  auto other = s;
  other.blob = BlobId("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  other.sha256 = std::string(64, 'b');
  other.size = 7;
  auto r = put_one(*index_, other, ConflictPolicy::kReplace);
  EXPECT_EQ(r.outcome, PutOutcome::kReplaced);
  EXPECT_EQ(r.unreferenced_blob, s.blob);
  expect_same(*find(*index_, s), other);
  EXPECT_FALSE(*index_->references_blob(s.blob));
  EXPECT_TRUE(*index_->references_blob(other.blob));
  auto studies = run(*index_, QueryLevel::kStudy);
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].study_related_instances, 1);
}

// Rows without a digest (ingest under an encrypted store, docs/adr/0021): the index cannot tell
// equal bytes from different ones and says so; the caller compares and names the blob it found
// different to replace it.
TEST_P(IndexContractTest, WithoutADigestTheCallerDecidesAndNamesTheBlobItReplaces) {
  auto s = sample_instance(1);
  s.sha256.clear();
  EXPECT_EQ(put_one(*index_, s, ConflictPolicy::kKeepFirst).outcome, PutOutcome::kStored);
  expect_same(*find(*index_, s), s);
  auto other = s;
  other.blob = BlobId("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
  other.size = 7;
  for (ConflictPolicy policy : {ConflictPolicy::kKeepFirst, ConflictPolicy::kReplace}) {
    auto r = put_one(*index_, other, policy);
    EXPECT_EQ(r.outcome, PutOutcome::kExists);
    EXPECT_EQ(r.unreferenced_blob, std::nullopt);
    expect_same(*find(*index_, s), s);
  }
  auto with_digest = other;  // one digest alone cannot decide either
  with_digest.sha256 = std::string(64, 'b');
  EXPECT_EQ(put_one(*index_, with_digest, ConflictPolicy::kKeepFirst).outcome, PutOutcome::kExists);

  auto put = [&](ConflictPolicy policy, const BlobId& replaces) {
    auto tx = index_->begin().value();
    auto r = tx->put_instance(other, policy, replaces).value();
    EXPECT_TRUE(tx->commit().ok());
    return r;
  };
  // Naming another blob than the stored one (it changed since the caller compared): kExists.
  EXPECT_EQ(put(ConflictPolicy::kReplace, BlobId("dddddddddddddddddddddddddddddddd")).outcome,
            PutOutcome::kExists);
  // kKeepFirst never replaces, whatever the caller names.
  EXPECT_EQ(put(ConflictPolicy::kKeepFirst, s.blob).outcome, PutOutcome::kConflict);
  expect_same(*find(*index_, s), s);
  auto replaced = put(ConflictPolicy::kReplace, s.blob);
  EXPECT_EQ(replaced.outcome, PutOutcome::kReplaced);
  EXPECT_EQ(replaced.unreferenced_blob, s.blob);
  expect_same(*find(*index_, s), other);
}

TEST_P(IndexContractTest, TransactionDestroyedWithoutCommitRollsBack) {
  {
    auto tx = begin_tx(*index_);
    ASSERT_TRUE(tx->put_instance(sample_instance(1), ConflictPolicy::kKeepFirst).ok());
  }
  EXPECT_FALSE(find(*index_, sample_instance(1)).has_value());
  EXPECT_TRUE(run(*index_, QueryLevel::kPatient).empty());
  put_one(*index_, sample_instance(2));  // the writer is free again
  EXPECT_TRUE(find(*index_, sample_instance(2)).has_value());
}

TEST_P(IndexContractTest, ManyPutsInOneTransactionCommitTogether) {
  auto tx = begin_tx(*index_);
  for (int n = 1; n <= 50; ++n)
    ASSERT_TRUE(tx->put_instance(sample_instance(n), ConflictPolicy::kKeepFirst).ok());
  ASSERT_TRUE(tx->commit().ok());
  auto series = run(*index_, QueryLevel::kSeries);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].series_related_instances, 50);
}

TEST_P(IndexContractTest, RemoveInstanceDeletesEmptyParentsAndKeepsCounts) {
  put_one(*index_, sample_instance(1, "1.2.3.1", "1.2.3.1.1"));
  put_one(*index_, sample_instance(2, "1.2.3.1", "1.2.3.1.2"));
  auto second = sample_instance(2, "1.2.3.1", "1.2.3.1.2");
  auto tx = begin_tx(*index_);
  auto removed = tx->remove_instance(second.tenant, second.attributes.instance.sop_instance_uid);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, second.blob);
  auto missing = tx->remove_instance(second.tenant, InstanceUid("9.9.9"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, std::nullopt);
  ASSERT_TRUE(tx->commit().ok());
  auto studies = run(*index_, QueryLevel::kStudy);
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].study_related_series, 1);
  EXPECT_EQ(studies[0].study_related_instances, 1);
  auto first = sample_instance(1, "1.2.3.1", "1.2.3.1.1");
  auto tx2 = begin_tx(*index_);
  ASSERT_TRUE(tx2->remove_instance(first.tenant, first.attributes.instance.sop_instance_uid).ok());
  ASSERT_TRUE(tx2->commit().ok());
  EXPECT_TRUE(run(*index_, QueryLevel::kPatient).empty());
  EXPECT_TRUE(run(*index_, QueryLevel::kStudy).empty());
  EXPECT_TRUE(run(*index_, QueryLevel::kSeries).empty());
}

TEST_P(IndexContractTest, ComputedCountsAndModalities) {
  auto a = sample_instance(1, "1.2.3.1", "1.2.3.1.1");
  auto b = sample_instance(2, "1.2.3.1", "1.2.3.1.2");
  b.attributes.series.modality = "MR";
  auto c = sample_instance(3, "1.2.3.1", "1.2.3.1.2");
  auto d = sample_instance(4, "1.2.3.2", "1.2.3.2.1");
  d.attributes.series.modality = "SR";
  for (const auto& s : {a, b, c, d})
    put_one(*index_, s);
  auto patients = run(*index_, QueryLevel::kPatient);
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0].patient_related_studies, 2);
  auto studies =
      run(*index_, QueryLevel::kStudy,
          {make_matcher(QueryAttribute::kStudyUid, MatchKind::kSingleValue, {"1.2.3.1"})});
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].study_related_series, 2);
  EXPECT_EQ(studies[0].study_related_instances, 3);
  EXPECT_EQ(studies[0].modalities_in_study, "CT\\MR");
  auto series =
      run(*index_, QueryLevel::kSeries,
          {make_matcher(QueryAttribute::kSeriesUid, MatchKind::kSingleValue, {"1.2.3.1.2"})});
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].series_related_instances, 2);
  EXPECT_EQ(series[0].attributes.series.modality, "MR");
}

TEST_P(IndexContractTest, StudyInstancesOrderedBySeriesThenInstanceNumber) {
  auto s2 = sample_instance(5, "1.2.3.1", "1.2.3.1.2");
  s2.attributes.series.series_number = 2;
  auto s1b = sample_instance(3, "1.2.3.1", "1.2.3.1.1");
  auto s1a = sample_instance(1, "1.2.3.1", "1.2.3.1.1");
  auto s1none = sample_instance(9, "1.2.3.1", "1.2.3.1.1");
  s1none.attributes.instance.instance_number = std::nullopt;
  for (const auto& s : {s2, s1b, s1none, s1a})
    put_one(*index_, s);
  auto got = *index_->study_instances(TenantId("t1"), StudyUid("1.2.3.1"));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].attributes.instance.sop_instance_uid, s1a.attributes.instance.sop_instance_uid);
  EXPECT_EQ(got[1].attributes.instance.sop_instance_uid, s1b.attributes.instance.sop_instance_uid);
  EXPECT_EQ(got[2].attributes.instance.sop_instance_uid,
            s1none.attributes.instance.sop_instance_uid);
  EXPECT_EQ(got[3].attributes.instance.sop_instance_uid, s2.attributes.instance.sop_instance_uid);
  EXPECT_TRUE(index_->study_instances(TenantId("t2"), StudyUid("1.2.3.1"))->empty());
}

TEST_P(IndexContractTest, EveryReadIsScopedByTenant) {
  auto s = sample_instance(1);
  put_one(*index_, s);
  auto other = s;
  other.tenant = TenantId("t2");
  other.blob = BlobId("dddddddddddddddddddddddddddddddd");
  other.attributes.patient.patient_name = "Other^Tenant";
  EXPECT_EQ(put_one(*index_, other).outcome, PutOutcome::kStored);  // same UIDs, own rows
  EXPECT_EQ(find(*index_, s)->blob, s.blob);
  EXPECT_EQ(find(*index_, other)->blob, other.blob);
  auto t1 = run(*index_, QueryLevel::kInstance);
  ASSERT_EQ(t1.size(), 1u);
  EXPECT_EQ(t1[0].attributes.patient.patient_name, "Doe^John");
  EXPECT_TRUE(run(*index_, QueryLevel::kStudy, {}, TenantId("t3")).empty());
}

TEST_P(IndexContractTest, ReferencesBlobAndForEachInstance) {
  for (int n = 1; n <= 5; ++n)
    put_one(*index_, sample_instance(n));
  EXPECT_TRUE(*index_->references_blob(sample_instance(3).blob));
  EXPECT_FALSE(*index_->references_blob(BlobId("0123456789abcdef0123456789abcdef")));
  int seen = 0;
  ASSERT_TRUE(index_
                  ->for_each_instance([&](const StoredInstance& s) -> Result<void> {
                    ++seen;
                    EXPECT_TRUE(*index_->references_blob(s.blob));  // nested reads work
                    return ok();
                  })
                  .ok());
  EXPECT_EQ(seen, 5);
  auto stopped = index_->for_each_instance([&](const StoredInstance&) -> Result<void> {
    return make_error(ErrorCode::kCancelled, "stop");
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, ErrorCode::kCancelled);
}

TEST_P(IndexContractTest, InstancesReceivedSinceAreEveryTenantsOldestFirst) {
  for (int n : {4, 1, 5, 3, 2}) {
    StoredInstance s = sample_instance(n);
    if (n % 2 == 0)
      s.tenant = TenantId("t2");
    put_one(*index_, s);
  }
  auto since = index_->instances_received_since(1700000000000 + 3);
  ASSERT_TRUE(since.ok()) << since.error().to_string();
  ASSERT_EQ(since->size(), 3u);
  EXPECT_EQ((*since)[0].received_ms, 1700000000000 + 3);
  EXPECT_EQ((*since)[1].tenant, TenantId("t2"));
  EXPECT_EQ((*since)[1].attributes.instance.sop_instance_uid,
            sample_instance(4).attributes.instance.sop_instance_uid);
  EXPECT_EQ((*since)[2].received_ms, 1700000000000 + 5);
  EXPECT_EQ(index_->instances_received_since(1700000000000 + 6)->size(), 0u);

  // One at a time, in the same order; the visitor may write to the index meanwhile.
  std::vector<std::int64_t> visited;
  ASSERT_TRUE(
      index_
          ->for_each_instance_received_since(
              1700000000000 + 3,
              [&](const StoredInstance& row) -> Result<void> {
                visited.push_back(row.received_ms);
                auto tx = ARCA_TRY(index_->begin());
                ARCA_TRY(tx->remove_instance(row.tenant, row.attributes.instance.sop_instance_uid));
                return tx->commit();
              })
          .ok());
  EXPECT_EQ(visited,
            (std::vector<std::int64_t>{1700000000000 + 3, 1700000000000 + 4, 1700000000000 + 5}));
  EXPECT_EQ(index_->instances_received_since(1700000000000)->size(), 2u);
}

TEST_P(IndexContractTest, ReadersProceedWhileAWriterTransactionIsOpen) {
  put_one(*index_, sample_instance(1));
  auto tx = begin_tx(*index_);
  ASSERT_TRUE(tx->put_instance(sample_instance(2), ConflictPolicy::kKeepFirst).ok());
  std::atomic<bool> saw_uncommitted{true};
  std::thread reader([&] {
    saw_uncommitted = find(*index_, sample_instance(2)).has_value();
    EXPECT_TRUE(find(*index_, sample_instance(1)).has_value());
  });
  reader.join();
  EXPECT_FALSE(saw_uncommitted);
  ASSERT_TRUE(tx->commit().ok());
  EXPECT_TRUE(find(*index_, sample_instance(2)).has_value());
}

TEST_P(IndexContractTest, ConcurrentWritersAllLand) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k)
        put_one(*index_, sample_instance(t * 100 + k + 1));
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(run(*index_, QueryLevel::kInstance).size(), 40u);
}

}  // namespace
}  // namespace arca::store::testing
