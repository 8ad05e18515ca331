// Big-endian (network order) unsigned integers in byte buffers: the byte order of Arca's own
// binary formats (the blob header, pack records and .idx entries, audit journal frames).
// DICOM's little-endian encodings stay with the DICOM code.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "core/bytes.h"

namespace arca {
namespace byte_order_detail {

template <std::unsigned_integral T>
void store(std::uint8_t* p, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
}

template <std::unsigned_integral T>
T load(const std::uint8_t* p) {
  T v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v = static_cast<T>((v << 8) | p[i]);
  return v;
}

template <std::unsigned_integral T>
void append(Bytes& out, T v) {
  std::uint8_t b[sizeof(T)];
  store(b, v);
  out.insert(out.end(), b, b + sizeof(T));
}

}  // namespace byte_order_detail

// Writes v at p (2, 4 or 8 bytes).
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  byte_order_detail::store(p, v);
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
  byte_order_detail::store(p, v);
}
inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  byte_order_detail::store(p, v);
}

// Reads the value at p; the caller has checked that the bytes are there.
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return byte_order_detail::load<std::uint16_t>(p);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return byte_order_detail::load<std::uint32_t>(p);
}
inline std::uint64_t load_be64(const std::uint8_t* p) {
  return byte_order_detail::load<std::uint64_t>(p);
}

// Appends v to out.
inline void append_be16(Bytes& out, std::uint16_t v) {
  byte_order_detail::append(out, v);
}
inline void append_be32(Bytes& out, std::uint32_t v) {
  byte_order_detail::append(out, v);
}
inline void append_be64(Bytes& out, std::uint64_t v) {
  byte_order_detail::append(out, v);
}

}  // namespace arca
