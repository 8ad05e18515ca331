// Documents built as DICOM objects: they pass Arca's own validation (parse_part10), carry the
// study's patient and study attributes and the new UIDs, and keep the content exactly
// (a PDF byte for byte, a baseline JPEG as its own bytes, PNG pixels as decoded).
#include "dicom/document_to_dicom.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <gtest/gtest.h>

#include "dicom/dcmtk_init.h"
#include "dicom/parse.h"
#include "dicom/photo_image.h"
#include "test_objects.h"
#include "test_photos.h"

namespace arca::dicom {
namespace {

constexpr std::string_view kNewSeries = "2.25.1001";
constexpr std::string_view kNewInstance = "2.25.1002";

class DocumentToDicomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    init_dcmtk();
    testing::ObjectSpec spec;
    spec.charset = "ISO_IR 100";
    spec.patient_name = "M\xFCller^J\xF6rg";  // Latin-1 in the stored object
    Bytes stored = testing::make_part10(spec);
    auto header = read_study_header(stored, true);
    ASSERT_TRUE(header.ok()) << header.error().to_string();
    ASSERT_TRUE(header->has_value());
    header_ = std::move(**header);
  }

  DocumentRequest request(DocumentType type, const Bytes& content) const {
    DocumentRequest r;
    r.type = type;
    r.content = content;
    r.title = "Überweisung";
    r.series_uid = std::string(kNewSeries);
    r.instance_uid = std::string(kNewInstance);
    r.date = "20261128";
    r.time = "101500";
    return r;
  }

  // The built object, validated by parse_part10, read back with DCMTK.
  std::unique_ptr<DcmFileFormat> build_and_check(const DocumentRequest& r,
                                                 std::string_view sop_class) {
    auto built = build_document(header_, r);
    EXPECT_TRUE(built.ok()) << built.error().to_string();
    if (!built.ok())
      return nullptr;
    EXPECT_EQ(built->sop_class_uid, sop_class);
    auto parsed = parse_part10(built->part10);
    EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
    if (!parsed.ok())
      return nullptr;
    const IndexAttributes& a = parsed->attributes;
    EXPECT_EQ(a.study.study_uid.str(), testing::kStudyUid);
    EXPECT_EQ(a.series.series_uid.str(), kNewSeries);
    EXPECT_EQ(a.instance.sop_instance_uid.str(), kNewInstance);
    EXPECT_EQ(a.instance.sop_class_uid.str(), sop_class);
    EXPECT_EQ(a.patient.patient_name, "Müller^Jörg");  // decoded and re-encoded as UTF-8
    EXPECT_EQ(a.series.series_description, "Überweisung");
    EXPECT_EQ(a.instance.content_date, "20261128");
    auto file = std::make_unique<DcmFileFormat>();
    DcmInputBufferStream in;
    in.setBuffer(built->part10.data(), static_cast<offile_off_t>(built->part10.size()));
    in.setEos();
    file->transferInit();
    EXPECT_TRUE(file->read(in).good());
    file->transferEnd();
    return file;
  }

  StudyHeader header_;
};

TEST_F(DocumentToDicomTest, StudyHeaderCopiesPatientAndStudyAttributesAsUtf8) {
  EXPECT_EQ(header_.study_uid, testing::kStudyUid);
  bool name = false;
  for (const CopiedElement& e : header_.elements) {
    if (e.tag == 0x00100010) {
      EXPECT_EQ(e.value, "Müller^Jörg");
      name = true;
    }
  }
  EXPECT_TRUE(name);
}

TEST_F(DocumentToDicomTest, PdfBecomesEncapsulatedPdfWithItsExactBytes) {
  Bytes pdf = testing::tiny_pdf();
  if (pdf.size() % 2 == 0)
    pdf.push_back('\n');  // odd: DCMTK pads the value, the length attribute keeps the truth
  auto file = build_and_check(request(DocumentType::kPdf, pdf), kEncapsulatedPdfStorage);
  ASSERT_NE(file, nullptr);
  DcmDataset& ds = *file->getDataset();
  OFString modality, mime, charset;
  ASSERT_TRUE(ds.findAndGetOFString(DCM_Modality, modality).good());
  EXPECT_EQ(modality, "DOC");
  ASSERT_TRUE(ds.findAndGetOFString(DCM_MIMETypeOfEncapsulatedDocument, mime).good());
  EXPECT_EQ(mime, "application/pdf");
  ASSERT_TRUE(ds.findAndGetOFString(DCM_SpecificCharacterSet, charset).good());
  EXPECT_EQ(charset, "ISO_IR 192");
  Uint32 length = 0;
  ASSERT_TRUE(ds.findAndGetUint32(DCM_EncapsulatedDocumentLength, length).good());
  EXPECT_EQ(length, pdf.size());
  const Uint8* value = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(ds.findAndGetUint8Array(DCM_EncapsulatedDocument, value, &count).good());
  ASSERT_GE(count, pdf.size());
  EXPECT_EQ(Bytes(value, value + length), pdf);
}

TEST_F(DocumentToDicomTest, PngBecomesNativeSecondaryCapture) {
  Bytes png = testing::encode_png(33, 21, true);
  auto file = build_and_check(request(DocumentType::kPng, png), kSecondaryCaptureStorage);
  ASSERT_NE(file, nullptr);
  DcmDataset& ds = *file->getDataset();
  Uint16 rows = 0, columns = 0, samples = 0;
  OFString photometric;
  ASSERT_TRUE(ds.findAndGetUint16(DCM_Rows, rows).good());
  ASSERT_TRUE(ds.findAndGetUint16(DCM_Columns, columns).good());
  ASSERT_TRUE(ds.findAndGetUint16(DCM_SamplesPerPixel, samples).good());
  ASSERT_TRUE(ds.findAndGetOFString(DCM_PhotometricInterpretation, photometric).good());
  EXPECT_EQ(rows, 21);
  EXPECT_EQ(columns, 33);
  EXPECT_EQ(samples, 3);
  EXPECT_EQ(photometric, "RGB");
  const Uint8* pixels = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(ds.findAndGetUint8Array(DCM_PixelData, pixels, &count).good());
  Bytes expected = testing::gradient(33, 21, true);
  ASSERT_GE(count, expected.size());
  EXPECT_EQ(Bytes(pixels, pixels + expected.size()), expected);  // PNG is lossless
}

TEST_F(DocumentToDicomTest, GrayPngIsMonochrome) {
  auto file = build_and_check(request(DocumentType::kPng, testing::encode_png(8, 8, false)),
                              kSecondaryCaptureStorage);
  ASSERT_NE(file, nullptr);
  OFString photometric;
  ASSERT_TRUE(
      file->getDataset()->findAndGetOFString(DCM_PhotometricInterpretation, photometric).good());
  EXPECT_EQ(photometric, "MONOCHROME2");
}

TEST_F(DocumentToDicomTest, BaselineJpegIsEncapsulatedAsItIs) {
  Bytes jpeg = testing::encode_jpeg(40, 30, true);
  auto built = build_document(header_, request(DocumentType::kJpeg, jpeg));
  ASSERT_TRUE(built.ok()) << built.error().to_string();
  auto parsed = parse_part10(built->part10);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->attributes.instance.transfer_syntax.str(), "1.2.840.10008.1.2.4.50");
  // The JPEG's own bytes sit inside the object unchanged.
  auto at = std::search(built->part10.begin(), built->part10.end(), jpeg.begin(), jpeg.end());
  EXPECT_NE(at, built->part10.end());
}

TEST_F(DocumentToDicomTest, ProgressiveJpegIsDecodedToRgb) {
  Bytes jpeg = testing::encode_jpeg(40, 30, true, /*progressive=*/true);
  auto file = build_and_check(request(DocumentType::kJpeg, jpeg), kSecondaryCaptureStorage);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->getDataset()->getOriginalXfer(), EXS_LittleEndianExplicit);
  OFString photometric;
  ASSERT_TRUE(
      file->getDataset()->findAndGetOFString(DCM_PhotometricInterpretation, photometric).good());
  EXPECT_EQ(photometric, "RGB");
}

TEST_F(DocumentToDicomTest, ContentThatIsNotItsDeclaredTypeIsRefused) {
  Bytes png = testing::encode_png(8, 8, true);
  auto as_pdf = build_document(header_, request(DocumentType::kPdf, png));
  ASSERT_FALSE(as_pdf.ok());
  EXPECT_EQ(as_pdf.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(as_pdf.error().message.find("not a PDF"), std::string::npos);
  auto as_jpeg = build_document(header_, request(DocumentType::kJpeg, png));
  ASSERT_FALSE(as_jpeg.ok());
  EXPECT_EQ(as_jpeg.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DocumentToDicomTest, TruncatedPhotosAreRefusedWithAReason) {
  Bytes png = testing::encode_png(64, 64, true);
  png.resize(png.size() / 2);
  auto bad_png = build_document(header_, request(DocumentType::kPng, png));
  ASSERT_FALSE(bad_png.ok());
  EXPECT_EQ(bad_png.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_png.error().message.find("PNG"), std::string::npos);

  Bytes jpeg = testing::encode_jpeg(64, 64, true);
  jpeg.resize(jpeg.size() / 2);
  auto bad_jpeg = build_document(header_, request(DocumentType::kJpeg, jpeg));
  ASSERT_FALSE(bad_jpeg.ok());
  EXPECT_EQ(bad_jpeg.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_jpeg.error().message.find("JPEG"), std::string::npos);
}

TEST_F(DocumentToDicomTest, CorruptPngChecksumIsRefused) {
  Bytes png = testing::encode_png(16, 16, true);
  png[png.size() - 20] ^= 0xFF;  // inside the image data or its CRC
  auto built = build_document(header_, request(DocumentType::kPng, png));
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(DocumentToDicomTest, MediaTypesAndMagic) {
  EXPECT_EQ(document_type_of("application/pdf"), DocumentType::kPdf);
  EXPECT_EQ(document_type_of("image/jpeg"), DocumentType::kJpeg);
  EXPECT_EQ(document_type_of("image/png"), DocumentType::kPng);
  EXPECT_FALSE(document_type_of("image/gif").has_value());
  EXPECT_TRUE(matches_magic(DocumentType::kPdf, testing::tiny_pdf()));
  EXPECT_FALSE(matches_magic(DocumentType::kPdf, Bytes{'%', 'P'}));
}

}  // namespace
}  // namespace arca::dicom
