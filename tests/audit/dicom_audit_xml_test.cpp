#include "audit/dicom_audit_xml.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include <cstdlib>
#include <string>

#include "audit/record_chain.h"
#include "audit_fixture.h"

namespace arca::audit {
namespace {

// The shipped schema (docs/formats/dicom-audit-message.rng), compiled once per test.
class DicomAuditXmlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* src = std::getenv("ARCA_SOURCE_DIR");
    ASSERT_NE(src, nullptr);
    std::string path = std::string(src) + "/docs/formats/dicom-audit-message.rng";
    xmlRelaxNGParserCtxtPtr parser = xmlRelaxNGNewParserCtxt(path.c_str());
    schema_ = xmlRelaxNGParse(parser);
    xmlRelaxNGFreeParserCtxt(parser);
    ASSERT_NE(schema_, nullptr) << path;
  }
  void TearDown() override {
    if (schema_ != nullptr)
      xmlRelaxNGFree(schema_);
  }

  // True if `xml` is well-formed and valid against the schema.
  bool valid(const std::string& xml) {
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "message.xml", nullptr,
                                  XML_PARSE_NONET);
    if (doc == nullptr)
      return false;
    xmlRelaxNGValidCtxtPtr ctx = xmlRelaxNGNewValidCtxt(schema_);
    int rc = xmlRelaxNGValidateDoc(ctx, doc);
    xmlRelaxNGFreeValidCtxt(ctx);
    xmlFreeDoc(doc);
    return rc == 0;
  }

  static store::AuditRecord record(AuditAction action) {
    AuditEvent e = test::event(3);
    e.action = action;
    auto r = to_record(e);
    link(r, 7, kGenesisHash);
    return r;
  }

  xmlRelaxNGPtr schema_ = nullptr;
};

TEST_F(DicomAuditXmlTest, EveryActionAndOutcomeValidates) {
  for (AuditAction action :
       {AuditAction::kNone, AuditAction::kLogin, AuditAction::kLogout, AuditAction::kQuery,
        AuditAction::kRetrieve, AuditAction::kTransferBegin, AuditAction::kStore,
        AuditAction::kDelete, AuditAction::kErase, AuditAction::kExport, AuditAction::kShare,
        AuditAction::kAdmin, AuditAction::kAuditRead, AuditAction::kBackup,
        AuditAction::kRestore}) {
    auto r = record(action);
    std::string xml = dicom_audit_message(r, {});
    EXPECT_TRUE(valid(xml)) << xml;
    r.outcome = "failure";
    r.error_code = "permission_denied";
    r.detail = "a <detail> & \"quotes\"\nand a newline";
    r.client_address = "[::1]:4431";
    r.patients.clear();
    EXPECT_TRUE(valid(dicom_audit_message(r, {}))) << dicom_audit_message(r, {});
  }
}

TEST_F(DicomAuditXmlTest, CarriesTheEventParticipantsAndObjects) {
  std::string xml = dicom_audit_message(record(AuditAction::kStore), AuditSource{"ARCA"});
  EXPECT_NE(xml.find("<EventID csd-code=\"110104\" codeSystemName=\"DCM\" "
                     "originalText=\"DICOM Instances Transferred\"/>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("EventActionCode=\"C\""), std::string::npos);
  EXPECT_NE(xml.find("EventOutcomeIndicator=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("UserID=\"ae:CT0\""), std::string::npos);
  EXPECT_NE(xml.find("NetworkAccessPointID=\"127.0.0.1\""), std::string::npos);
  EXPECT_NE(xml.find("ParticipantObjectID=\"cafe3\""), std::string::npos);
  EXPECT_NE(xml.find("ParticipantObjectID=\"1.2.3.3\""), std::string::npos);
  EXPECT_NE(xml.find("AuditSourceID=\"ARCA\""), std::string::npos);
  EXPECT_EQ(xml.find('\n'), std::string::npos);
}

// The validation can fail: a message without its EventID, or with an undefined outcome.
TEST_F(DicomAuditXmlTest, SchemaRejectsMalformedMessages) {
  std::string xml = dicom_audit_message(record(AuditAction::kStore), {});
  std::string no_event_id = xml;
  auto start = no_event_id.find("<EventID ");
  no_event_id.erase(start, no_event_id.find("/>", start) + 2 - start);
  EXPECT_FALSE(valid(no_event_id));
  std::string bad_outcome = xml;
  bad_outcome.replace(bad_outcome.find("EventOutcomeIndicator=\"0\""), 25,
                      "EventOutcomeIndicator=\"1\"");
  EXPECT_FALSE(valid(bad_outcome));
}

}  // namespace
}  // namespace arca::audit
