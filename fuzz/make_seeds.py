"""Build the seed corpus of every fuzz target from real captures.

    python fuzz/make_seeds.py [OUT_DIR]     (default fuzz/corpus)

Seeds: every distinct BMP message of every raw stream in pcaps/ and, when
present, ../shared/pcaps/*.bmp (not frr_large: a sample of it), one file per
message, in OUT_DIR/decode/ and OUT_DIR/stream/ (the stream target's first
octet is the chunk size, so its seeds are prefixed with one).
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def split_messages(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos + 6 <= len(data):
        length = struct.unpack_from("!I", data, pos + 1)[0]
        if length < 6:
            break
        out.append(data[pos : pos + length])
        pos += length
    return out


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    sources = sorted((ROOT / "pcaps").glob("*.bmp"))
    shared = ROOT.parent / "shared" / "pcaps"
    if shared.is_dir():
        sources += [p for p in sorted(shared.glob("*.bmp")) if p.name != "frr_large.bmp"]
    messages: dict[str, bytes] = {}
    for src in sources:
        for m in split_messages(src.read_bytes()):
            messages.setdefault(hashlib.sha1(m).hexdigest(), m)
    large = shared / "frr_large.bmp"
    if large.is_file():
        with open(large, "rb") as fh:
            for m in split_messages(fh.read(1 << 20))[:200]:
                messages.setdefault(hashlib.sha1(m).hexdigest(), m)
    for target in ("decode", "stream"):
        (out / target).mkdir(parents=True, exist_ok=True)
    for digest, m in messages.items():
        (out / "decode" / digest).write_bytes(m)
        (out / "stream" / digest).write_bytes(bytes([len(m) % 251]) + m)
    print(f"{len(messages)} seeds in {out}")


if __name__ == "__main__":
    main()
