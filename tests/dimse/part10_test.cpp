#include "dimse/part10.h"

#include <gtest/gtest.h>

#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"

namespace arca::dimse {
namespace {

TEST(Part10Test, WrappedDataSetParsesAndKeepsItsBytes) {
  dicom::init_dcmtk();
  // A minimal explicit VR little endian data set: SOP Class, SOP Instance, Study, Series UIDs.
  auto element = [](Bytes& out, std::uint16_t g, std::uint16_t e, std::string v) {
    if (v.size() % 2 != 0)
      v += '\0';
    for (std::uint16_t x : {g, e}) {
      out.push_back(static_cast<std::uint8_t>(x & 0xff));
      out.push_back(static_cast<std::uint8_t>(x >> 8));
    }
    out.push_back('U');
    out.push_back('I');
    out.push_back(static_cast<std::uint8_t>(v.size()));
    out.push_back(0);
    out.insert(out.end(), v.begin(), v.end());
  };
  Bytes ds;
  element(ds, 0x0008, 0x0016, "1.2.840.10008.5.1.4.1.1.7");
  element(ds, 0x0008, 0x0018, "1.2.3.4.5");
  element(ds, 0x0020, 0x000D, "1.2.3.4");
  element(ds, 0x0020, 0x000E, "1.2.3.4.6");
  Bytes part10 = make_part10({"1.2.840.10008.5.1.4.1.1.7", "1.2.3.4.5", "1.2.840.10008.1.2.1"}, ds);
  auto parsed = dicom::parse_part10(part10);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.instance.sop_instance_uid.str(), "1.2.3.4.5");
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), "1.2.840.10008.1.2.1");
  EXPECT_TRUE(std::equal(ds.begin(), ds.end(), part10.end() - static_cast<long>(ds.size())));
}

// The C-STORE SCP receives into the prefix's buffer: prefix + data set is the same object.
TEST(Part10Test, PrefixThenDataSetIsTheWholeObject) {
  FileMeta meta{"1.2.840.10008.5.1.4.1.1.7", "1.2.3.4.5", "1.2.840.10008.1.2"};
  Bytes ds(1000, 0x42);
  Bytes built = part10_prefix(meta, ds.size());
  EXPECT_GE(built.capacity(), built.size() + ds.size());
  built.insert(built.end(), ds.begin(), ds.end());
  EXPECT_EQ(built, make_part10(meta, ds));
  EXPECT_EQ(part10_prefix(meta).size(), make_part10(meta, {}).size());
}

}  // namespace
}  // namespace arca::dimse
