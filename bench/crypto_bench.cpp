// Throughput of the segmented blob format on 0.5 MB objects (not a test: no timed assertions).
// Run: build/bench/arca_crypto_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "crypto/segmented.h"
#include "crypto/system_random.h"
#include "store/encrypted/encrypted_blob_store.h"
#include "store/fs/pack_blob_store.h"
#include "store/testing/memory_blob_store.h"
#include "store/testing/memory_key_vault.h"

namespace arca::crypto {
namespace {

constexpr std::size_t kObject = 512 * 1024;

class NullSink final : public ByteSink {
 public:
  Result<void> write(ByteView data) override {
    benchmark::DoNotOptimize(data.data());
    return ok();
  }
};

BlobHeader make_header(Random& random) {
  BlobHeader h;
  random.fill(h.nonce_prefix);
  h.key_id = "patient:" + std::string(64, 'a') + ":" + std::string(64, 'b');
  h.wrapped_key = Bytes(61, 1);
  return h;
}

void BM_AesGcmRaw64K(benchmark::State& state) {
  SystemRandom random;
  auto gcm = Aes256Gcm::create(random.bytes(32)).value();
  Bytes buf(kDefaultSegmentSize + kGcmTagSize);
  Bytes nonce(12, 0);
  for (auto _ : state) {
    nonce[0]++;
    auto r = gcm.seal(nonce, {}, ByteView(buf).first(kDefaultSegmentSize), buf);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDefaultSegmentSize));
}
BENCHMARK(BM_AesGcmRaw64K);

// Per object: a fresh key and encryptor, the object written in 64 KiB chunks.
void BM_EncryptObject(benchmark::State& state) {
  SystemRandom random;
  Bytes plain = random.bytes(kObject);
  SecretBytes key(random.bytes(32));
  BlobHeader header = make_header(random);
  NullSink sink;
  const auto chunk = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    auto enc =
        SegmentedEncryptor::create(key, header, as_bytes("0123456789abcdef0123456789abcdef"), sink)
            .value();
    for (std::size_t at = 0; at < plain.size(); at += chunk)
      benchmark::DoNotOptimize(enc.write(ByteView(plain).subspan(at, chunk)));
    benchmark::DoNotOptimize(enc.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObject));
}
BENCHMARK(BM_EncryptObject)->Arg(16 * 1024)->Arg(64 * 1024)->Arg(512 * 1024);

// Per object: open (parse, authenticate the last segment) and read it all.
void BM_DecryptObject(benchmark::State& state) {
  SystemRandom random;
  Bytes plain = random.bytes(kObject);
  SecretBytes key(random.bytes(32));
  ByteView context = as_bytes("0123456789abcdef0123456789abcdef");
  MemorySink sink;
  {
    auto enc = SegmentedEncryptor::create(key, make_header(random), context, sink).value();
    (void)enc.write(plain);
    (void)enc.finish();
  }
  const Bytes blob = sink.take();
  const auto chunk = static_cast<std::size_t>(state.range(0));
  Bytes out(chunk);
  for (auto _ : state) {
    auto parsed = parse_header(ByteView(blob).first(kMaxHeaderSize)).value();
    ReadAtFn read = [&blob](std::uint64_t offset, MutableByteView dst) -> Result<std::size_t> {
      std::size_t n = std::min<std::size_t>(dst.size(), blob.size() - offset);
      std::memcpy(dst.data(), blob.data() + offset, n);
      return n;
    };
    auto dec = SegmentedDecryptor::open(key, parsed, context, read, blob.size()).value();
    for (std::uint64_t at = 0; at < kObject; at += chunk)
      benchmark::DoNotOptimize(dec.read_at(at, out));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObject));
}
BENCHMARK(BM_DecryptObject)->Arg(64 * 1024)->Arg(256 * 1024);

// End to end through EncryptedBlobStore over a MemoryBlobStore (includes the inner store's copies,
// key wrapping and the key cache): write then read one 0.5 MB object.
void BM_EncryptedStoreWriteRead(benchmark::State& state) {
  SystemRandom random;
  store::MemoryKeyVault vault;
  store::MemoryBlobStore inner;
  StaticKeyProvider provider(SecretBytes(random.bytes(32)));
  auto keys = store::KeyHierarchy::create(provider, vault, random).value();
  store::EncryptedBlobStore blobs(inner, *keys, random);
  store::BlobScope scope{TenantId("t"), keys->patient_ref(TenantId("t"), "I", "P")};
  Bytes plain = random.bytes(kObject);
  Bytes out(256 * 1024);
  for (auto _ : state) {
    store::BlobId id(random.hex(16));
    auto w = blobs.create(id, scope).value();
    (void)w->write(plain);
    (void)w->commit();
    auto r = blobs.open(id).value();
    for (std::uint64_t at = 0; at < kObject; at += out.size())
      benchmark::DoNotOptimize(r->read_at(at, out));
    (void)blobs.remove(id);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObject));
}
BENCHMARK(BM_EncryptedStoreWriteRead);

// Storing one 0.5 MB object in a PackBlobStore, as ingest does (one write of the whole object),
// plaintext (arg 0) and encrypted (arg 1): the difference is what encryption adds per object.
// The packs go to /dev/shm when it exists, so fdatasync costs nothing and only CPU is measured.
void BM_PackStore(benchmark::State& state) {
  namespace fs = std::filesystem;
  const bool encrypt = state.range(0) != 0;
  fs::path root = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  root /= "arca-pack-bench-" + std::to_string(::getpid());
  SystemRandom random;
  store::MemoryKeyVault vault;
  StaticKeyProvider provider(SecretBytes(random.bytes(32)));
  auto keys = store::KeyHierarchy::create(provider, vault, random).value();
  store::BlobScope scope{TenantId("t"), keys->patient_ref(TenantId("t"), "I", "P")};
  Bytes plain = random.bytes(kObject);
  std::unique_ptr<store::PackBlobStore> packs;
  std::unique_ptr<store::EncryptedBlobStore> encrypted;
  auto reopen = [&] {  // keeps tmpfs small: starts over in a fresh directory
    encrypted.reset();
    packs.reset();
    fs::remove_all(root);
    packs = store::PackBlobStore::open(root).value();
    encrypted = std::make_unique<store::EncryptedBlobStore>(*packs, *keys, random);
  };
  reopen();
  std::size_t n = 0;
  for (auto _ : state) {
    store::BlobStore& blobs = encrypt ? static_cast<store::BlobStore&>(*encrypted) : *packs;
    auto w = blobs.create(store::BlobId(random.hex(16)), scope).value();
    benchmark::DoNotOptimize(w->write(plain));
    benchmark::DoNotOptimize(w->commit());
    if (++n % 1024 == 0) {
      state.PauseTiming();
      w.reset();
      reopen();
      state.ResumeTiming();
    }
  }
  encrypted.reset();
  packs.reset();
  fs::remove_all(root);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kObject));
}
BENCHMARK(BM_PackStore)->Arg(0)->Arg(1);

}  // namespace
}  // namespace arca::crypto

BENCHMARK_MAIN();
