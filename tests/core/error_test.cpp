#include "core/error.h"

#include <gtest/gtest.h>

namespace arca {
namespace {

TEST(ErrorCatalogueTest, MapsCodesToHttpAndDimse) {
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kOutOfSpace), 507);
  EXPECT_EQ(dimse_status(ErrorCode::kOutOfSpace), 0xA700);
  EXPECT_EQ(dimse_status(ErrorCode::kInvalidDicom), 0xC000);
  EXPECT_EQ(dimse_status(ErrorCode::kInternal), 0x0110);
}

TEST(ErrorCatalogueTest, NamesAreSnakeCase) {
  EXPECT_EQ(error_code_name(ErrorCode::kInvalidDicom), "invalid_dicom");
  EXPECT_EQ(error_code_name(ErrorCode::kUnsupportedTransferSyntax), "unsupported_transfer_syntax");
  EXPECT_EQ(error_code_name(ErrorCode::kIo), "io");
}

TEST(ErrorCatalogueTest, ContextPrefixesMessage) {
  Error e = make_error(ErrorCode::kIo, "disk on fire").context("writing blob");
  EXPECT_EQ(e.message, "writing blob: disk on fire");
  EXPECT_EQ(e.to_string(), "io: writing blob: disk on fire");
}

}  // namespace
}  // namespace arca
