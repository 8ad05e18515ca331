#include "dicom/parse.h"

#include <dcmtk/config/osconfig.h>  // must come first among DCMTK headers
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcerror.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstring>
#include <new>
#include <string>

#include "dicom/dcmtk_init.h"
#include "dicom/extract.h"
#include "dicom/htj2k.h"
#include "dicom/memory_input_stream.h"

namespace arca::dicom {
namespace {

constexpr std::size_t kPreambleSize = 128;
constexpr const char* kMediaDirectorySopClass = "1.2.840.10008.1.3.10";  // PS3.10 DICOMDIR

Error invalid(std::string reason) {
  return make_error(ErrorCode::kInvalidDicom, std::move(reason));
}

std::string meta_value(DcmMetaInfo& meta, const DcmTagKey& tag) {
  return detail::ascii_value(meta, tag.getGroup(), tag.getElement());
}

// What DCMTK's read left behind: its status and whether the whole input was consumed.
struct ReadOutcome {
  OFCondition status;
  bool at_end = false;
};

// Values longer than DCM_MaxReadLength (Pixel Data) are skipped, not copied: `file` reads them
// from `part10` only if asked, so it must not outlive those bytes.
ReadOutcome read_object(ByteView part10, DcmFileFormat& file) {
  MemoryInputStream in(part10);
  file.transferInit();
  OFCondition status = file.read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file.transferEnd();
  return {status, in.eos() && in.avail() == 0};
}

// DCMTK reports an element value that runs past the end of the input as EC_InvalidStream
// ("premature end of stream") and a tag, length or value it cannot get enough bytes for as
// EC_StreamNotifyClient (it asks for more input, and the input is final: setEos). A sequence or
// item of undefined length that the input ends in, cut exactly between two elements, shows as a
// missing delimitation item at the end of the input.
bool is_truncation(const ReadOutcome& outcome) {
  if (outcome.status == EC_InvalidStream || outcome.status == EC_StreamNotifyClient)
    return true;
  return outcome.at_end && (outcome.status == EC_SequDelimitationItemMissing ||
                            outcome.status == EC_ItemDelimitationItemMissing);
}

// The file meta information starts with its group length (0002,0000) UL in explicit VR little
// endian (PS3.10 §7.1); an object shorter than the length it declares is truncated. DCMTK reads
// a cut meta header without complaint, so this is checked on the bytes.
Result<void> check_meta_length(ByteView part10) {
  constexpr std::size_t kGroupLengthEnd = kPart10PrefixSize + 12;
  if (part10.size() < kGroupLengthEnd)
    return invalid("truncated: the object ends inside the file meta information");
  const std::uint8_t* p = part10.data() + kPart10PrefixSize;
  const bool group_length = p[0] == 0x02 && p[1] == 0 && p[2] == 0 && p[3] == 0 && p[4] == 'U' &&
                            p[5] == 'L' && p[6] == 4 && p[7] == 0;
  if (!group_length)
    return ok();  // no group length to check against; DCMTK reads such headers element by element
  const std::uint64_t declared = std::uint64_t{p[8]} | std::uint64_t{p[9]} << 8 |
                                 std::uint64_t{p[10]} << 16 | std::uint64_t{p[11]} << 24;
  if (kGroupLengthEnd + declared > part10.size())
    return invalid("truncated: the object ends inside the file meta information");
  return ok();
}

// File meta information: present, complete, and naming a transfer syntax DCMTK knows, or HTJ2K
// (which DCMTK 3.6.7 reads as Explicit VR Little Endian with a pixel sequence: see htj2k.h).
Result<TransferSyntaxUid> check_meta(DcmMetaInfo& meta) {
  const std::pair<DcmTagKey, const char*> required[] = {
      {DCM_MediaStorageSOPClassUID, "Media Storage SOP Class UID (0002,0002)"},
      {DCM_MediaStorageSOPInstanceUID, "Media Storage SOP Instance UID (0002,0003)"},
      {DCM_TransferSyntaxUID, "Transfer Syntax UID (0002,0010)"},
  };
  std::string missing;
  for (const auto& [tag, what] : required) {
    if (meta_value(meta, tag).empty())
      missing += (missing.empty() ? "" : ", ") + std::string(what);
  }
  if (!missing.empty())
    return invalid("file meta information lacks " + missing);
  std::string ts = meta_value(meta, DCM_TransferSyntaxUID);
  if (DcmXfer(ts.c_str()).getXfer() == EXS_Unknown && !detail::is_htj2k(ts))
    return make_error(ErrorCode::kUnsupportedTransferSyntax,
                      "transfer syntax is not one this archive can read");
  return TransferSyntaxUid(std::move(ts));
}

Result<void> check_read(const ReadOutcome& outcome) {
  if (is_truncation(outcome))
    return invalid("truncated: an element extends past the end of the object");
  if (outcome.status.bad())
    return invalid(std::string("data set does not parse: ") + outcome.status.text());
  if (!outcome.at_end)
    return invalid("data set does not parse to the end of the object");
  return ok();
}

Result<void> check_uid(const std::string& uid, const char* what) {
  if (uid.empty())
    return invalid(std::string(what) + " is missing");
  if (!is_valid_uid(uid))
    return invalid(std::string(what) + " is not a valid UID");
  return ok();
}

Result<void> check_identity(const IndexAttributes& a, const std::string& meta_instance_uid) {
  ARCA_TRY(check_uid(a.instance.sop_class_uid.str(), "SOP Class UID (0008,0016)"));
  ARCA_TRY(check_uid(a.instance.sop_instance_uid.str(), "SOP Instance UID (0008,0018)"));
  ARCA_TRY(check_uid(a.study.study_uid.str(), "Study Instance UID (0020,000D)"));
  ARCA_TRY(check_uid(a.series.series_uid.str(), "Series Instance UID (0020,000E)"));
  if (a.instance.sop_instance_uid.str() != meta_instance_uid)
    return invalid("SOP Instance UID differs from the Media Storage SOP Instance UID");
  return ok();
}

Result<ParsedInstance> parse_checked(ByteView part10) {
  DcmFileFormat file;
  ReadOutcome outcome = read_object(part10, file);
  DcmMetaInfo* meta = file.getMetaInfo();
  DcmDataset* dataset = file.getDataset();
  if (meta == nullptr || dataset == nullptr)
    return invalid("file meta information is not readable");
  TransferSyntaxUid transfer_syntax = ARCA_TRY(check_meta(*meta));
  if (meta_value(*meta, DCM_MediaStorageSOPClassUID) == kMediaDirectorySopClass)
    return invalid("a DICOMDIR (media directory file), not an instance");
  ARCA_TRY(check_read(outcome));

  ParsedInstance parsed;
  parsed.attributes = detail::extract_attributes(*dataset);
  parsed.attributes.instance.transfer_syntax = std::move(transfer_syntax);
  ARCA_TRY(check_identity(parsed.attributes, meta_value(*meta, DCM_MediaStorageSOPInstanceUID)));
  return parsed;
}

}  // namespace

bool looks_like_part10(ByteView prefix) {
  return prefix.size() >= kPart10PrefixSize &&
         std::memcmp(prefix.data() + kPreambleSize, "DICM", 4) == 0;
}

namespace {

struct MediaStorage {
  std::string sop_class_uid;
  std::string sop_instance_uid;
};

// The Media Storage SOP Class and Instance UID of the file meta information, if it reads.
std::optional<MediaStorage> media_storage(ByteView part10) {
  if (!looks_like_part10(part10))
    return std::nullopt;
  try {
    DcmMetaInfo meta;
    DcmInputBufferStream in;
    in.setBuffer(part10.data(), static_cast<offile_off_t>(part10.size()));
    in.setEos();
    meta.transferInit();
    OFCondition status = meta.read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    meta.transferEnd();
    if (status.bad())
      return std::nullopt;
    return MediaStorage{meta_value(meta, DCM_MediaStorageSOPClassUID),
                        meta_value(meta, DCM_MediaStorageSOPInstanceUID)};
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

bool is_media_directory(ByteView part10) {
  auto meta = media_storage(part10);
  return meta && meta->sop_class_uid == kMediaDirectorySopClass;
}

std::optional<std::string> media_storage_sop_instance_uid(ByteView prefix) {
  auto meta = media_storage(prefix);
  if (!meta || meta->sop_instance_uid.empty())
    return std::nullopt;
  return meta->sop_instance_uid;
}

Result<ParsedInstance> parse_part10(ByteView part10) {
  if (!dcmtk_dictionary_loaded())
    return make_error(ErrorCode::kInternal, "DICOM data dictionary is not loaded");
  if (part10.empty())
    return invalid("empty object");
  if (!looks_like_part10(part10))
    return invalid("no Part-10 preamble and DICM prefix");
  ARCA_TRY(check_meta_length(part10));
  // DCMTK reports errors as conditions; this only keeps an allocation failure (or any other
  // exception) from crossing the adapter (STYLE rule 2).
  try {
    return parse_checked(part10);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kTooLarge, "object needs more memory than is available");
  } catch (...) {
    return invalid("data set could not be read");
  }
}

std::optional<PatientIdentity> patient_of_prefix(ByteView prefix) {
  if (!dcmtk_dictionary_loaded() || !looks_like_part10(prefix) || !check_meta_length(prefix).ok())
    return std::nullopt;
  try {
    DcmFileFormat file;
    (void)read_object(prefix, file);  // ends early, keeping the elements read before that
    DcmDataset* dataset = file.getDataset();
    if (dataset == nullptr || dataset->card() == 0)
      return std::nullopt;
    DcmElement* last = dataset->getElement(dataset->card() - 1);
    if (last == nullptr || !(last->getTag() > DcmTagKey(0x0010, 0x0021)))
      return std::nullopt;
    IndexAttributes attributes = detail::extract_attributes(*dataset);
    return PatientIdentity{std::move(attributes.patient.issuer_of_patient_id),
                           std::move(attributes.patient.patient_id)};
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace arca::dicom
