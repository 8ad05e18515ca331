// Clinical documents as DICOM objects of an existing study: a PDF becomes an Encapsulated PDF
// (1.2.840.10008.5.1.4.1.1.104.1, Modality DOC), a JPEG or PNG photo a Secondary Capture Image
// (1.2.840.10008.5.1.4.1.1.7, Modality OT) — each in a new series of its own, with the patient
// and study attributes copied from an instance already stored in that study.
//
// read_study_header copies those attributes from a stored object (read up to Pixel Data; text
// decoded to UTF-8 with Arca's own decoder, so the new object declares ISO_IR 192).
// build_document validates the content (magic bytes, complete decode of photos; see
// dicom/photo_image.h) and writes a Part-10 object that parse_part10 accepts. Errors never
// carry PHI.
// Thread-safety: the functions are thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace arca::dicom {

enum class DocumentType { kPdf, kJpeg, kPng };

inline constexpr std::string_view kEncapsulatedPdfStorage = "1.2.840.10008.5.1.4.1.1.104.1";
inline constexpr std::string_view kSecondaryCaptureStorage = "1.2.840.10008.5.1.4.1.1.7";

// The document type of a media type (application/pdf, image/jpeg, image/png); nullopt else.
std::optional<DocumentType> document_type_of(std::string_view media_type);
// True when the bytes start as the type's files do (%PDF-, FF D8 FF, the PNG signature).
bool matches_magic(DocumentType type, ByteView content);

// One copied attribute: its tag and value (UTF-8; the VR comes from the data dictionary).
struct CopiedElement {
  std::uint32_t tag = 0;
  std::string value;
};

// The Patient and General Study module attributes of a stored object.
struct StudyHeader {
  std::vector<CopiedElement> elements;
  std::string study_uid;
};

// From a prefix of a stored object. nullopt when the prefix ends before Pixel Data and is not
// the whole object (`complete` false): read a longer prefix and call again.
Result<std::optional<StudyHeader>> read_study_header(ByteView prefix, bool complete);

struct DocumentRequest {
  DocumentType type = DocumentType::kPdf;
  ByteView content;
  std::string title;  // UTF-8; becomes SeriesDescription (and DocumentTitle for a PDF)
  std::string series_uid;
  std::string instance_uid;
  std::string date;  // DA (YYYYMMDD) of ContentDate, InstanceCreationDate, SeriesDate
  std::string time;  // TM (HHMMSS)
};

struct BuiltDocument {
  Bytes part10;
  std::string sop_class_uid;
};

// kInvalidArgument (with a reason a user understands) when the content is not what its type
// says or is damaged; kTooLarge for a photo over kMaxPhotoPixels.
Result<BuiltDocument> build_document(const StudyHeader& study, const DocumentRequest& request);

}  // namespace arca::dicom
