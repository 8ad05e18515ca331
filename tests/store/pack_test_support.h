// Shared helpers of the PackBlobStore tests: a store in a temp directory that can be reopened,
// and direct access to the pack files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "store/fs/pack_blob_store.h"
#include "test_dir.h"

namespace arca::store {

namespace fs = std::filesystem;

inline BlobId pack_id(int n) {
  std::string s = std::to_string(n);
  return BlobId(std::string(32 - s.size(), 'b') + s);
}

inline Bytes pack_bytes(std::size_t n, int seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>((i * 131 + static_cast<std::size_t>(seed)) % 251);
  return b;
}

struct PackFixture {
  explicit PackFixture(PackOptions o = {}) : options(o) { reopen(); }
  void reopen() {
    pack.reset();
    pack = PackBlobStore::open(dir.path() / "blobs", options).value();
  }
  fs::path packs() const { return dir.path() / "blobs" / "packs"; }
  fs::path pack_file(int n) const {
    char name[16];
    std::snprintf(name, sizeof name, "%08d", n);
    return packs() / (std::string(name) + ".pack");
  }
  fs::path idx_file(int n) const { return fs::path(pack_file(n)).replace_extension(".idx"); }
  std::size_t pack_count() const {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(packs()))
      n += e.path().extension() == ".pack" ? 1 : 0;
    return n;
  }

  Result<void> put(const BlobId& id, ByteView data) {
    auto w = ARCA_TRY(pack->create(id, BlobScope{}));
    ARCA_TRY(w->write(data));
    return w->commit();
  }
  Bytes get(const BlobId& id) {
    auto r = pack->open(id);
    if (!r.ok())
      return {};
    BlobSource src(*r.value());
    return read_all(src, 1 << 30).value();
  }
  std::set<std::string> listed() {
    std::set<std::string> out;
    EXPECT_TRUE(pack->list([&](const BlobInfo& info) -> Result<void> {
                      out.insert(info.id.str());
                      return ok();
                    })
                    .ok());
    return out;
  }

  test::TempDir dir;
  PackOptions options;
  std::unique_ptr<PackBlobStore> pack;
};

inline Bytes read_bytes(const fs::path& p, std::uint64_t offset, std::uint64_t n) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  Bytes out(n);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

inline void write_bytes(const fs::path& p, std::uint64_t offset, ByteView data) {
  std::fstream out(p, std::ios::binary | std::ios::in | std::ios::out);
  out.seekp(static_cast<std::streamoff>(offset));
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace arca::store
