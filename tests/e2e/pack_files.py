"""Reads Arca's pack files (docs/formats/pack.md) directly, for tests that look at or tamper
with stored bytes: the records of <data>/blobs/packs/*.pack, scanned the way the store's
recovery does (4 KiB-aligned records behind a 64-byte header with a CRC-32)."""
import collections
import glob
import os
import struct
import zlib

ALIGN = 4096
HEADER = struct.Struct(">8sHHI16sQQ12sI")  # magic version state reserved id length time_ms reserved crc
STATES = {1: "writing", 2: "committed", 3: "removed"}

Record = collections.namedtuple("Record", "pack offset id state data_offset length")


def pack_paths(data_dir):
    return sorted(glob.glob(os.path.join(data_dir, "blobs", "packs", "*.pack")))


def scan(path):
    """(records, tail): the valid records of one pack in order, and the offset of a torn tail
    (a record in state writing, garbage, a record past the end of the file) or None."""
    records = []
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        offset = 0
        while offset < size:
            f.seek(offset)
            raw = f.read(HEADER.size)
            if len(raw) < HEADER.size:
                return records, offset
            magic, version, state, _, blob_id, length, _, _, crc = HEADER.unpack(raw)
            if (magic != b"ARCAPACK" or version != 1 or state not in (2, 3)
                    or crc != zlib.crc32(raw[:60]) or offset + HEADER.size + length > size):
                return records, offset
            records.append(Record(path, offset, blob_id.hex(), STATES[state],
                                  offset + HEADER.size, length))
            offset = (offset + HEADER.size + length + ALIGN - 1) // ALIGN * ALIGN
    return records, None


def records(data_dir):
    """Every valid record of every pack (committed and removed)."""
    out = []
    for path in pack_paths(data_dir):
        out.extend(scan(path)[0])
    return out


def committed(data_dir):
    """{blob id: Record} of the committed records."""
    return {r.id: r for r in records(data_dir) if r.state == "committed"}


def tails(data_dir):
    """[(pack, offset)] of the packs that end in a torn tail."""
    return [(p, t) for p in pack_paths(data_dir) for t in [scan(p)[1]] if t is not None]


def read_data(record):
    with open(record.pack, "rb") as f:
        f.seek(record.data_offset)
        return f.read(record.length)


def flip_byte(record, at):
    """XORs one bit of the data byte at `at` (negative: from the end of the data)."""
    pos = record.data_offset + (at if at >= 0 else record.length + at)
    with open(record.pack, "r+b") as f:
        f.seek(pos)
        byte = f.read(1)
        f.seek(pos)
        f.write(bytes([byte[0] ^ 0x01]))
