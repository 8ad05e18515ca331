#include "audit/syslog_message.h"

#include <gtest/gtest.h>

#include "audit/record_chain.h"
#include "audit_fixture.h"

namespace arca::audit {
namespace {

TEST(SyslogMessage, IsAnOctetCountedRfc5424Message) {
  auto r = to_record(test::event(2));
  link(r, 42, kGenesisHash);
  std::string frame = syslog_frame(r, "pacs host");
  auto space = frame.find(' ');
  ASSERT_NE(space, std::string::npos);
  std::string message = frame.substr(space + 1);
  EXPECT_EQ(std::stoul(frame.substr(0, space)), message.size());
  EXPECT_EQ(message.rfind("<86>1 2023-11-14T22:13:20.002Z pacs_host arca - store "
                          "[arcaAudit@32473 seq=\"42\"] {\"seq\":42,",
                          0),
            0u)
      << message;
  EXPECT_EQ(message.back(), '}');
  r.outcome = "failure";
  std::string failed = syslog_frame(r, "");
  EXPECT_NE(failed.find(" <84>1 "), std::string::npos) << failed;
  EXPECT_NE(failed.find("Z - arca - store"), std::string::npos) << failed;
}

}  // namespace
}  // namespace arca::audit
