#include "dimse/part10.h"

#include <cstdint>

namespace arca::dimse {
namespace {

void put16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put32(Bytes& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v & 0xffff));
  put16(out, static_cast<std::uint16_t>(v >> 16));
}

// One explicit-VR element with a 2-byte length (UI, SH, AE, UL), padded to even length: UIDs
// with NUL, text with a space (PS3.5 §6.2).
void put_short(Bytes& out, std::uint16_t element, const char vr[2], std::string_view value) {
  std::string v(value);
  if (v.size() % 2 != 0)
    v += (vr[0] == 'U' && vr[1] == 'I') ? '\0' : ' ';
  put16(out, 0x0002);
  put16(out, element);
  out.push_back(static_cast<std::uint8_t>(vr[0]));
  out.push_back(static_cast<std::uint8_t>(vr[1]));
  put16(out, static_cast<std::uint16_t>(v.size()));
  out.insert(out.end(), v.begin(), v.end());
}

}  // namespace

Bytes make_part10(const FileMeta& meta, ByteView dataset) {
  Bytes out = part10_prefix(meta, dataset.size());
  out.insert(out.end(), dataset.begin(), dataset.end());
  return out;
}

Bytes part10_prefix(const FileMeta& meta, std::size_t dataset_capacity) {
  Bytes group;
  // (0002,0001) File Meta Information Version: OB, 4-byte length, value 00 01.
  put16(group, 0x0002);
  put16(group, 0x0001);
  group.push_back('O');
  group.push_back('B');
  put16(group, 0);
  put32(group, 2);
  group.push_back(0x00);
  group.push_back(0x01);
  put_short(group, 0x0002, "UI", meta.sop_class_uid);
  put_short(group, 0x0003, "UI", meta.sop_instance_uid);
  put_short(group, 0x0010, "UI", meta.transfer_syntax_uid);
  put_short(group, 0x0012, "UI", kImplementationClassUid);
  put_short(group, 0x0013, "SH", kImplementationVersionName);

  Bytes out;
  out.reserve(132 + 12 + group.size() + dataset_capacity);
  out.resize(128, 0);
  for (char c : std::string_view("DICM"))
    out.push_back(static_cast<std::uint8_t>(c));
  put16(out, 0x0002);
  put16(out, 0x0000);
  out.push_back('U');
  out.push_back('L');
  put16(out, 4);
  put32(out, static_cast<std::uint32_t>(group.size()));
  out.insert(out.end(), group.begin(), group.end());
  return out;
}

}  // namespace arca::dimse
