#include "dicom/parse.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "dicom/dcmtk_init.h"
#include "dicom/test_objects.h"

namespace arca::dicom {
namespace {

using testing::kSeriesUid;
using testing::kSopInstanceUid;
using testing::kStudyUid;
using testing::make_object;
using testing::make_part10;
using testing::ObjectSpec;
using testing::patch_bytes;
using testing::write_part10;

class ParseTest : public ::testing::Test {
 protected:
  void SetUp() override { init_dcmtk(); }

  // Expects a rejection with code and a message containing reason and no PHI of ObjectSpec.
  static void expect_rejected(const Result<ParsedInstance>& r, ErrorCode code,
                              const std::string& reason) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_NE(r.error().message.find(reason), std::string::npos) << r.error().message;
    for (const char* phi : {"Doe", "Jane", "PID-42", "19700101"})
      EXPECT_EQ(r.error().message.find(phi), std::string::npos) << r.error().message;
  }
};

TEST_F(ParseTest, ExtractsAttributes) {
  auto r = parse_part10(make_part10());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const IndexAttributes& a = r->attributes;
  EXPECT_EQ(a.specific_character_set, "");
  EXPECT_EQ(a.patient.patient_name, "Doe^Jane");
  EXPECT_EQ(a.patient.patient_id, "PID-42");
  EXPECT_EQ(a.patient.birth_date, "19700101");
  EXPECT_EQ(a.patient.sex, "F");
  EXPECT_EQ(a.study.study_uid.str(), kStudyUid);
  EXPECT_EQ(a.study.study_date, "20240131");
  EXPECT_EQ(a.study.study_time, "101500.25");
  EXPECT_EQ(a.study.accession_number, "ACC7");
  EXPECT_EQ(a.study.study_description, "CT CHEST");
  EXPECT_EQ(a.series.series_uid.str(), kSeriesUid);
  EXPECT_EQ(a.series.modality, "CT");
  EXPECT_EQ(a.series.series_number, 3);
  EXPECT_EQ(a.series.body_part_examined, "CHEST");
  EXPECT_EQ(a.instance.sop_instance_uid.str(), kSopInstanceUid);
  EXPECT_EQ(a.instance.sop_class_uid.str(), "1.2.840.10008.5.1.4.1.1.2");
  EXPECT_EQ(a.instance.transfer_syntax.str(), "1.2.840.10008.1.2.1");
  EXPECT_EQ(a.instance.instance_number, 12);
  EXPECT_EQ(a.instance.rows, 16);
  EXPECT_EQ(a.instance.columns, 16);
  EXPECT_EQ(a.instance.bits_allocated, 16);
  EXPECT_FALSE(a.instance.number_of_frames.has_value());
  EXPECT_EQ(a.instance.content_date, "");
}

// The patient of an object still arriving: known once its bytes reach past (0010,0021), and
// then the one the full parse finds.
TEST_F(ParseTest, PatientOfPrefixOnceThePatientElementsHaveArrived) {
  const Bytes whole = make_part10();
  EXPECT_FALSE(patient_of_prefix(ByteView(whole).first(100)).has_value());
  EXPECT_FALSE(patient_of_prefix(ByteView(whole).first(kPart10PrefixSize + 40)).has_value());
  std::optional<PatientIdentity> first;
  std::size_t first_at = 0;
  for (std::size_t n = kPart10PrefixSize; n <= whole.size() && !first; n += 16) {
    first = patient_of_prefix(ByteView(whole).first(n));
    first_at = n;
  }
  ASSERT_TRUE(first.has_value());
  EXPECT_LT(first_at, whole.size());  // before the object is complete
  EXPECT_EQ(first->id, "PID-42");
  EXPECT_EQ(first->issuer, "");
  auto complete = patient_of_prefix(whole);
  ASSERT_TRUE(complete.has_value());
  EXPECT_EQ(complete->id, "PID-42");
  // A prefix that is not DICOM names no patient.
  Bytes junk(4096, 0x42);
  EXPECT_FALSE(patient_of_prefix(junk).has_value());
}

TEST_F(ParseTest, ReadsEveryUncompressedTransferSyntax) {
  const std::pair<E_TransferSyntax, const char*> cases[] = {
      {EXS_LittleEndianImplicit, "1.2.840.10008.1.2"},
      {EXS_LittleEndianExplicit, "1.2.840.10008.1.2.1"},
      {EXS_BigEndianExplicit, "1.2.840.10008.1.2.2"},
      {EXS_DeflatedLittleEndianExplicit, "1.2.840.10008.1.2.1.99"},
  };
  for (const auto& [xfer, uid] : cases) {
    auto r = parse_part10(make_part10({}, xfer));
    ASSERT_TRUE(r.ok()) << uid << ": " << r.error().message;
    EXPECT_EQ(r->attributes.instance.transfer_syntax.str(), uid);
    EXPECT_EQ(r->attributes.patient.patient_name, "Doe^Jane");
    EXPECT_EQ(r->attributes.instance.rows, 16);
    EXPECT_EQ(r->attributes.series.series_number, 3);
  }
}

TEST_F(ParseTest, RejectsEmptyRandomAndNonDicom) {
  expect_rejected(parse_part10({}), ErrorCode::kInvalidDicom, "empty");
  std::mt19937 rng(7);
  Bytes noise(4096);
  for (auto& b : noise)
    b = static_cast<std::uint8_t>(rng());
  expect_rejected(parse_part10(noise), ErrorCode::kInvalidDicom, "preamble");
  std::string text(1000, 'x');
  expect_rejected(parse_part10(as_bytes(text)), ErrorCode::kInvalidDicom, "preamble");
  expect_rejected(parse_part10(as_bytes("DICM")), ErrorCode::kInvalidDicom, "preamble");
}

TEST_F(ParseTest, RejectsObjectWithoutPreamble) {
  Bytes full = make_part10();
  Bytes without(full.begin() + kPart10PrefixSize, full.end());
  expect_rejected(parse_part10(without), ErrorCode::kInvalidDicom, "preamble");
}

TEST_F(ParseTest, RejectsGarbageAfterMagic) {
  Bytes bytes(kPart10PrefixSize + 512, 0xEE);
  std::copy_n("DICM", 4, bytes.begin() + 128);
  auto r = parse_part10(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidDicom);
  EXPECT_FALSE(r.error().message.empty());
}

TEST_F(ParseTest, RejectsTruncationInsidePixelData) {
  for (E_TransferSyntax xfer : {EXS_LittleEndianExplicit, EXS_LittleEndianImplicit,
                                EXS_BigEndianExplicit, EXS_DeflatedLittleEndianExplicit}) {
    Bytes bytes = make_part10({}, xfer);
    for (std::size_t cut : {std::size_t{1}, std::size_t{2}, std::size_t{100}, std::size_t{511}}) {
      Bytes shorter(bytes.begin(), bytes.end() - static_cast<std::ptrdiff_t>(cut));
      expect_rejected(parse_part10(shorter), ErrorCode::kInvalidDicom, "truncated");
    }
  }
}

// Pixel Data longer than DCMTK's maxReadLength is skipped in place, not copied (dicom/
// memory_input_stream.h): a cut inside it must still be caught, and the rest still extracted.
TEST_F(ParseTest, LargePixelDataIsCheckedWithoutBeingCopied) {
  ObjectSpec spec;
  spec.rows = 256;
  spec.columns = 256;  // 128 KiB of Pixel Data
  for (E_TransferSyntax xfer : {EXS_LittleEndianExplicit, EXS_LittleEndianImplicit,
                                EXS_BigEndianExplicit, EXS_DeflatedLittleEndianExplicit}) {
    Bytes bytes = make_part10(spec, xfer);
    auto parsed = parse_part10(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
    EXPECT_EQ(parsed->attributes.instance.rows, 256);
    EXPECT_EQ(parsed->attributes.instance.columns, 256);
    for (std::size_t cut : {std::size_t{1}, std::min<std::size_t>(4096, bytes.size() / 2),
                            bytes.size() / 2}) {  // inside Pixel Data (or the deflated stream)
      Bytes shorter(bytes.begin(), bytes.end() - static_cast<std::ptrdiff_t>(cut));
      expect_rejected(parse_part10(shorter), ErrorCode::kInvalidDicom, "truncated");
    }
  }
}

TEST_F(ParseTest, RejectsEveryCutInsideAnElementValue) {
  Bytes bytes = make_part10();
  // The value "CT CHEST" sits inside the data set; a cut anywhere inside it must be caught.
  auto at =
      std::search(bytes.begin(), bytes.end(), std::begin("CT CHEST"), std::end("CT CHEST") - 1);
  ASSERT_NE(at, bytes.end());
  for (auto end = at + 1; end < at + 8; ++end)
    expect_rejected(parse_part10(Bytes(bytes.begin(), end)), ErrorCode::kInvalidDicom, "truncated");
}

TEST_F(ParseTest, RejectsCutsInsideTrailingUndefinedLengthSequence) {
  ObjectSpec spec;
  spec.with_pixel_data = false;
  auto file = make_object(spec);
  DcmDataset& ds = *file->getDataset();
  for (const char* code : {"A1", "B22", "C333"}) {
    auto item = std::make_unique<DcmItem>();
    item->putAndInsertString(DCM_CodeValue, code);
    item->putAndInsertString(DCM_CodingSchemeDesignator, "99TEST");
    ASSERT_TRUE(ds.insertSequenceItem(DCM_RequestAttributesSequence, item.release()).good());
  }
  Bytes bytes =
      write_part10(*file, EXS_LittleEndianExplicit, EWM_createNewMeta, EET_UndefinedLength);
  ASSERT_TRUE(parse_part10(bytes).ok());
  // Cuts between items and just before each delimitation item, as well as inside values.
  for (std::size_t cut = 1; cut < 100; ++cut) {
    auto r = parse_part10(ByteView(bytes).first(bytes.size() - cut));
    expect_rejected(r, ErrorCode::kInvalidDicom, "truncated");
  }
}

TEST_F(ParseTest, RejectsTruncatedFileMeta) {
  Bytes bytes = make_part10();
  for (std::size_t size : {std::size_t{133}, std::size_t{140}, std::size_t{200}}) {
    auto r = parse_part10(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size)));
    expect_rejected(r, ErrorCode::kInvalidDicom, "truncated");
  }
}

TEST_F(ParseTest, NoCutCrashesOrIsAcceptedWithWrongIdentity) {
  Bytes bytes = make_part10();
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    auto r = parse_part10(Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size)));
    if (r.ok()) {
      EXPECT_EQ(r->attributes.instance.sop_instance_uid.str(), kSopInstanceUid);
    } else {
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST_F(ParseTest, RejectsUnknownTransferSyntax) {
  Bytes bytes = make_part10();
  ASSERT_TRUE(patch_bytes(bytes, "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.7"));
  auto r = parse_part10(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedTransferSyntax);
}

TEST_F(ParseTest, RejectsMetaWithoutTransferSyntax) {
  auto file = make_object({});
  DcmMetaInfo& meta = *file->getMetaInfo();
  meta.putAndInsertString(DCM_MediaStorageSOPClassUID, "1.2.840.10008.5.1.4.1.1.2");
  meta.putAndInsertString(DCM_MediaStorageSOPInstanceUID, std::string(kSopInstanceUid).c_str());
  file->getDataset()->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
  Bytes bytes = write_part10(*file, EXS_LittleEndianExplicit, EWM_dontUpdateMeta);
  expect_rejected(parse_part10(bytes), ErrorCode::kInvalidDicom, "Transfer Syntax UID");
}

TEST_F(ParseTest, RejectsMissingOrMalformedUids) {
  const std::pair<DcmTagKey, const char*> cases[] = {
      {DCM_SOPClassUID, "SOP Class UID"},
      {DCM_SOPInstanceUID, "SOP Instance UID"},
      {DCM_StudyInstanceUID, "Study Instance UID"},
      {DCM_SeriesInstanceUID, "Series Instance UID"},
  };
  for (const auto& [tag, what] : cases) {
    auto missing = make_object({});
    missing->getDataset()->findAndDeleteElement(tag);
    if (tag == DCM_SOPInstanceUID)  // keep the meta header well-formed
      missing->getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPInstanceUID, "1.2.3");
    auto r =
        parse_part10(write_part10(*missing, EXS_LittleEndianExplicit,
                                  tag == DCM_SOPInstanceUID ? EWM_updateMeta : EWM_createNewMeta));
    expect_rejected(r, ErrorCode::kInvalidDicom, what);

    auto malformed = make_object({});
    malformed->getDataset()->putAndInsertString(tag, "1.2.03.x");
    expect_rejected(parse_part10(write_part10(*malformed, EXS_LittleEndianExplicit)),
                    ErrorCode::kInvalidDicom, what);
  }
}

TEST_F(ParseTest, RejectsSopInstanceUidMismatch) {
  Bytes bytes = make_part10();
  // The second occurrence of the UID is the data set's (0008,0018); change its last digit.
  std::string uid(kSopInstanceUid);
  auto first = std::search(bytes.begin(), bytes.end(), uid.begin(), uid.end());
  ASSERT_NE(first, bytes.end());
  std::string other = uid.substr(0, uid.size() - 1) + "9";
  ASSERT_TRUE(patch_bytes(bytes, uid, other, static_cast<std::size_t>(first - bytes.begin()) + 1));
  expect_rejected(parse_part10(bytes), ErrorCode::kInvalidDicom, "Media Storage SOP Instance UID");
}

TEST_F(ParseTest, LooksLikePart10) {
  Bytes bytes = make_part10();
  EXPECT_TRUE(looks_like_part10(bytes));
  EXPECT_TRUE(looks_like_part10(ByteView(bytes).first(kPart10PrefixSize)));
  EXPECT_FALSE(looks_like_part10(ByteView(bytes).first(kPart10PrefixSize - 1)));
  EXPECT_FALSE(looks_like_part10({}));
  Bytes zeros(kPart10PrefixSize, 0);
  EXPECT_FALSE(looks_like_part10(zeros));
}

}  // namespace
}  // namespace arca::dicom
