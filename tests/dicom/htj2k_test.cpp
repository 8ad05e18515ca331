// HTJ2K objects decoded through OpenJPEG (src/dicom/htj2k.h). The fixtures in tests/data were
// encoded by OpenJPH (tests/data/make_htj2k.cjs, make_htj2k.py) from the .raw source pixels
// beside them, so a lossless decode must give those bytes back exactly: one-frame 16-bit grey
// and 8-bit YBR_RCT objects in .201, a two-frame 16-bit object in .202 (RPCL).
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "corpus.h"
#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"
#include "dicom/render.h"
#include "dicom/web_views.h"

namespace arca::dicom {
namespace {

struct Fixture {
  std::string name;
  std::uint32_t frames;
  std::string transfer_syntax;
  std::string decoded_photometric;
};

void PrintTo(const Fixture& f, std::ostream* out) {
  *out << f.name;
}

Bytes fixture(const std::string& name) {
  return testing::read_whole_file(std::string(ARCA_DICOM_TEST_DIR) + "/../data/" + name);
}

class Htj2kDecoder : public ::testing::TestWithParam<Fixture> {
 protected:
  void SetUp() override {
    init_dcmtk();
    object_ = fixture(GetParam().name + ".dcm");
    source_ = fixture(GetParam().name + ".raw");
    ASSERT_FALSE(object_.empty());
    ASSERT_FALSE(source_.empty());
    for (std::uint32_t n = 1; n <= GetParam().frames; ++n)
      all_frames_.push_back(n);
  }
  // The stored codestream of frame n, as DICOM keeps it: padded to an even length.
  Bytes codestream(std::uint32_t n) const {
    Bytes c = fixture(GetParam().name + "." + std::to_string(n) + ".j2c");
    if (c.size() % 2 == 1)
      c.push_back(0);
    return c;
  }
  // The source pixels of frames, one after another.
  static Bytes joined(const std::vector<Bytes>& frames) {
    Bytes out;
    for (const Bytes& f : frames)
      out.insert(out.end(), f.begin(), f.end());
    return out;
  }
  Bytes object_;
  Bytes source_;
  std::vector<std::uint32_t> all_frames_;
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
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), GetParam().transfer_syntax);
  auto stored = frames(object_, all_frames_, FrameSyntax::kAsStored);
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  EXPECT_EQ(stored->transfer_syntax, GetParam().transfer_syntax);
  EXPECT_EQ(stored->media_type, "image/jphc");
  ASSERT_EQ(stored->frames.size(), GetParam().frames);
  for (std::uint32_t n = 1; n <= GetParam().frames; ++n) {
    EXPECT_TRUE(is_part15_codestream(stored->frames[n - 1])) << "frame " << n;
    EXPECT_EQ(stored->frames[n - 1], codestream(n)) << "frame " << n;
  }
}

TEST_P(Htj2kDecoder, FramesDecodeToTheSourcePixelsExactly) {
  auto decoded = frames(object_, all_frames_, FrameSyntax::kUncompressed);
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(decoded->transfer_syntax, kExplicitVrLittleEndian);
  EXPECT_EQ(decoded->media_type, "application/octet-stream");
  ASSERT_EQ(decoded->frames.size(), GetParam().frames);
  EXPECT_TRUE(joined(decoded->frames) == source_) << "decoded pixels differ from the source";
  auto last = frames(object_, {GetParam().frames}, FrameSyntax::kUncompressed);
  ASSERT_TRUE(last.ok());
  const std::size_t frame_size = source_.size() / GetParam().frames;
  EXPECT_TRUE(last->frames.at(0) ==
              Bytes(source_.end() - static_cast<long>(frame_size), source_.end()));
}

TEST_P(Htj2kDecoder, TranscodesToExplicitLittleEndianWithTheSourcePixels) {
  auto native = to_explicit_little_endian(object_);
  ASSERT_TRUE(native.ok()) << native.error().to_string();
  auto parsed = parse_part10(*native);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), kExplicitVrLittleEndian);
  auto pixels = frames(*native, all_frames_, FrameSyntax::kAsStored);
  ASSERT_TRUE(pixels.ok()) << pixels.error().to_string();
  EXPECT_TRUE(joined(pixels->frames) == source_) << "transcoded pixels differ from the source";
  auto metadata = metadata_json(*native, "/b");
  ASSERT_TRUE(metadata.ok());
  const std::string photometric =
      R"("00280004":{"vr":"CS","Value":[")" + GetParam().decoded_photometric + "\"]}";
  EXPECT_NE(metadata->find(photometric), std::string::npos) << *metadata;
}

TEST_P(Htj2kDecoder, RendersEachFrame) {
  for (std::uint32_t n = 1; n <= GetParam().frames; ++n) {
    RenderOptions options;
    options.frame = n;
    auto jpeg = render_jpeg(object_, options);
    ASSERT_TRUE(jpeg.ok()) << jpeg.error().to_string();
    ASSERT_GT(jpeg->size(), 2u);
    EXPECT_EQ((*jpeg)[0], 0xFF);
    EXPECT_EQ((*jpeg)[1], 0xD8);
  }
  RenderOptions beyond;
  beyond.frame = GetParam().frames + 1;
  auto none = render_jpeg(object_, beyond);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

TEST_P(Htj2kDecoder, ADamagedCodestreamIsAnErrorNotACrash) {
  const Bytes first = codestream(1);
  ASSERT_FALSE(first.empty());
  auto at = std::search(object_.begin(), object_.end(), first.begin(), first.end());
  ASSERT_NE(at, object_.end());
  std::fill(at, at + 64, std::uint8_t{0x5A});  // no SOC, SIZ or CAP marker any more
  auto decoded = frames(object_, {1}, FrameSyntax::kUncompressed);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidDicom);
  EXPECT_FALSE(render_jpeg(object_, {}).ok());
  EXPECT_FALSE(to_explicit_little_endian(object_).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, Htj2kDecoder,
    ::testing::Values(Fixture{"htj2k_mono16", 1, "1.2.840.10008.1.2.4.201", "MONOCHROME2"},
                      Fixture{"htj2k_rgb8", 1, "1.2.840.10008.1.2.4.201", "RGB"},
                      Fixture{"htj2k_2frames", 2, "1.2.840.10008.1.2.4.202", "MONOCHROME2"}),
    [](const ::testing::TestParamInfo<Fixture>& p) { return p.param.name; });

}  // namespace
}  // namespace arca::dicom
