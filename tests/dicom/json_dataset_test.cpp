#include "dicom/json_dataset.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "dicom/parse.h"

namespace arca::dicom {
namespace {

const std::string kCtImage = "1.2.840.10008.5.1.4.1.1.2";

std::string dataset(const std::string& sop, const std::string& extra) {
  return R"({"00080016":{"vr":"UI","Value":[")" + kCtImage + R"("]},
    "00080018":{"vr":"UI","Value":[")" +
         sop + R"("]},
    "0020000D":{"vr":"UI","Value":["1.2.3.4"]},"0020000E":{"vr":"UI","Value":["1.2.3.4.5"]},
    "00100020":{"vr":"LO","Value":["PID-1"]},"00080060":{"vr":"CS","Value":["CT"]})" +
         extra + "}";
}

std::unique_ptr<DcmFileFormat> load(const Bytes& part10) {
  auto file = std::make_unique<DcmFileFormat>();
  DcmInputBufferStream in;
  in.setBuffer(part10.data(), static_cast<offile_off_t>(part10.size()));
  in.setEos();
  file->transferInit();
  EXPECT_TRUE(file->read(in).good());
  file->transferEnd();
  return file;
}

struct Parts {
  std::map<std::string, std::pair<Bytes, std::string>, std::less<>> by_location;
  BulkResolver resolver() {
    return [this](std::string_view uri) -> std::optional<BulkValue> {
      auto it = by_location.find(uri);
      if (it == by_location.end())
        return std::nullopt;
      return BulkValue{it->second.first, it->second.second};
    };
  }
};

TEST(JsonDataset, BuildsAPart10ObjectThatIngestAccepts) {
  Parts parts;
  Bytes pixels(4 * 4 * 2);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>(i * 7);
  parts.by_location["pixels"] = {pixels, "application/octet-stream"};
  const std::string json = "[" + dataset("1.2.3.4.5.6", R"(,
    "00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane","Ideographic":"","Phonetic":"do^jane"}]},
    "00280010":{"vr":"US","Value":[4]},"00280011":{"vr":"US","Value":[4]},
    "00280100":{"vr":"US","Value":[16]},"00280101":{"vr":"US","Value":[16]},
    "00280102":{"vr":"US","Value":[15]},"00280103":{"vr":"US","Value":[0]},
    "00280002":{"vr":"US","Value":[1]},"00280004":{"vr":"CS","Value":["MONOCHROME2"]},
    "00200013":{"vr":"IS","Value":[7]},"00180050":{"vr":"DS","Value":[0.625]},
    "00281050":{"vr":"DS","Value":["40","400"]},"00200032":{"vr":"DS","Value":[-1.5,2,3.25]},
    "00081140":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.840.10008.5.1.4.1.1.2"]},
                                    "00081155":{"vr":"UI","Value":["9.8.7"]}}]},
    "00091010":{"vr":"OB","InlineBinary":"AAEC"},"00100030":{"vr":"DA"},
    "7FE00010":{"vr":"OW","BulkDataURI":"pixels"})") +
                           "]";
  auto built = part10_from_dicom_json(json, parts.resolver());
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->size(), 1u);
  ASSERT_TRUE((*built)[0].ok()) << (*built)[0].error().message;
  const BuiltInstance& instance = *(*built)[0];
  EXPECT_FALSE(instance.coerced);
  auto parsed = parse_part10(instance.part10);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->attributes.instance.sop_instance_uid.str(), "1.2.3.4.5.6");
  EXPECT_EQ(parsed->attributes.patient.patient_name, "Doe^Jane==do^jane");

  auto file = load(instance.part10);
  DcmDataset& ds = *file->getDataset();
  OFString text;
  EXPECT_TRUE(file->getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, text).good());
  EXPECT_EQ(text, "1.2.840.10008.1.2.1");
  EXPECT_TRUE(ds.findAndGetOFStringArray(DCM_WindowCenter, text).good());
  EXPECT_EQ(text, "40\\400");
  EXPECT_TRUE(ds.findAndGetOFStringArray(DCM_ImagePositionPatient, text).good());
  EXPECT_EQ(text, "-1.5\\2\\3.25");
  EXPECT_TRUE(ds.findAndGetOFString(DCM_SliceThickness, text).good());
  EXPECT_EQ(text, "0.625");
  Uint16 rows = 0;
  EXPECT_TRUE(ds.findAndGetUint16(DCM_Rows, rows).good());
  EXPECT_EQ(rows, 4);
  EXPECT_TRUE(ds.tagExists(DCM_PatientBirthDate));  // empty value kept
  DcmItem* item = nullptr;
  ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_ReferencedImageSequence, item, 0).good());
  EXPECT_TRUE(item->findAndGetOFString(DCM_ReferencedSOPInstanceUID, text).good());
  EXPECT_EQ(text, "9.8.7");
  const Uint8* raw = nullptr;
  unsigned long count = 0;
  EXPECT_TRUE(ds.findAndGetUint8Array(DcmTagKey(0x0009, 0x1010), raw, &count).good());
  ASSERT_EQ(count, 4u);  // three bytes, padded to an even length
  EXPECT_EQ(raw[2], 2);
  const Uint16* words = nullptr;
  EXPECT_TRUE(ds.findAndGetUint16Array(DCM_PixelData, words, &count).good());
  ASSERT_EQ(count, 16u);
  EXPECT_EQ(std::memcmp(words, pixels.data(), pixels.size()), 0);
}

TEST(JsonDataset, NonAsciiTextSetsUtf8AndIsReportedAsCoerced) {
  Parts parts;
  const std::string json =
      "[" +
      dataset("1.2.3.4.5.7", R"(,"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller^Jörg"}]})") +
      "," + dataset("1.2.3.4.5.8", R"(,"00080005":{"vr":"CS","Value":["ISO_IR 192"]},
               "00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller^Jörg"}]})") +
      "]";
  auto built = part10_from_dicom_json(json, parts.resolver());
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->size(), 2u);
  ASSERT_TRUE((*built)[0].ok());
  EXPECT_TRUE((*built)[0]->coerced);
  auto parsed = parse_part10((*built)[0]->part10);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->attributes.specific_character_set, "ISO_IR 192");
  EXPECT_EQ(parsed->attributes.patient.patient_name, "Müller^Jörg");
  ASSERT_TRUE((*built)[1].ok());
  EXPECT_FALSE((*built)[1]->coerced);  // already declared UTF-8
}

TEST(JsonDataset, EachBadDataSetFailsAlone) {
  Parts parts;
  parts.by_location["jpeg"] = {Bytes{0xFF, 0xD8}, "image/jpeg"};
  const std::string json =
      "[" + dataset("1.2.3.4.5.9", R"(,"7FE00010":{"vr":"OB","BulkDataURI":"missing"})") + "," +
      dataset("1.2.3.4.5.10", R"(,"7FE00010":{"vr":"OB","BulkDataURI":"jpeg"})") + "," +
      dataset("1.2.3.4.5.11", R"(,"00280010":{"vr":"XX","Value":[1]})") + "," +
      dataset("1.2.3.4.5.12", R"(,"0028001":{"vr":"US","Value":[1]})") + "," +
      dataset("1.2.3.4.5.13", R"(,"00280010":{"vr":"US","Value":"1"})") + "," +
      dataset("1.2.3.4.5.15", R"(,"00091010":{"vr":"OB","InlineBinary":"!!"})") + "," +
      dataset("1.2.3.4.5.14", "") + "]";
  auto built = part10_from_dicom_json(json, parts.resolver());
  ASSERT_TRUE(built.ok());
  ASSERT_EQ(built->size(), 7u);
  EXPECT_EQ((*built)[0].error().code, ErrorCode::kInvalidDicom);  // unresolved BulkDataURI
  EXPECT_EQ((*built)[1].error().code, ErrorCode::kUnsupported);   // compressed pixel data
  EXPECT_FALSE((*built)[2].ok());                                 // unknown VR
  EXPECT_FALSE((*built)[3].ok());                                 // bad tag key
  EXPECT_FALSE((*built)[4].ok());                                 // Value not an array
  EXPECT_EQ((*built)[5].error().code, ErrorCode::kInvalidDicom);  // not base64
  EXPECT_TRUE((*built)[6].ok());
}

TEST(JsonDataset, BodyThatIsNotAnArrayIsRefused) {
  Parts parts;
  for (std::string_view body : {"", "{}", "not json", "[1", "{\"00080018\":{}}"}) {
    auto built = part10_from_dicom_json(body, parts.resolver());
    ASSERT_FALSE(built.ok()) << body;
    EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
  }
  auto not_objects = part10_from_dicom_json("[1, \"x\"]", parts.resolver());
  ASSERT_TRUE(not_objects.ok());
  EXPECT_FALSE((*not_objects)[0].ok());
  EXPECT_FALSE((*not_objects)[1].ok());
}

}  // namespace
}  // namespace arca::dicom
