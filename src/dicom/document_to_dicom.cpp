#include "dicom/document_to_dicom.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>

#include <array>
#include <cstring>

#include "dicom/photo_image.h"
#include "dicom/stored_object.h"
#include "dicom/web_dataset.h"

namespace arca::dicom {
namespace {

constexpr std::string_view kUtf8 = "ISO_IR 192";

// Patient module and General Study module attributes copied from the stored study.
const std::array<DcmTagKey, 13> kCopiedTags = {DCM_PatientName,
                                               DCM_PatientID,
                                               DCM_IssuerOfPatientID,
                                               DCM_PatientBirthDate,
                                               DCM_PatientSex,
                                               DCM_StudyInstanceUID,
                                               DCM_StudyDate,
                                               DCM_StudyTime,
                                               DCM_ReferringPhysicianName,
                                               DCM_StudyID,
                                               DCM_AccessionNumber,
                                               DCM_StudyDescription,
                                               DCM_TimezoneOffsetFromUTC};

// Type 2 attributes of the Patient and General Study modules: present, empty when unknown.
const std::array<DcmTagKey, 9> kType2Tags = {
    DCM_PatientName,    DCM_PatientID, DCM_PatientBirthDate,       DCM_PatientSex,
    DCM_StudyDate,      DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID,
    DCM_AccessionNumber};

std::uint32_t tag_number(const DcmTagKey& tag) {
  return (std::uint32_t{tag.getGroup()} << 16) | tag.getElement();
}

const char* photometric_name(Photometric p) {
  switch (p) {
    case Photometric::kMonochrome2:
      return "MONOCHROME2";
    case Photometric::kRgb:
      return "RGB";
    case Photometric::kYbrFull:
      return "YBR_FULL";
    case Photometric::kYbrFull422:
      return "YBR_FULL_422";
  }
  return "RGB";
}

// Puts a string value; DCMTK refuses only values it cannot hold (never the case for ours).
void put(DcmDataset& ds, const DcmTagKey& tag, std::string_view value) {
  (void)ds.putAndInsertOFStringArray(tag, OFString(value.data(), value.size()));
}

// LO/SH values are limited to 64/16 characters; a title longer than that is shortened.
std::string clip(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && chars++ == max_chars)
      return std::string(text.substr(0, i));
  }
  return std::string(text);
}

void put_common(DcmDataset& ds, const StudyHeader& study, const DocumentRequest& request,
                std::string_view sop_class) {
  put(ds, DCM_SpecificCharacterSet, kUtf8);
  for (const DcmTagKey& tag : kType2Tags)
    put(ds, tag, "");
  for (const CopiedElement& e : study.elements)
    put(ds, DcmTagKey(static_cast<Uint16>(e.tag >> 16), static_cast<Uint16>(e.tag & 0xFFFF)),
        e.value);
  put(ds, DCM_SOPClassUID, sop_class);
  put(ds, DCM_SOPInstanceUID, request.instance_uid);
  put(ds, DCM_SeriesInstanceUID, request.series_uid);
  put(ds, DCM_SeriesNumber, "901");
  put(ds, DCM_InstanceNumber, "1");
  put(ds, DCM_SeriesDescription, clip(request.title, 64));
  put(ds, DCM_SeriesDate, request.date);
  put(ds, DCM_SeriesTime, request.time);
  put(ds, DCM_ContentDate, request.date);
  put(ds, DCM_ContentTime, request.time);
  put(ds, DCM_InstanceCreationDate, request.date);
  put(ds, DCM_InstanceCreationTime, request.time);
  put(ds, DCM_Manufacturer, "Arca");
  put(ds, DCM_ConversionType, "WSD");  // SC Equipment: converted at a workstation
}

void put_pdf(DcmDataset& ds, const DocumentRequest& request) {
  put(ds, DCM_Modality, "DOC");
  put(ds, DCM_BurnedInAnnotation, "YES");
  put(ds, DCM_DocumentTitle, clip(request.title, 64));
  put(ds, DCM_AcquisitionDateTime, "");
  (void)ds.insertEmptyElement(DCM_ConceptNameCodeSequence);
  put(ds, DCM_MIMETypeOfEncapsulatedDocument, "application/pdf");
  (void)ds.putAndInsertUint32(DCM_EncapsulatedDocumentLength,
                              static_cast<Uint32>(request.content.size()));
  // OB values have even length: DCMTK pads an odd PDF with one NUL byte, which PDF readers
  // ignore; EncapsulatedDocumentLength keeps the exact length.
  (void)ds.putAndInsertUint8Array(DCM_EncapsulatedDocument, request.content.data(),
                                  static_cast<unsigned long>(request.content.size()));
}

Result<E_TransferSyntax> put_photo(DcmDataset& ds, PhotoPixels& photo) {
  put(ds, DCM_Modality, "OT");
  put(ds, DCM_PatientOrientation, "");
  (void)ds.putAndInsertUint16(DCM_SamplesPerPixel, photo.samples_per_pixel);
  put(ds, DCM_PhotometricInterpretation, photometric_name(photo.photometric));
  (void)ds.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(photo.rows));
  (void)ds.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(photo.columns));
  (void)ds.putAndInsertUint16(DCM_BitsAllocated, 8);
  (void)ds.putAndInsertUint16(DCM_BitsStored, 8);
  (void)ds.putAndInsertUint16(DCM_HighBit, 7);
  (void)ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  if (photo.samples_per_pixel == 3)
    (void)ds.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  if (!photo.jpeg_baseline) {
    put(ds, DCM_LossyImageCompression, "00");
    (void)ds.putAndInsertUint8Array(DCM_PixelData, photo.data.data(),
                                    static_cast<unsigned long>(photo.data.size()));
    return EXS_LittleEndianExplicit;
  }
  put(ds, DCM_LossyImageCompression, "01");
  put(ds, DCM_LossyImageCompressionMethod, "ISO_10918_1");
  auto sequence = std::make_unique<DcmPixelSequence>(DCM_PixelSequenceTag);
  (void)sequence->insert(new DcmPixelItem(DcmTag(DCM_Item, EVR_OB)));  // empty offset table
  DcmOffsetList offsets;
  if (sequence
          ->storeCompressedFrame(offsets, photo.data.data(), static_cast<Uint32>(photo.data.size()),
                                 0)
          .bad())
    return make_error(ErrorCode::kInternal, "encapsulating the JPEG failed");
  auto pixels = std::make_unique<DcmPixelData>(DCM_PixelData);
  pixels->putOriginalRepresentation(EXS_JPEGProcess1, nullptr, sequence.release());
  if (ds.insert(pixels.release(), OFTrue).bad())
    return make_error(ErrorCode::kInternal, "encapsulating the JPEG failed");
  return EXS_JPEGProcess1;
}

Result<Bytes> write_part10(DcmFileFormat& file, E_TransferSyntax syntax) {
  const std::size_t estimate = file.calcElementLength(syntax, EET_ExplicitLength) + 64 * 1024;
  Bytes buffer(estimate);
  DcmOutputBufferStream out(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  file.transferInit();
  OFCondition status =
      file.write(out, syntax, EET_ExplicitLength, nullptr, EGL_recalcGL, EPD_withoutPadding);
  file.transferEnd();
  if (status.bad())
    return make_error(ErrorCode::kInternal, "writing the document object failed");
  void* data = nullptr;
  offile_off_t length = 0;
  out.flushBuffer(data, length);
  buffer.resize(static_cast<std::size_t>(length));
  return buffer;
}

}  // namespace

std::optional<DocumentType> document_type_of(std::string_view media_type) {
  if (media_type == "application/pdf")
    return DocumentType::kPdf;
  if (media_type == "image/jpeg")
    return DocumentType::kJpeg;
  if (media_type == "image/png")
    return DocumentType::kPng;
  return std::nullopt;
}

bool matches_magic(DocumentType type, ByteView content) {
  auto starts = [&](std::string_view magic) {
    return content.size() >= magic.size() &&
           std::memcmp(content.data(), magic.data(), magic.size()) == 0;
  };
  switch (type) {
    case DocumentType::kPdf:
      return starts("%PDF-");
    case DocumentType::kJpeg:
      return starts("\xFF\xD8\xFF");
    case DocumentType::kPng:
      return starts("\x89PNG\r\n\x1A\n");
  }
  return false;
}

Result<std::optional<StudyHeader>> read_study_header(ByteView prefix, bool complete) {
  return detail::guarded([&]() -> Result<std::optional<StudyHeader>> {
    auto read = ARCA_TRY(detail::read_until_pixel_data(prefix, complete));
    if (!read)
      return std::optional<StudyHeader>();
    DcmDataset& ds = *read->file->getDataset();
    detail::text_to_utf8(ds, "");
    StudyHeader header;
    for (const DcmTagKey& tag : kCopiedTags) {
      OFString value;
      if (ds.findAndGetOFStringArray(tag, value, OFFalse).good() && !value.empty())
        header.elements.push_back({tag_number(tag), value.c_str()});
      if (tag == DCM_StudyInstanceUID)
        header.study_uid = value.c_str();
    }
    if (header.study_uid.empty())
      return make_error(ErrorCode::kInvalidDicom, "stored object has no Study Instance UID");
    return std::optional<StudyHeader>(std::move(header));
  });
}

Result<BuiltDocument> build_document(const StudyHeader& study, const DocumentRequest& request) {
  if (!matches_magic(request.type, request.content)) {
    const char* what = request.type == DocumentType::kPdf    ? "a PDF document"
                       : request.type == DocumentType::kJpeg ? "a JPEG image"
                                                             : "a PNG image";
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("the file is not ") + what + " (its first bytes do not match)");
  }
  std::optional<PhotoPixels> photo;
  if (request.type == DocumentType::kJpeg)
    photo = ARCA_TRY(read_jpeg(request.content));
  else if (request.type == DocumentType::kPng)
    photo = ARCA_TRY(read_png(request.content));
  if (photo && (photo->rows > 0xFFFF || photo->columns > 0xFFFF))
    return make_error(ErrorCode::kTooLarge, "the photo is wider or taller than 65,535 pixels");
  return detail::guarded([&]() -> Result<BuiltDocument> {
    BuiltDocument built;
    built.sop_class_uid = std::string(photo ? kSecondaryCaptureStorage : kEncapsulatedPdfStorage);
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    put_common(ds, study, request, built.sop_class_uid);
    E_TransferSyntax syntax = EXS_LittleEndianExplicit;
    if (photo)
      syntax = ARCA_TRY(put_photo(ds, *photo));
    else
      put_pdf(ds, request);
    built.part10 = ARCA_TRY(write_part10(file, syntax));
    return built;
  });
}

}  // namespace arca::dicom
