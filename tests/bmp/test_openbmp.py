"""OpenBMP's raw binary header v1.7 (bmplib.openbmp): two real records
from RouteViews' OpenBMP Kafka feed (published as test vectors by
bgpkit-parser and go-openbmp), and files of records packed here field by
field from the published layout around the messages of a real capture."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import struct
from pathlib import Path

import pytest

import bmplib
from bmplib.errors import OpenBMPDecodeError
from bmplib.files import detect_format
from bmplib.openbmp import OpenBMPDecoder, OpenBMPHeader, OpenBMPItem, OpenBMPRecord, decode_openbmp
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS

#: RouteViews (collector "is-ah-bmp1", router 128.223.51.102, group
#: "route-views2"): a Peer Down (reason 2) of AS 31019's peer 91.228.151.1
ROUTEVIEWS2 = bytes.fromhex(
    "4f424d500107006400000033800c653f029d0002a952fef880938d19e9d632c815d1e95a87e1000a69732d61682d626d7031de6006"
    "b9151b7fa194e5c5aa87f2896480df3366000000000000000000000000000c726f7574652d766965777332000000010300000033"
    "02000000000000000000000000000000000000000000005be497010000792b000000005ec6f61b000389b9020000"
)
#: RouteViews ("is-cc-bmp1", 128.223.51.105, "route-views5"): a Peer Down of
#: AS 3491's peer 63.218.6.14.  The published vector has one more octet
#: (0x0a) after the record, which is left off here.
ROUTEVIEWS5 = bytes.fromhex(
    "4f424d500107006400000033800c6184b9c2000c602cbf4f072f3ae149d23486024bc3dadfc4000a69732d63632d626d7031c677"
    "060bdd020a9e92be000200de2e3180df3369000000000000000000000000000c726f7574652d76696577733500000001030000"
    "003302000000000000000000000000000000000000000000003fda060e00000da30000000061523c36000c0e1c020000"
)


def pack_record(
    bmp: bytes, router_ip: str, group: str = "lab", admin: str = "collector-a", ts: int = 1796320000
) -> bytes:
    """An OpenBMP v1.7 BMP_RAW record, laid out here from the published
    field list (not with bmplib's encoder)."""
    v6 = ":" in router_ip
    gb, ab = group.encode(), admin.encode()
    ip = socket.inet_pton(socket.AF_INET6, router_ip) if v6 else socket.inet_pton(socket.AF_INET, router_ip) + bytes(12)
    head = (
        hashlib.md5(ab).digest() + struct.pack("!H", len(ab)) + ab
        + hashlib.md5(router_ip.encode()).digest() + ip + struct.pack("!H", len(gb)) + gb
        + struct.pack("!I", 1)
    )  # fmt: skip
    flags = 0x80 | (0x40 if v6 else 0)
    fixed = b"OBMP" + struct.pack("!BBHIBBII", 1, 7, 22 + len(head), len(bmp), flags, 12, ts, 250000)
    return fixed + head + bmp


@pytest.mark.parametrize("record", [ROUTEVIEWS2, ROUTEVIEWS5], ids=["route-views2", "route-views5"])
def test_routeviews_records(record: bytes) -> None:
    rec = decode_openbmp(record)
    h = rec.header
    assert (h.version_major, h.version_minor, h.flags, h.object_type, h.row_count) == (1, 7, 0x80, 12, 1)
    assert h.is_router_message and not h.is_router_ipv6
    assert h.router_ip in ("128.223.51.102", "128.223.51.105")
    assert h.router_group in ("route-views2", "route-views5")
    assert h.collector_admin_id in ("is-ah-bmp1", "is-cc-bmp1")
    (msg,) = rec.messages()
    assert isinstance(msg, bmplib.PeerDown) and msg.reason == 2 and msg.fsm_event == 0
    assert rec.encode() == record
    assert rec.header.datetime.year in (2021, 2023)


def test_routeviews_record_fields() -> None:
    h = decode_openbmp(ROUTEVIEWS2).header
    assert (h.timestamp_sec, h.timestamp_usec) == (0x653F029D, 0x0002A952)
    assert h.collector_hash.hex() == "fef880938d19e9d632c815d1e95a87e1"
    assert h.router_hash.hex() == "de6006b9151b7fa194e5c5aa87f28964"
    msg = decode_openbmp(ROUTEVIEWS2).messages()[0]
    assert (msg.peer.address, msg.peer.asn) == ("91.228.151.1", 31019)


def test_one_record_is_exact() -> None:
    with pytest.raises(OpenBMPDecodeError, match="the record has 152"):
        decode_openbmp(ROUTEVIEWS5 + b"\n")
    with pytest.raises(OpenBMPDecodeError, match="runs past"):
        decode_openbmp(ROUTEVIEWS5[:90])
    with pytest.raises(OpenBMPDecodeError, match="magic"):
        decode_openbmp(b"OBMX" + ROUTEVIEWS5[4:])
    for cut in range(len(ROUTEVIEWS5)):
        with pytest.raises(bmplib.DecodeError):
            decode_openbmp(ROUTEVIEWS5[:cut])
    # an admin ID length that runs past the header length
    bad = bytearray(ROUTEVIEWS5)
    bad[38:40] = struct.pack("!H", 200)
    with pytest.raises(OpenBMPDecodeError, match="admin ID"):
        decode_openbmp(bytes(bad))


def test_header_round_trip_and_extra() -> None:
    bmp = split_messages((PCAPS / "gobgp_unicast.bmp").read_bytes())[0]
    for ip in ("192.0.2.1", "2001:db8::1"):
        raw = pack_record(bmp, ip, group="grp \xe9", admin="")
        rec = decode_openbmp(raw)
        assert rec.header.router_ip == ip and rec.header.is_router_ipv6 == (":" in ip)
        assert rec.header.router_group == "grp \xe9" and rec.header.collector_admin_id == ""
        assert rec.encode() == raw
    # octets after the row count that a later minor version may add: kept
    raw = bytearray(pack_record(bmp, "192.0.2.1"))
    hlen = struct.unpack_from("!H", raw, 6)[0]
    raw[6:8] = struct.pack("!H", hlen + 3)
    raw[hlen:hlen] = b"xyz"
    rec = decode_openbmp(bytes(raw))
    assert rec.header.extra == b"xyz" and rec.encode() == bytes(raw)
    assert rec.messages()[0].sys_name == "gobgp-dut"


def openbmp_file(tmp_path: Path) -> tuple[Path, list[bytes], list[bytes]]:
    """Two real streams as two routers' records, interleaved, with one
    message of the first split over two records."""
    a = split_messages((PCAPS / "gobgp_unicast.bmp").read_bytes())
    b = split_messages((PCAPS / "frr_vpn_evpn.bmp").read_bytes())
    records = []
    for i in range(max(len(a), len(b))):
        if i < len(a):
            if i == 3:
                records += [pack_record(a[i][:20], "192.0.2.1"), pack_record(a[i][20:], "192.0.2.1")]
            else:
                records.append(pack_record(a[i], "192.0.2.1"))
        if i < len(b):
            records.append(pack_record(b[i], "2001:db8::2", group="other"))
    path = tmp_path / "records.obmp"
    path.write_bytes(b"".join(records))
    return path, a, b


def test_file_of_records(tmp_path: Path) -> None:
    path, a, b = openbmp_file(tmp_path)
    assert detect_format(path.read_bytes()[:4]) == "openbmp"
    items = list(bmplib.iter_file(path))
    assert all(isinstance(i, OpenBMPItem) for i in items)
    by_router: dict[str, list[OpenBMPItem]] = {}
    for i in items:
        by_router.setdefault(i.header.router_ip, []).append(i)
    for ip, name, raw in (("192.0.2.1", "gobgp_unicast", a), ("2001:db8::2", "frr_vpn_evpn", b)):
        got = by_router[ip]
        assert [i.item for i in got] == list(bmplib.iter_file(PCAPS / f"{name}.bmp"))
        assert [i.item.encode() for i in got] == raw  # type: ignore[union-attr]
    # session context carried across records: ADD-PATH / 4-octet AS as in the plain stream
    assert bmplib.to_json(by_router["192.0.2.1"][5])["openbmp"]["router_group"] == "lab"


def test_fed_in_pieces(tmp_path: Path) -> None:
    path, _, _ = openbmp_file(tmp_path)
    data = path.read_bytes()
    dec = OpenBMPDecoder()
    got = []
    for i in range(0, len(data), 997):
        dec.feed(data[i : i + 997])
        got.extend(dec)
    dec.close()
    got.extend(dec)
    assert [i.item for i in got] == [i.item for i in bmplib.iter_file(path)]


def test_framing_errors(tmp_path: Path) -> None:
    path, _, _ = openbmp_file(tmp_path)
    data = path.read_bytes()
    first = struct.unpack_from("!H", data, 6)[0] + struct.unpack_from("!I", data, 8)[0]
    with pytest.raises(bmplib.FramingError, match="magic") as exc:
        dec = OpenBMPDecoder()
        dec.feed(data[:first] + b"JUNK" + data[first + 4 :])
        next(dec), next(dec)
    assert exc.value.offset == first
    dec = OpenBMPDecoder()
    dec.feed(data[: first + 30])
    dec.close()
    next(dec)
    with pytest.raises(bmplib.FramingError, match="ends inside an OpenBMP record"):
        next(dec)


def test_a_cut_message_is_reported_at_the_end() -> None:
    bmp = split_messages((PCAPS / "gobgp_unicast.bmp").read_bytes())[1]
    dec = OpenBMPDecoder()
    dec.feed(pack_record(bmp[:30], "192.0.2.9"))
    assert list(dec) == []
    dec.close()
    (item,) = list(dec)
    assert isinstance(item.item, bmplib.SkippedBytes) and item.item.data == bmp[:30]
    assert item.header.router_ip == "192.0.2.9"


def test_encode_checks() -> None:
    h = decode_openbmp(ROUTEVIEWS2).header
    for field, value in (("router_ip", "nope"), ("collector_hash", b"x"), ("row_count", -1)):
        bad = OpenBMPHeader(**{**{f: getattr(h, f) for f in h.__slots__}, field: value})  # type: ignore[arg-type]
        with pytest.raises(bmplib.EncodeError):
            OpenBMPRecord(bad, b"").encode()


def test_cli_decodes_openbmp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bmplib.cli import main

    path = tmp_path / "rv.obmp"
    path.write_bytes(ROUTEVIEWS2 + ROUTEVIEWS5)
    assert main(["decode", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["openbmp"]["router_group"] for line in lines] == ["route-views2", "route-views5"]
    assert main(["summary", str(path)]) == 0
    assert "peer_down" in capsys.readouterr().out


def test_iter_fileobj_from_a_stream() -> None:
    items = list(bmplib.files.iter_fileobj(io.BufferedReader(io.BytesIO(ROUTEVIEWS2))))  # type: ignore[arg-type]
    assert [type(i.item).__name__ for i in items] == ["PeerDown"]
