#include "dicomweb/dicom_xml.h"

#include <gtest/gtest.h>

namespace arca::dicomweb {
namespace {

TEST(DicomXml, AttributesInTagOrderWithValuesAndPersonNames) {
  DicomXmlObject o;
  o.add(0x00100010, "PatientName", "PN", "Yamada^Tarou=山田^太郎=やまだ^たろう");
  o.add(0x0020000D, "StudyInstanceUID", "UI", "1.2.3");
  o.add(0x00080061, "ModalitiesInStudy", "CS", "CT\\MR");
  o.add(0x00081030, "StudyDescription", "LO", "");
  const std::string xml = o.str();
  EXPECT_TRUE(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel"));
  EXPECT_NE(xml.find("xmlns=\"http://dicom.nema.org/PS3.19/models/NativeDICOM\""),
            std::string::npos);
  EXPECT_LT(xml.find("00080061"), xml.find("00081030"));
  EXPECT_LT(xml.find("00100010"), xml.find("0020000D"));
  EXPECT_NE(xml.find("<Value number=\"1\">CT</Value><Value number=\"2\">MR</Value>"),
            std::string::npos);
  EXPECT_NE(xml.find("<DicomAttribute tag=\"00081030\" vr=\"LO\" keyword=\"StudyDescription\">"
                     "</DicomAttribute>"),
            std::string::npos);
  EXPECT_NE(xml.find("<PersonName number=\"1\"><Alphabetic><FamilyName>Yamada</FamilyName>"
                     "<GivenName>Tarou</GivenName></Alphabetic><Ideographic><FamilyName>山田"
                     "</FamilyName><GivenName>太郎</GivenName></Ideographic><Phonetic>"),
            std::string::npos);
}

TEST(DicomXml, TextIsEscapedAndControlCharactersDropped) {
  DicomXmlObject o;
  o.add(0x00081030, "StudyDescription", "LO", "a<b & \"c\">\x01");
  o.add(0x00204000, "ImageComments", "LT", "one\\two");  // single-valued text keeps '\'
  const std::string xml = o.str();
  EXPECT_NE(xml.find("<Value number=\"1\">a&lt;b &amp; &quot;c&quot;&gt;</Value>"),
            std::string::npos);
  EXPECT_NE(xml.find("<Value number=\"1\">one\\two</Value>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace arca::dicomweb
