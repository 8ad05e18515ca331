#include "dicomweb/dicom_json.h"

#include <gtest/gtest.h>

namespace arca::dicomweb {
namespace {

TEST(DicomJson, WritesAttributesInTagOrderWithVrAndValue) {
  DicomJsonObject o;
  o.add(0x0020000D, "UI", "1.2.3");
  o.add(0x00080020, "DA", "20240101");
  EXPECT_EQ(o.str(), R"({"00080020":{"vr":"DA","Value":["20240101"]},)"
                     R"("0020000D":{"vr":"UI","Value":["1.2.3"]}})");
}

TEST(DicomJson, EmptyValueHasOnlyItsVr) {
  DicomJsonObject o;
  o.add(0x00080050, "SH", "");
  EXPECT_EQ(o.str(), R"({"00080050":{"vr":"SH"}})");
}

TEST(DicomJson, MultipleValuesSplitAtBackslashExceptText) {
  DicomJsonObject o;
  o.add(0x00080061, "CS", "CT\\MR");
  o.add(0x00081030, "LT", "a\\b");
  EXPECT_EQ(o.str(), R"({"00080061":{"vr":"CS","Value":["CT","MR"]},)"
                     R"("00081030":{"vr":"LT","Value":["a\\b"]}})");
}

TEST(DicomJson, NumbersAreJsonNumbers) {
  DicomJsonObject o;
  o.add(0x00200011, "IS", "+0012");
  o.add(0x00280010, "US", "512");
  o.add(0x00281050, "DS", "40.5\\-7");
  EXPECT_EQ(o.str(), R"({"00200011":{"vr":"IS","Value":[12]},)"
                     R"("00280010":{"vr":"US","Value":[512]},)"
                     R"("00281050":{"vr":"DS","Value":[40.5,-7]}})");
}

TEST(DicomJson, MalformedNumberStaysAString) {
  DicomJsonObject o;
  o.add(0x00200011, "IS", "twelve");
  EXPECT_EQ(o.str(), R"({"00200011":{"vr":"IS","Value":["twelve"]}})");
}

TEST(DicomJson, PersonNameGroups) {
  DicomJsonObject o;
  o.add(0x00100010, "PN", "Yamada^Tarou=山田^太郎=やまだ^たろう");
  o.add(0x00080090, "PN", "Doe^John");
  EXPECT_EQ(o.str(), R"({"00080090":{"vr":"PN","Value":[{"Alphabetic":"Doe^John"}]},)"
                     R"("00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou",)"
                     R"("Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}]}})");
}

TEST(DicomJson, PersonNameWithOnlyIdeographicGroup) {
  DicomJsonObject o;
  o.add(0x00100010, "PN", "=山田^太郎");
  EXPECT_EQ(o.str(), R"({"00100010":{"vr":"PN","Value":[{"Ideographic":"山田^太郎"}]}})");
}

TEST(DicomJson, EscapesStrings) {
  DicomJsonObject o;
  o.add(0x00081030, "LO", "say \"hi\"\n");
  EXPECT_EQ(o.str(), R"({"00081030":{"vr":"LO","Value":["say \"hi\"\u000a"]}})");
}

TEST(DicomJson, SequencesAndArrays) {
  DicomJsonObject item;
  item.add(0x00081197, "US", "49152");
  DicomJsonObject o;
  o.add_sequence(0x00081198, {item});
  o.add_sequence(0x00081199, {});
  EXPECT_EQ(o.str(),
            R"({"00081198":{"vr":"SQ","Value":[{"00081197":{"vr":"US","Value":[49152]}}]},)"
            R"("00081199":{"vr":"SQ"}})");
  EXPECT_EQ(json_array({}), "[]");
  EXPECT_EQ(json_array({item, item}), "[" + item.str() + "," + item.str() + "]");
}

TEST(DicomJson, TagKeyIsEightUpperCaseHexDigits) {
  EXPECT_EQ(tag_key(0x0008103E), "0008103E");
  EXPECT_EQ(tag_key(0x7FE00010), "7FE00010");
}

}  // namespace
}  // namespace arca::dicomweb
