// HTJ2K objects decoded through OpenJPEG (src/dicom/htj2k.h). The fixtures in tests/data were
// encoded by OpenJPH (tests/data/make_htj2k.cjs, make_htj2k.py) from the .raw source pixels
// beside them, so a lossless decode must give those bytes back exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "corpus.h"
#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"
#include "dicom/render.h"
#include "dicom/web_views.h"

namespace arca::dicom {
namespace {

constexpr std::string_view kHtj2kLossless = "1.2.840.10008.1.2.4.201";

Bytes fixture(const std::string& name) {
  return testing::read_whole_file(std::string(ARCA_DICOM_TEST_DIR) + "/../data/" + name);
}

class Htj2kDecoder : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    init_dcmtk();
    object_ = fixture(GetParam() + ".dcm");
    source_ = fixture(GetParam() + ".raw");
    ASSERT_FALSE(object_.empty());
    ASSERT_FALSE(source_.empty());
  }
  Bytes object_;
  Bytes source_;
};

// The main header (before the first tile part, SOT 0xFF90) holds a CAP marker (0xFF50) whose
// Pcap has bit 15 set, counted from the most significant bit (PS3.5 A.4.11, ITU-T T.814):
// a Part-15 (HTJ2K) codestream, not a plain JPEG 2000 one.
bool is_part15_codestream(const Bytes& c) {
  if (c.size() < 4 || c[0] != 0xFF || c[1] != 0x4F)
    return false;
  for (std::size_t i = 2; i + 8 <= c.size();) {
    if (c[i] != 0xFF)
      return false;
    const std::uint8_t marker = c[i + 1];
    if (marker == 0x90)  // SOT: the main header ended without a CAP marker
      return false;
    const std::size_t length = std::size_t{c[i + 2]} << 8 | c[i + 3];
    if (marker == 0x50) {
      const std::uint32_t pcap = std::uint32_t{c[i + 4]} << 24 | std::uint32_t{c[i + 5]} << 16 |
                                 std::uint32_t{c[i + 6]} << 8 | c[i + 7];
      return (pcap & (1u << (32 - 15))) != 0;
    }
    i += 2 + length;
  }
  return false;
}

TEST_P(Htj2kDecoder, FixtureIsAnHtj2kCodestreamServedAsStored) {
  auto parsed = parse_part10(object_);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), kHtj2kLossless);
  auto stored = frames(object_, {1}, FrameSyntax::kAsStored);
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_EQ(stored->transfer_syntax, kHtj2kLossless);
  EXPECT_EQ(stored->media_type, "image/jphc");
  ASSERT_EQ(stored->frames.size(), 1u);
  EXPECT_TRUE(is_part15_codestream(stored->frames[0]));
  // The codestream as encoded, plus the pad byte DICOM adds to an odd-length fragment.
  Bytes codestream = fixture(GetParam() + ".j2c");
  if (codestream.size() % 2 == 1)
    codestream.push_back(0);
  EXPECT_EQ(stored->frames[0], codestream);
}

TEST_P(Htj2kDecoder, FramesDecodeToTheSourcePixelsExactly) {
  auto decoded = frames(object_, {1}, FrameSyntax::kUncompressed);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->transfer_syntax, kExplicitVrLittleEndian);
  EXPECT_EQ(decoded->media_type, "application/octet-stream");
  ASSERT_EQ(decoded->frames.size(), 1u);
  EXPECT_TRUE(decoded->frames[0] == source_) << "decoded pixels differ from the source";
}

TEST_P(Htj2kDecoder, TranscodesToExplicitLittleEndianWithTheSourcePixels) {
  auto native = to_explicit_little_endian(object_);
  ASSERT_TRUE(native.ok()) << native.error().to_string();
  auto parsed = parse_part10(*native);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), kExplicitVrLittleEndian);
  auto pixels = frames(*native, {1}, FrameSyntax::kAsStored);
  ASSERT_TRUE(pixels.ok()) << pixels.error().to_string();
  EXPECT_TRUE(pixels->frames.at(0) == source_) << "transcoded pixels differ from the source";
  auto metadata = metadata_json(*native, "/b");
  ASSERT_TRUE(metadata.ok());
  const std::string& json = *metadata;
  const bool colour = GetParam() == "htj2k_rgb8";
  EXPECT_NE(json.find(colour ? R"("00280004":{"vr":"CS","Value":["RGB"]})"
                             : R"("00280004":{"vr":"CS","Value":["MONOCHROME2"]})"),
            std::string::npos)
      << json;
}

TEST_P(Htj2kDecoder, Renders) {
  RenderOptions options;
  auto jpeg = render_jpeg(object_, options);
  ASSERT_TRUE(jpeg.ok()) << jpeg.error().to_string();
  ASSERT_GT(jpeg->size(), 2u);
  EXPECT_EQ((*jpeg)[0], 0xFF);
  EXPECT_EQ((*jpeg)[1], 0xD8);
}

TEST_P(Htj2kDecoder, ADamagedCodestreamIsAnErrorNotACrash) {
  const Bytes codestream = fixture(GetParam() + ".j2c");
  auto at = std::search(object_.begin(), object_.end(), codestream.begin(), codestream.end());
  ASSERT_NE(at, object_.end());
  std::fill(at, at + 64, std::uint8_t{0x5A});  // no SOC, SIZ or CAP marker any more
  auto decoded = frames(object_, {1}, FrameSyntax::kUncompressed);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidDicom);
  EXPECT_FALSE(render_jpeg(object_, {}).ok());
  EXPECT_FALSE(to_explicit_little_endian(object_).ok());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Htj2kDecoder,
                         ::testing::Values(std::string("htj2k_mono16"), std::string("htj2k_rgb8")));

}  // namespace
}  // namespace arca::dicom
