#include "dicom/json_dataset.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "dicom/stored_object.h"

namespace arca::dicom {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 32;  // nested sequences

struct Builder {
  const BulkResolver& resolve;
  bool non_ascii = false;
};

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidDicom, std::move(message)};
}

std::optional<DcmTagKey> parse_tag(const std::string& key) {
  if (key.size() != 8 || key.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return std::nullopt;
  unsigned long v = std::stoul(key, nullptr, 16);
  return DcmTagKey(static_cast<Uint16>(v >> 16), static_cast<Uint16>(v & 0xFFFF));
}

std::string number_text(const json& v, bool integer_only) {
  if (v.is_number_integer() || v.is_number_unsigned())
    return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (integer_only)
      return std::to_string(static_cast<long long>(d));
    char buf[32];
    for (int precision = 17; precision > 0; --precision) {  // DS holds at most 16 characters
      std::snprintf(buf, sizeof buf, "%.*g", precision, d);
      if (std::strlen(buf) <= 16 || integer_only)
        break;
    }
    return buf;
  }
  if (v.is_string())
    return v.get<std::string>();
  return "";
}

std::string person_name(const json& v) {
  if (!v.is_object())
    return v.is_string() ? v.get<std::string>() : "";
  std::string groups[3];
  const char* names[3] = {"Alphabetic", "Ideographic", "Phonetic"};
  for (int i = 0; i < 3; ++i) {
    if (v.contains(names[i]) && v[names[i]].is_string())
      groups[i] = v[names[i]].get<std::string>();
  }
  std::string out = groups[0];
  if (!groups[1].empty() || !groups[2].empty())
    out += "=" + groups[1];
  if (!groups[2].empty())
    out += "=" + groups[2];
  return out;
}

// The element's values joined with backslashes, as DCMTK's putString takes them.
Result<std::string> joined_values(Builder& b, const std::string& vr, const json& values) {
  if (!values.is_array())
    return invalid("Value must be an array");
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    std::string text;
    if (v.is_null())
      text = "";
    else if (vr == "PN")
      text = person_name(v);
    else if (v.is_number())
      text = number_text(v, vr == "IS" || vr == "US" || vr == "SS" || vr == "UL" || vr == "SL" ||
                                vr == "UV" || vr == "SV");
    else if (v.is_string())
      text = v.get<std::string>();
    else
      return invalid("unsupported value in a " + vr + " element");
    for (unsigned char c : text)
      b.non_ascii = b.non_ascii || c >= 0x80;
    out += (i ? "\\" : "") + text;
  }
  return out;
}

// Strict base64 (RFC 4648, padding optional, no whitespace): kInvalidDicom otherwise.
Result<Bytes> base64_decode(std::string_view text) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=')
    text.remove_suffix(1);
  if (text.size() % 4 == 1)
    return invalid("InlineBinary is not base64");
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = sextet(c);
    if (v < 0)
      return invalid("InlineBinary is not base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

Result<Bytes> binary_value(Builder& b, const DcmTagKey& key, const json& attr) {
  if (attr.contains("InlineBinary"))
    return base64_decode(attr["InlineBinary"].get<std::string>());
  const std::string uri = attr["BulkDataURI"].get<std::string>();
  std::optional<BulkValue> value = b.resolve(uri);
  if (!value)
    return invalid("BulkDataURI names no part of the request");
  if (key == DCM_PixelData && value->media_type != "application/octet-stream")
    return make_error(ErrorCode::kUnsupported,
                      "only native pixel data (application/octet-stream) can be stored as JSON");
  return Bytes(value->bytes.begin(), value->bytes.end());
}

Result<void> put_binary(DcmElement& element, const std::string& vr, Bytes bytes) {
  OFCondition status;
  auto count = [&](std::size_t unit) { return static_cast<unsigned long>(bytes.size() / unit); };
  if (vr == "OW" || vr == "OL" || vr == "OF" || vr == "OD") {
    const std::size_t unit = vr == "OW" ? 2 : vr == "OD" ? 8 : 4;
    if (bytes.size() % unit != 0)
      return invalid(vr + " value length is not a multiple of " + std::to_string(unit));
    if (vr == "OW") {
      std::vector<Uint16> words(count(2));
      std::memcpy(words.data(), bytes.data(), bytes.size());  // little-endian host
      status = element.putUint16Array(words.data(), count(2));
    } else if (vr == "OL") {
      std::vector<Uint32> v(count(4));
      std::memcpy(v.data(), bytes.data(), bytes.size());
      status = element.putUint32Array(v.data(), count(4));
    } else if (vr == "OF") {
      std::vector<Float32> v(count(4));
      std::memcpy(v.data(), bytes.data(), bytes.size());
      status = element.putFloat32Array(v.data(), count(4));
    } else {
      std::vector<Float64> v(count(8));
      std::memcpy(v.data(), bytes.data(), bytes.size());
      status = element.putFloat64Array(v.data(), count(8));
    }
  } else {
    status = element.putUint8Array(bytes.data(), count(1));
  }
  if (status.bad())
    return invalid(vr + " value cannot be set: " + std::string(status.text()));
  return ok();
}

Result<void> fill(Builder& b, DcmItem& item, const json& object, int depth);

Result<void> put_attribute(Builder& b, DcmItem& item, const DcmTagKey& key, const json& attr,
                           int depth) {
  if (!attr.is_object() || !attr.contains("vr") || !attr["vr"].is_string())
    return invalid("attribute without a vr");
  const std::string vr = attr["vr"].get<std::string>();
  DcmVR dcm_vr(vr.c_str());
  if (dcm_vr.getEVR() == EVR_UNKNOWN || vr.size() != 2)
    return invalid("unknown VR " + vr);
  DcmTag tag(key, dcm_vr);
  DcmElement* created = nullptr;
  if (DcmItem::newDicomElementWithVR(created, tag).bad() || created == nullptr)
    return invalid("cannot create element");
  std::unique_ptr<DcmElement> element(created);
  if (vr == "SQ") {
    auto* sequence = static_cast<DcmSequenceOfItems*>(element.get());
    if (attr.contains("Value")) {
      if (!attr["Value"].is_array())
        return invalid("Value must be an array");
      for (const json& child : attr["Value"]) {
        auto nested = std::make_unique<DcmItem>();
        ARCA_TRY(fill(b, *nested, child, depth + 1));
        if (sequence->append(nested.get()).bad())
          return invalid("cannot add a sequence item");
        (void)nested.release();  // owned by the sequence now
      }
    }
  } else if (vr == "OB" || vr == "OW" || vr == "OF" || vr == "OD" || vr == "OL" || vr == "UN") {
    if (attr.contains("InlineBinary") || attr.contains("BulkDataURI"))
      ARCA_TRY(put_binary(*element, vr, ARCA_TRY(binary_value(b, key, attr))));
  } else if (vr == "OV") {
    return make_error(ErrorCode::kUnsupported, "OV values are not supported in DICOM JSON");
  } else if (vr == "AT") {
    if (attr.contains("Value")) {
      unsigned long pos = 0;
      for (const json& v : attr["Value"]) {
        auto at = v.is_string() ? parse_tag(v.get<std::string>()) : std::nullopt;
        if (!at || element->putTagVal(*at, pos++).bad())
          return invalid("bad AT value");
      }
    }
  } else if (attr.contains("Value")) {
    std::string text = ARCA_TRY(joined_values(b, vr, attr["Value"]));
    if (element->putString(text.c_str(), static_cast<Uint32>(text.size())).bad())
      return invalid("bad " + vr + " value");
  }
  if (item.insert(element.get(), true).bad())
    return invalid("cannot insert element");
  (void)element.release();  // owned by the item now
  return ok();
}

Result<void> fill(Builder& b, DcmItem& item, const json& object, int depth) {
  if (depth > kMaxDepth)
    return invalid("sequences nested too deeply");
  if (!object.is_object())
    return invalid("a data set must be a JSON object");
  for (const auto& [key, attr] : object.items()) {
    auto tag = parse_tag(key);
    if (!tag)
      return invalid("attribute key is not eight hex digits");
    if (tag->getGroup() == 0x0002)
      continue;  // file meta information is derived from the data set
    ARCA_TRY(put_attribute(b, item, *tag, attr, depth));
  }
  return ok();
}

Result<BuiltInstance> build_one(const json& object, const BulkResolver& resolve) {
  Builder b{resolve};
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  ARCA_TRY(fill(b, ds, object, 0));
  BuiltInstance out;
  OFString declared;
  const bool has_charset = ds.findAndGetOFStringArray(DCM_SpecificCharacterSet, declared).good();
  if (b.non_ascii && (!has_charset || declared != "ISO_IR 192")) {
    ds.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
    out.coerced = true;
  }
  out.part10 = ARCA_TRY(detail::write_explicit_little_endian(file));
  return out;
}

}  // namespace

Result<std::vector<Result<BuiltInstance>>> part10_from_dicom_json(std::string_view text,
                                                                  const BulkResolver& resolve) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array())
    return make_error(ErrorCode::kInvalidArgument, "body is not a DICOM JSON array");
  std::vector<Result<BuiltInstance>> out;
  for (const json& object : parsed) {
    out.push_back(detail::guarded([&]() -> Result<BuiltInstance> {
      try {
        return build_one(object, resolve);
      } catch (const json::exception&) {
        return make_error(ErrorCode::kInvalidDicom, "malformed DICOM JSON attribute");
      }
    }));
  }
  return out;
}

}  // namespace arca::dicom
