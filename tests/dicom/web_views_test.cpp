#include "dicom/web_views.h"

#include <gtest/gtest.h>

#include <string>

#include "dicom/dcmtk_init.h"
#include "test_objects.h"

namespace arca::dicom {
namespace {

using testing::make_part10;
using testing::ObjectSpec;

class WebViews : public ::testing::Test {
 protected:
  void SetUp() override { init_dcmtk(); }
};

// The prefix parsers ask for more until they reach Pixel Data, whatever the cut.
template <typename Parse>
auto parse_growing(const Bytes& object, Parse parse) {
  for (std::size_t n = 200;; n = std::min(object.size(), n * 2)) {
    auto r = parse(ByteView(object).first(n), n == object.size());
    if (!r.ok() || *r)
      return r;
    EXPECT_LT(n, object.size());
  }
}

TEST_F(WebViews, MetadataDescribesPixelDataByBulkDataUriFromAnyPrefix) {
  Bytes object = make_part10();
  auto whole = metadata_json(object, "/base");
  ASSERT_TRUE(whole.ok()) << whole.error().to_string();
  EXPECT_NE(whole->find(R"("7FE00010":{"vr":"OW","BulkDataURI":"/base/bulk/7FE00010"})"),
            std::string::npos)
      << *whole;
  EXPECT_NE(whole->find(R"("00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane"}]})"),
            std::string::npos);
  auto prefixed = parse_growing(object, [](ByteView p, bool complete) {
    return metadata_json_from_prefix(p, complete, "/base");
  });
  ASSERT_TRUE(prefixed.ok()) << prefixed.error().to_string();
  EXPECT_EQ(**prefixed, *whole);
}

TEST_F(WebViews, MetadataWithoutPixelData) {
  ObjectSpec spec;
  spec.with_pixel_data = false;
  Bytes object = make_part10(spec);
  auto json = metadata_json_from_prefix(object, true, "/b");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ((*json)->find("7FE00010"), std::string::npos);
}

TEST_F(WebViews, MetadataTextIsUtf8) {
  ObjectSpec spec;
  spec.charset = "ISO_IR 100";
  spec.patient_name = "Buc^J\xe9r\xf4me";
  auto json = metadata_json(make_part10(spec), "/b");
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find("Buc^J\xc3\xa9r\xc3\xb4me"), std::string::npos);
  EXPECT_NE(json->find(R"("00080005":{"vr":"CS","Value":["ISO_IR 192"]})"), std::string::npos);
}

TEST_F(WebViews, NativeLayoutPointsAtTheFrameBytes) {
  for (E_TransferSyntax xfer : {EXS_LittleEndianExplicit, EXS_LittleEndianImplicit}) {
    Bytes object = testing::write_part10(*testing::make_object({}), xfer);
    auto layout =
        parse_growing(object, [](ByteView p, bool complete) { return native_layout(p, complete); });
    ASSERT_TRUE(layout.ok()) << layout.error().to_string();
    EXPECT_EQ((*layout)->frame_size, 16U * 16U * 2U);
    EXPECT_EQ((*layout)->frames, 1U);
    EXPECT_EQ((*layout)->offset + (*layout)->frame_size, object.size());
    auto f = frames(object, {1}, FrameSyntax::kAsStored);
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(std::equal(f->frames[0].begin(), f->frames[0].end(),
                           object.begin() + static_cast<std::ptrdiff_t>((*layout)->offset)));
  }
}

TEST_F(WebViews, NativeLayoutRefusesBigEndian) {
  Bytes object = testing::write_part10(*testing::make_object({}), EXS_BigEndianExplicit);
  auto layout = native_layout(object, true);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.error().code, ErrorCode::kUnsupported);
  auto f = frames(object, {1}, FrameSyntax::kAsStored);  // the whole-object path still works
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->transfer_syntax, kExplicitVrLittleEndian);
  EXPECT_EQ(f->frames[0].size(), 16U * 16U * 2U);
}

TEST_F(WebViews, FramesOutOfRangeAndBulkValues) {
  Bytes object = make_part10();
  auto none = frames(object, {2}, FrameSyntax::kAsStored);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  auto pixels = bulk_value(object, 0x7FE00010);
  ASSERT_TRUE(pixels.ok());
  EXPECT_EQ(pixels->size(), 16U * 16U * 2U);
  auto missing = bulk_value(object, 0x00431234);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(WebViews, ReencodesInExplicitLittleEndian) {
  Bytes object = testing::write_part10(*testing::make_object({}), EXS_LittleEndianImplicit);
  auto encoded = to_explicit_little_endian(object);
  ASSERT_TRUE(encoded.ok()) << encoded.error().to_string();
  auto layout = native_layout(*encoded, true);
  ASSERT_TRUE(layout.ok());
  const std::string meta(reinterpret_cast<const char*>(encoded->data()), 400);
  EXPECT_NE(meta.find(std::string(kExplicitVrLittleEndian)), std::string::npos);
}

}  // namespace
}  // namespace arca::dicom
