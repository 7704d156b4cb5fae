"""Reading files: one loop for every format, compressed input, live input,
and what a missing, empty or cut file gives (bmplib.files)."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import sys
import threading
from pathlib import Path

import pytest

import bmplib
from bmplib.files import CompressionError, LiveInput, detect_compression, iter_fileobj
from bmplib.pcap import CapturedItem
from tests.conftest import PCAPS, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMATS = ["frr_unicast.bmp", "frr_unicast.pcap", "gobgp_unicast.pcapng"]


def readme_python_block() -> str:
    (block,) = re.findall(r"```python\n(.*?)```", README, re.S)
    return str(block)


@pytest.mark.parametrize("name", FORMATS)
def test_readme_python_block_runs_on_every_format(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    block = readme_python_block()
    assert '"pcaps/frr_unicast.bmp"' in block
    monkeypatch.chdir(ROOT)
    exec(compile(block.replace('"pcaps/frr_unicast.bmp"', repr(f"pcaps/{name}")), "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    monitored = [m for m in bmplib.iter_file(PCAPS / name) if m.type == bmplib.MessageType.ROUTE_MONITORING]
    assert len(lines) == len(monitored) + 1 and len(monitored) > 100


def test_readme_loop_on_a_capture() -> None:
    path = str(PCAPS / "frr_unicast.pcap")
    updates = [m.update for m in bmplib.iter_file(path) if m.type == bmplib.MessageType.ROUTE_MONITORING]
    raw = [
        m.update for m in bmplib.iter_file(PCAPS / "frr_unicast.bmp") if m.type == bmplib.MessageType.ROUTE_MONITORING
    ]
    assert updates == raw and len(updates) > 500


def test_captured_item_stands_in_for_its_item() -> None:
    items = list(bmplib.iter_file(PCAPS / "frr_unicast.pcap"))
    assert all(isinstance(c, CapturedItem) for c in items)
    peer_up = next(c for c in items if c.type == bmplib.MessageType.PEER_UP)
    assert peer_up.local_address == peer_up.item.local_address and peer_up.sent_open is peer_up.item.sent_open
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        peer_up.no_such_thing  # noqa: B018
    import copy
    import pickle

    assert copy.copy(peer_up).item is peer_up.item
    assert pickle.loads(pickle.dumps(peer_up)) == peer_up


# -- compressed input ---------------------------------------------------------------
def _zstd(data: bytes) -> bytes:
    zstandard = pytest.importorskip("zstandard")
    return bytes(zstandard.ZstdCompressor().compress(data))


COMPRESSORS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress, "zst": _zstd}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
@pytest.mark.parametrize("name", ["gobgp_vpn_evpn.bmp", "gobgp_vpn_evpn.pcap", "gobgp_unicast.pcapng"])
def test_compressed_files(name: str, suffix: str, tmp_path: Path) -> None:
    data = (PCAPS / name).read_bytes()
    packed = tmp_path / f"x.{suffix}"  # the name does not matter: the magic number does
    packed.write_bytes(COMPRESSORS[suffix](data))
    plain = [bmplib.to_json(i) for i in bmplib.iter_file(PCAPS / name)]
    assert [bmplib.to_json(i) for i in bmplib.iter_file(packed)] == plain
    with open(packed, "rb") as fh:
        assert sum(1 for _ in iter_fileobj(fh)) == len(plain)


def test_compression_magic_numbers() -> None:
    assert detect_compression(gzip.compress(b"x")) == "gzip"
    assert detect_compression(bz2.compress(b"x")) == "bzip2"
    assert detect_compression(lzma.compress(b"x")) == "xz"
    assert detect_compression(b"\x28\xb5\x2f\xfd\x00") == "zstd"
    for name in FORMATS:
        assert detect_compression((PCAPS / name).read_bytes()[:6]) is None


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_damaged_and_cut_compressed_files(suffix: str, tmp_path: Path) -> None:
    packed = COMPRESSORS[suffix]((PCAPS / "gobgp_vpn_evpn.bmp").read_bytes())
    cut = tmp_path / "cut"
    cut.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(CompressionError, match="compressed input") as info:
        list(bmplib.iter_file(cut))
    assert isinstance(info.value, bmplib.DecodeError) and info.value.layer == "compression"
    damaged = bytearray(packed)
    for i in range(20, len(damaged) - 20, 7):
        damaged[i] ^= 0x55
    bad = tmp_path / "bad"
    bad.write_bytes(bytes(damaged))
    with pytest.raises(bmplib.DecodeError):
        list(bmplib.iter_file(bad))


def test_zstd_without_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "x.zst"
    f.write_bytes(b"\x28\xb5\x2f\xfd" + bytes(20))
    monkeypatch.setitem(sys.modules, "zstandard", None)  # as if it were not installed
    with pytest.raises(CompressionError, match=re.escape("pip install 'bmplib[zstd]'")):
        list(bmplib.iter_file(f))


# -- live input ----------------------------------------------------------------------
def test_live_input_returns_what_is_there() -> None:
    r, w = os.pipe()
    with open(r, "rb") as rf, open(w, "wb", buffering=0) as wf:
        live = LiveInput(rf)
        wf.write(b"abcdefgh")
        assert live.peek(4) == b"abcd" and live.read(2) == b"ab"
        assert live.read(1 << 20) == b"cdefgh"  # a big read does not wait for more
        wf.write(b"0123")
        timer = threading.Timer(0.2, wf.write, [b"4567"])
        timer.start()
        assert live.read(8) == b"01234567"  # a small read waits for all of it
        timer.join()
        assert live.tell() == 16


# -- the rule for missing, empty and cut files ----------------------------------------------
def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(bmplib.iter_file(tmp_path / "nope.bmp"))


def test_empty_file_and_capture_without_bmp_yield_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert list(bmplib.iter_file(empty)) == []
    assert list(bmplib.iter_file(PCAPS / "gobgp_unicast.pcapng", ports=[1234])) == []


def test_cut_inside_a_message_ends_with_a_skip_record_in_every_format(tmp_path: Path) -> None:
    raw = (PCAPS / "frr_unicast.bmp").read_bytes()
    cut_bmp = tmp_path / "cut.bmp"
    cut_bmp.write_bytes(raw[:5000])
    last = list(bmplib.iter_file(cut_bmp))[-1]
    assert isinstance(last, bmplib.SkippedBytes) and last.reason == "stream ended inside a message"
    # a capture whose packets are whole but whose last one ends inside a message
    from tests.pcap.synth import bmp_messages, capture, segments, stamp

    msgs = bmp_messages("gobgp_vpn_evpn", 6)
    data = b"".join(msgs[:5]) + msgs[5][: len(msgs[5]) // 2]
    cut_pcap = tmp_path / "cut.pcap"
    cut_pcap.write_bytes(capture(stamp(segments(data, 1, 1000))))
    items = list(bmplib.iter_file(cut_pcap))
    assert len(items) == 6 and isinstance(items[-1].item, bmplib.SkippedBytes)
    assert items[-1].reason == "the capture ends inside a message"
