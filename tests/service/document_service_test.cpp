// DocumentService: documents attached to a stored study land in that study as new series,
// through the ingest service (audited as stores); unknown and out-of-scope studies look alike.
#include "service/document_service.h"

#include <gtest/gtest.h>

#include "dicom/parse.h"
#include "service_fixture.h"
#include "test_photos.h"

namespace arca::service {
namespace {

class DocumentServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    documents_ = std::make_unique<DocumentService>(
        DocumentDeps{*retrieve_, *ingest_, audit_, random_, clock_, logger_}, DocumentOptions{});
    auto stored = ingest_->store(operator_ctx(), corpus_file("CT_small.dcm"));
    ASSERT_TRUE(stored.ok()) << stored.error().to_string();
    study_ = stored->study;
  }

  DocumentUpload upload(dicom::DocumentType type, const Bytes& content) const {
    return DocumentUpload{study_, type, content, "Referral letter"};
  }

  RequestContext user(std::vector<Permission> permissions,
                      std::optional<std::set<std::string>> scope = std::nullopt) const {
    Principal p;
    p.kind = Principal::Kind::kUser;
    p.id = "user:9";
    p.tenant = default_tenant();
    p.permissions = {permissions.begin(), permissions.end()};
    p.study_scope = std::move(scope);
    return {p, "127.0.0.1:1", "req-d"};
  }

  std::unique_ptr<DocumentService> documents_;
  StudyUid study_;
};

TEST_F(DocumentServiceTest, PdfAndPhotosJoinTheStudyAsNewSeries) {
  Bytes pdf = dicom::testing::tiny_pdf();
  auto doc = documents_->attach(operator_ctx(), upload(dicom::DocumentType::kPdf, pdf));
  ASSERT_TRUE(doc.ok()) << doc.error().to_string();
  EXPECT_EQ(doc->status, StoreStatus::kStored);
  EXPECT_EQ(doc->study, study_);
  EXPECT_EQ(doc->sop_class.str(), dicom::kEncapsulatedPdfStorage);
  EXPECT_EQ(doc->instance.str().rfind("2.25.", 0), 0u);
  EXPECT_TRUE(is_valid_uid(doc->instance.str()));

  auto png = documents_->attach(
      operator_ctx(), upload(dicom::DocumentType::kPng, dicom::testing::encode_png(20, 10, true)));
  ASSERT_TRUE(png.ok()) << png.error().to_string();
  EXPECT_EQ(png->sop_class.str(), dicom::kSecondaryCaptureStorage);
  EXPECT_NE(png->series, doc->series);

  auto jpeg = documents_->attach(operator_ctx(), upload(dicom::DocumentType::kJpeg,
                                                        dicom::testing::encode_jpeg(20, 10, true)));
  ASSERT_TRUE(jpeg.ok()) << jpeg.error().to_string();

  // Stored as any instance: it reads back and validates, with the study's patient.
  auto opened = retrieve_->open_instance(operator_ctx(), doc->instance);
  ASSERT_TRUE(opened.ok());
  Bytes bytes(opened->reader->size());
  ASSERT_TRUE(opened->reader->read_at(0, bytes).ok());
  auto parsed = dicom::parse_part10(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.patient.patient_name, "CompressedSamples^CT1");
  EXPECT_EQ(parsed->attributes.series.modality, "DOC");
  EXPECT_EQ(parsed->attributes.series.series_description, "Referral letter");
  EXPECT_EQ(opened->record.patient_ref.str(),
            refs_.ref(default_tenant(), "", parsed->attributes.patient.patient_id).str());
}

TEST_F(DocumentServiceTest, StoresAreAudited) {
  audit_.events.clear();
  ASSERT_TRUE(
      documents_
          ->attach(operator_ctx(), upload(dicom::DocumentType::kPdf, dicom::testing::tiny_pdf()))
          .ok());
  bool stored = false;
  for (const auto& e : audit_.events)
    stored = stored || (e.action == AuditAction::kStore && e.detail == "stored");
  EXPECT_TRUE(stored);
}

TEST_F(DocumentServiceTest, UnknownAndOutOfScopeStudiesAreNotFound) {
  const Bytes pdf = dicom::testing::tiny_pdf();  // outlives the uploads that view it
  DocumentUpload missing = upload(dicom::DocumentType::kPdf, pdf);
  missing.study = StudyUid("1.2.3.4.5.6.7");
  auto r = documents_->attach(operator_ctx(), missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound) << r.error().to_string();

  auto scoped = user({Permission::kDocumentWrite}, std::set<std::string>{"1.2.3.4.5.6.7"});
  auto out = documents_->attach(scoped, upload(dicom::DocumentType::kPdf, pdf));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kNotFound);
}

TEST_F(DocumentServiceTest, DocumentWriteAloneIsEnoughButImagesAreNot) {
  // The front desk (DESIGN §5): documents only, no image.read, no study.write.
  const Bytes pdf = dicom::testing::tiny_pdf();
  auto desk = user({Permission::kStudyQuery, Permission::kDocumentWrite});
  auto r = documents_->attach(desk, upload(dicom::DocumentType::kPdf, pdf));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->sop_class.str(), "1.2.840.10008.5.1.4.1.1.104.1");
  auto image = ingest_->store_document(desk, corpus_file("MR_small.dcm"));
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kPermissionDenied);
  auto stow = ingest_->store(desk, corpus_file("MR_small.dcm"));
  ASSERT_FALSE(stow.ok());
  EXPECT_EQ(stow.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(DocumentServiceTest, WithoutDocumentWriteIsDenied) {
  auto r = documents_->attach(user({Permission::kStudyQuery, Permission::kImageRead}),
                              upload(dicom::DocumentType::kPdf, dicom::testing::tiny_pdf()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  ASSERT_FALSE(audit_.events.empty());
  EXPECT_EQ(audit_.events.back().action, AuditAction::kStore);
}

TEST_F(DocumentServiceTest, WrongMagicAndOversizeAreRefusedBeforeReadingTheStudy) {
  auto wrong = documents_->attach(
      operator_ctx(), upload(dicom::DocumentType::kPdf, dicom::testing::encode_png(4, 4, true)));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);

  DocumentService small(DocumentDeps{*retrieve_, *ingest_, audit_, random_, clock_, logger_},
                        DocumentOptions{16});
  auto big =
      small.attach(operator_ctx(), upload(dicom::DocumentType::kPdf, dicom::testing::tiny_pdf()));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace arca::service
