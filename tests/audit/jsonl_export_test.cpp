#include "audit/jsonl_export.h"

#include <gtest/gtest.h>

#include "audit/record_chain.h"
#include "audit_fixture.h"

namespace arca::audit {
namespace {

bool has_key(const std::string& line, const std::string& key) {
  return line.find("\"" + key + "\":") != std::string::npos;
}

// The field names are those of GET /api/v1/audit, so an export and a search read alike.
TEST(JsonlExport, NamesFieldsAsTheApiDoes) {
  AuditEvent e = test::event(4);
  e.outcome = Outcome::kFailure;
  e.error_code = "permission_denied";
  auto r = to_record(e);
  link(r, 9, kGenesisHash);
  std::string line = record_json_line(r);
  for (const char* key :
       {"seq", "time", "time_ms", "actor", "tenant", "action", "outcome", "error_code", "detail",
        "patients", "studies", "instances", "client_address", "request_id", "prev_hash", "hash"})
    EXPECT_TRUE(has_key(line, key)) << key << " in " << line;
  EXPECT_FALSE(has_key(line, "client")) << line;
  EXPECT_FALSE(has_key(line, "error")) << line;
  EXPECT_NE(line.find("\"client_address\":\"127.0.0.1:104\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"error_code\":\"permission_denied\""), std::string::npos) << line;
}

TEST(JsonlExport, TheEventLogLineUsesTheSameNames) {
  AuditEvent e = test::event(5);
  e.error_code = "unavailable";
  std::string line = to_json_line(e);
  EXPECT_TRUE(has_key(line, "client_address")) << line;
  EXPECT_TRUE(has_key(line, "error_code")) << line;
  EXPECT_FALSE(has_key(line, "client")) << line;
  EXPECT_FALSE(has_key(line, "error")) << line;
}

}  // namespace
}  // namespace arca::audit
