#!/usr/bin/env python3
"""Derive the bad corpus from tests/corpus/good/sleeper.tape.

Run once when the format changes; the outputs are committed. Each bad file
gets a NAME.expect: the exit status of `schedtape info` and a text its
stderr must contain.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = open(os.path.join(HERE, "good", "sleeper.tape"), "rb").read()
BAD = os.path.join(HERE, "bad")


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def fix_header(buf):
    buf[60:64] = struct.pack("<I", crc32c(bytes(buf[0:60])))


def fix_chunk_header(buf, off):
    buf[off + 60:off + 64] = struct.pack("<I", crc32c(bytes(buf[off:off + 60])))


def chunks(buf):
    off = 64
    while off + 64 <= len(buf):
        stored = struct.unpack_from("<I", buf, off + 40)[0]
        yield off, struct.unpack_from("<H", buf, off + 4)[0]
        off += 64 + stored


def write(name, data, status, text):
    with open(os.path.join(BAD, name + ".tape"), "wb") as f:
        f.write(bytes(data))
    with open(os.path.join(BAD, name + ".expect"), "w") as f:
        f.write("%d\n%s\n" % (status, text))


os.makedirs(BAD, exist_ok=True)
offs = list(chunks(GOOD))
ev = [o for o, t in offs if t == 2]
st = [o for o, t in offs if t == 3]

write("empty", b"", 1, "not a schedtape trace")
write("magic", b"PK\x03\x04" + GOOD[4:], 1, "not a schedtape trace")
b = bytearray(GOOD); b[8:10] = struct.pack("<H", 2); fix_header(b)
write("version", b, 1, "unsupported format version")
b = bytearray(GOOD); b[24:32] = struct.pack("<Q", 1 << 9); fix_header(b)
write("incompat", b, 1, "incompatible feature")
b = bytearray(GOOD); b[30] ^= 0x10
write("header_crc", b, 1, "file header is corrupt")
write("short_header", GOOD[:40], 1, "truncated")
cut = ev[0] + 100
write("truncated", GOOD[:cut], 0, "file ends inside a chunk")
b = bytearray(GOOD); b[ev[0] + 64 + 20] ^= 0x01
write("bitflip_payload", b, 0, "checksum mismatch")
b = bytearray(GOOD); b[ev[0] + 20] ^= 0x40
write("bitflip_chunk_header", b, 0, "chunk header is corrupt")
b = bytearray(GOOD); b[st[0] + 44:st[0] + 48] = struct.pack("<I", 0xFFFFFFF0); fix_chunk_header(b, st[0])
write("huge_raw_size", b, 0, "declared size exceeds the limit")
b = bytearray(GOOD); b[st[0] + 44:st[0] + 48] = struct.pack("<I", 64); fix_chunk_header(b, st[0])
write("zstd_size_mismatch", b, 0, "decompressed size differs")
b = bytearray(GOOD); b[ev[0] + 12:ev[0] + 16] = struct.pack("<I", 0xFFFFFFFF); fix_chunk_header(b, ev[0])
write("count_overflow", b, 0, "record count differs")
# Swap the timestamps of a CPU's chunks: the later chunk now starts earlier.
b = bytearray(GOOD)
same_cpu = {}
for o in ev:
    same_cpu.setdefault(struct.unpack_from("<I", b, o + 8)[0], []).append(o)
pair = next(v for v in same_cpu.values() if len(v) >= 2)
b[pair[1] + 24:pair[1] + 32] = struct.pack("<Q", 1); fix_chunk_header(b, pair[1])
write("time_backwards", b, 0, "timestamps out of order")
# A chunk removed from the middle: the sequence numbers say so.
b = bytearray(GOOD)
o = ev[0]
size = 64 + struct.unpack_from("<I", b, o + 40)[0]
write("missing_chunk", b[:o] + b[o + size:], 0, "chunks missing")
print("wrote", len(os.listdir(BAD)) // 2, "bad files")
