"""Test bytes for BGP-LS, SR Policy and MUP, packed by hand from the layouts
of RFC 9552 / 9085 / 9514 (BGP-LS), RFC 9830 / 9831 / 9012 (SR Policy,
Tunnel Encapsulation) and draft-mpmz-bess-mup-safi (MUP), independently of
bmplib's encoders.  The BGP-LS node / link / prefix routes are those of the
lab's raw BGP speaker (../shared/lab/rawbgp.py) packed the same way; the SR
Policy routes are those the lab's GoBGP gRPC client sends."""

from __future__ import annotations

import socket
import struct
from typing import Any

__all__ = ["UPDATES", "attr", "capture_updates", "bgpls_updates", "mup_updates", "sr_policy_updates", "update"]


def attr(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(attributes: bytes) -> bytes:
    body = struct.pack("!H", 0) + struct.pack("!H", len(attributes)) + attributes
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def v4(a: str) -> bytes:
    return socket.inet_pton(socket.AF_INET, a)


def v6(a: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, a)


BASE = attr(0x40, 1, b"\x00") + attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", 65500))


def mp_reach(afi: int, safi: int, nh: bytes, nlri: bytes) -> bytes:
    return attr(0x80, 14, struct.pack("!HBB", afi, safi, len(nh)) + nh + b"\x00" + nlri)


def mp_unreach(afi: int, safi: int, nlri: bytes) -> bytes:
    return attr(0x80, 15, struct.pack("!HB", afi, safi) + nlri)


# ----------------------------------------------------------------------------- BGP-LS
def tlv(t: int, v: bytes) -> bytes:
    return struct.pack("!HH", t, len(v)) + v


def node_desc(t: int, asn: int, rid: bytes) -> bytes:
    return tlv(t, tlv(512, struct.pack("!I", asn)) + tlv(513, struct.pack("!I", 0)) + tlv(514, struct.pack("!I", 0))
               + tlv(515, rid))  # fmt: skip


def ls_nlri(ntype: int, body: bytes) -> bytes:
    return struct.pack("!HH", ntype, len(body)) + body


def bgpls_updates() -> dict[str, bytes]:
    """rawbgp.py's node / link / IPv4 prefix routes, then IS-IS routes with the
    SR (RFC 9085) and SRv6 (RFC 9514) TLVs, an IPv6 prefix and an SRv6 SID NLRI,
    a VPN (SAFI 72) node and a withdrawal."""
    ospf = bytes([3]) + struct.pack("!Q", 0)
    local = node_desc(256, 65500, v4("10.0.0.50"))
    remote = node_desc(257, 65500, v4("10.0.0.51"))
    node = ls_nlri(1, ospf + local)
    link = ls_nlri(2, ospf + local + remote + tlv(259, v4("10.50.51.0")) + tlv(260, v4("10.50.51.1")))
    pfx = ls_nlri(3, ospf + local + tlv(264, b"\x01") + tlv(265, bytes([24]) + v4("10.50.0.0")[:3]))
    node_attr = tlv(1026, b"raw50") + tlv(1028, v4("10.0.0.50"))
    link_attr = (tlv(1028, v4("10.0.0.50")) + tlv(1030, v4("10.0.0.51")) + tlv(1089, struct.pack("!f", 1.25e9))
                 + tlv(1092, struct.pack("!I", 10)) + tlv(1095, struct.pack("!H", 10)))  # fmt: skip
    pfx_attr = tlv(1155, struct.pack("!I", 20))
    nh = v4("192.0.2.50")
    out = {
        "ls-node": update(BASE + mp_reach(16388, 71, nh, node) + attr(0x80, 29, node_attr)),
        "ls-link": update(BASE + mp_reach(16388, 71, nh, link) + attr(0x80, 29, link_attr)),
        "ls-prefix4": update(BASE + mp_reach(16388, 71, nh, pfx) + attr(0x80, 29, pfx_attr)),
        "ls-withdraw-link": update(mp_unreach(16388, 71, link)),
    }
    # IS-IS level 2, system IDs 0000.0000.0001 / .0002, identifier 7
    isis = bytes([2]) + struct.pack("!Q", 7)
    l1 = node_desc(256, 65001, bytes.fromhex("000000000001"))
    r1 = node_desc(257, 65001, bytes.fromhex("000000000002"))
    sr_node_attr = (
        tlv(1026, b"pe1.example")
        + tlv(1024, b"\x00")
        + tlv(1027, bytes.fromhex("490001"))
        + tlv(1029, v6("2001:db8::1"))
        + tlv(1034, b"\xc0\x00" + (8000).to_bytes(3, "big") + tlv(1161, (16000).to_bytes(3, "big")))
        + tlv(1035, b"\x00\x01")
        + tlv(1036, b"\x00\x00" + (1000).to_bytes(3, "big") + tlv(1161, (15000).to_bytes(3, "big")))
        + tlv(1038, struct.pack("!HH", 0x4000, 0))
        + tlv(263, struct.pack("!HH", 0, 2))
        + tlv(9999, b"\x01\x02")  # unassigned: kept raw
    )
    sr_link = ls_nlri(2, isis + l1 + r1 + tlv(258, struct.pack("!II", 5, 6)) + tlv(261, v6("2001:db8:12::1"))
                      + tlv(262, v6("2001:db8:12::2")) + tlv(263, struct.pack("!H", 2)))  # fmt: skip
    unreserved = b"".join(struct.pack("!f", 1.25e8) for _ in range(8))
    sid_structure = tlv(1252, bytes([32, 16, 16, 0]))
    sr_link_attr = (
        tlv(1088, struct.pack("!I", 0x11))
        + tlv(1090, struct.pack("!f", 1.0e8))
        + tlv(1091, unreserved)
        + tlv(1092, (30).to_bytes(3, "big"))  # a 3-octet TE metric (RFC 7752 errata, as some send)
        + tlv(1093, b"\x00\x00")
        + tlv(1094, b"\xc0")
        + tlv(1095, (15).to_bytes(3, "big"))
        + tlv(1096, struct.pack("!II", 100, 200))
        + tlv(1098, b"pe1-pe2")
        + tlv(1099, bytes([0x30, 10, 0, 0]) + (24001).to_bytes(3, "big"))
        + tlv(1100, bytes([0x30, 0, 0, 0]) + bytes.fromhex("000000000002") + (24002).to_bytes(3, "big"))
        + tlv(1106, struct.pack("!HBBBB", 6, 0x80, 0, 10, 0) + v6("2001:db8:1:e000::") + sid_structure)
        + tlv(1107, struct.pack("!HBBBB", 6, 0, 0, 0, 0) + bytes.fromhex("000000000002") + v6("2001:db8:1:e001::"))
    )
    pfx6 = ls_nlri(4, isis + l1 + tlv(263, struct.pack("!H", 2)) + tlv(265, bytes([64]) + v6("2001:db8:1::")[:8]))
    pfx6_attr = (
        tlv(1152, b"\x80")
        + tlv(1153, struct.pack("!II", 1, 2))
        + tlv(1154, struct.pack("!Q", 3))
        + tlv(1155, struct.pack("!I", 10))
        + tlv(1158, bytes([0x40, 0, 0, 0]) + struct.pack("!I", 1))
        + tlv(1162, bytes([0, 0, 0, 0]) + struct.pack("!I", 1))
        + tlv(1170, b"\x20")
        + tlv(1171, v4("10.0.0.1"))
    )
    srv6_sid = ls_nlri(6, isis + l1 + tlv(263, struct.pack("!H", 2)) + tlv(518, v6("2001:db8:1:e002::")))
    srv6_attr = tlv(1250, struct.pack("!HBB", 0x0013, 0, 0)) + sid_structure
    peer_node = tlv(1251, bytes([0, 0, 0, 0]) + struct.pack("!I", 65002) + v4("10.0.0.2"))
    nh6 = v6("2001:db8::1")
    vpn_node = ls_nlri(1, struct.pack("!HHI", 0, 65001, 9) + isis + l1)
    out.update(
        {
            "ls-sr-node": update(BASE + mp_reach(16388, 71, nh6, ls_nlri(1, isis + l1)) + attr(0x80, 29, sr_node_attr)),
            "ls-sr-link": update(BASE + mp_reach(16388, 71, nh6, sr_link) + attr(0x80, 29, sr_link_attr)),
            "ls-prefix6": update(BASE + mp_reach(16388, 71, nh6, pfx6) + attr(0x80, 29, pfx6_attr)),
            "ls-srv6-sid": update(BASE + mp_reach(16388, 71, nh6, srv6_sid) + attr(0x80, 29, srv6_attr + peer_node)),
            "ls-vpn-node": update(BASE + mp_reach(16388, 72, nh, vpn_node) + attr(0x80, 29, node_attr)),
        }
    )
    return out


# ----------------------------------------------------------------------------- SR Policy
def sub(t: int, v: bytes) -> bytes:
    return bytes([t, len(v)]) + v if t < 128 else bytes([t]) + struct.pack("!H", len(v)) + v


def sr_policy_updates() -> dict[str, bytes]:
    """The lab's GoBGP SR Policy v4 / v6 candidate paths (gobgp_api.py), and
    one with every segment type of RFC 9830 / 9831, ENLP, SRv6 binding SID
    with its behavior, a policy name and RFC 9012's generic sub-TLVs."""
    out = {}
    for name, is6 in (("srpolicy4", False), ("srpolicy6", True)):
        if is6:
            nlri = bytes([192]) + struct.pack("!II", 3, 100) + v6("2001:db8::15")
            seg = sub(13, bytes([0, 0]) + v6("2001:db8:aa::1"))
            bsid = sub(13, bytes([0x80, 0]) + v6("2001:db8:bb::1"))
            nh, afi = v6("2001:db8::30"), 2
        else:
            nlri = bytes([96]) + struct.pack("!II", 2, 99) + v4("10.0.0.15")
            seg = sub(1, bytes([0x80, 0]) + struct.pack("!I", 10203 << 12))
            bsid = sub(13, bytes([0x80, 0]) + struct.pack("!I", 24321 << 12))
            nh, afi = v4("192.0.2.30"), 1
        seglist = sub(128, b"\x00" + sub(9, bytes([0, 0]) + struct.pack("!I", 12)) + seg)
        tlvs = bsid + seglist + sub(12, bytes([0, 0]) + struct.pack("!I", 11)) + sub(129, b"\x00CandidatePathName")
        tlvs += sub(15, bytes([10, 0]))
        tun = struct.pack("!HH", 15, len(tlvs)) + tlvs
        rt = attr(0xC0, 16, bytes([0x01, 0x02]) + v4("10.0.0.8") + b"\x00\x00")
        out[name] = update(BASE + mp_reach(afi, 73, nh, nlri) + rt + attr(0xC0, 23, tun))
    behavior = struct.pack("!HHBBBB", 0x0039, 0, 32, 16, 16, 0)
    segs = (
        sub(3, bytes([0, 1]) + v4("10.0.0.3") + struct.pack("!I", 300))
        + sub(4, bytes([0, 0]) + v6("2001:db8::4"))
        + sub(5, bytes([0, 0]) + struct.pack("!I", 5) + v4("10.0.0.5"))
        + sub(6, bytes([0, 0]) + v4("10.0.0.6") + v4("10.0.0.7") + struct.pack("!I", 600))
        + sub(7, bytes([0, 0]) + struct.pack("!I", 7) + v6("2001:db8::7") + struct.pack("!I", 8) + v6("2001:db8::8"))
        + sub(8, bytes([0, 0]) + v6("2001:db8::9") + v6("2001:db8::a"))
        + sub(13, bytes([0, 0]) + v6("2001:db8:b::") + behavior)
        + sub(14, bytes([0, 0]) + v6("2001:db8::e") + v6("2001:db8:e::"))
        + sub(
            15,
            bytes([0, 128])
            + struct.pack("!I", 15)
            + v6("2001:db8::f")
            + struct.pack("!I", 16)
            + v6("2001:db8::10")
            + v6("2001:db8:f::")
            + behavior,
        )
        + sub(16, bytes([0, 0]) + v6("2001:db8::11") + v6("2001:db8::12"))
        + sub(99, b"\x01\x02")  # unassigned: kept raw
    )
    tlvs = (
        sub(20, bytes([0x40, 0]) + v6("2001:db8:bb::2") + behavior)
        + sub(128, b"\x00" + sub(9, bytes([0, 0]) + struct.pack("!I", 1)) + segs)
        + sub(14, bytes([0, 0, 2]))
        + sub(130, b"\x00policy-all")
        + sub(6, struct.pack("!IH", 0, 2) + v6("2001:db8::99"))
        + sub(8, struct.pack("!H", 4789))
        + sub(2, struct.pack("!H", 0x86DD))
        + sub(7, b"\x2e")
        + sub(4, bytes([0x03, 0x0B, 0, 0]) + struct.pack("!I", 77))  # last: tshark 4.0 misreads it
    )
    tun = struct.pack("!HH", 15, len(tlvs)) + tlvs
    vxlan = sub(1, bytes([0x80]) + (10100).to_bytes(3, "big") + bytes(8))
    vx = struct.pack("!HH", 8, len(vxlan)) + vxlan
    # IPv4: tshark 4.0 stops at an IPv6 SR Policy NLRI, before the attribute
    nlri = bytes([96]) + struct.pack("!II", 7, 200) + v4("10.0.0.16")
    out["srpolicy-all"] = update(BASE + mp_reach(1, 73, v4("192.0.2.30"), nlri) + attr(0xC0, 23, tun + vx))
    out["srpolicy-withdraw"] = update(mp_unreach(1, 73, bytes([96]) + struct.pack("!II", 2, 99) + v4("10.0.0.15")))
    return out


# ----------------------------------------------------------------------------- MUP
def rd(asn: int, n: int) -> bytes:
    return struct.pack("!HHI", 0, asn, n)


def mup_route(rtype: int, body: bytes, arch: int = 1) -> bytes:
    return struct.pack("!BHB", arch, rtype, len(body)) + body


def mup_updates() -> dict[str, bytes]:
    """The MUP routes of the lab's GoBGP CLI commands (gobgp_families.py),
    v4 and v6, packed per draft-mpmz-bess-mup-safi-03 section 3.1, with the
    MUP extended community (section 3.2)."""
    mup_ec = bytes([0x0C, 0x00]) + struct.pack("!HI", 10, 10)

    def rt(asn: int, n: int) -> bytes:
        return attr(0xC0, 16, bytes([0x00, 0x02]) + struct.pack("!HI", asn, n))

    def ext(asn: int, n: int) -> bytes:
        return attr(0xC0, 16, bytes([0x00, 0x02]) + struct.pack("!HI", asn, n) + mup_ec)

    nh6, nh4 = v6("2001:db8::30"), v4("192.0.2.30")
    isd4 = mup_route(1, rd(65300, 60) + bytes([24]) + v4("10.60.0.0")[:3])
    dsd4 = mup_route(2, rd(65300, 61) + v4("10.0.0.30"))
    t1st4 = mup_route(3, rd(65300, 62) + bytes([32]) + v4("192.168.0.1") + struct.pack("!IB", 12345, 9) + bytes([32])
                      + v4("10.0.0.1") + bytes([0]))  # fmt: skip
    t2st4 = mup_route(4, rd(65300, 63) + bytes([64]) + v4("10.0.0.2") + struct.pack("!I", 12345))
    isd6 = mup_route(1, rd(65300, 64) + bytes([64]) + v6("2001:db8:64::")[:8])
    dsd6 = mup_route(2, rd(65300, 65) + v6("2001:db8::30"))
    t1st6 = mup_route(3, rd(65300, 66) + bytes([128]) + v6("2001:db8:67::1") + struct.pack("!IB", 54321, 5)
                      + bytes([128]) + v6("2001:db8::1") + bytes([32]) + v4("10.0.0.9"))  # fmt: skip
    t1st6_old = mup_route(
        3,
        rd(65300, 68)
        + bytes([128])
        + v6("2001:db8:67::2")
        + struct.pack("!IB", 54321, 5)
        + bytes([32])
        + v4("10.0.0.10"),
    )  # fmt: skip  (draft -00..-02: no source address)
    t2st6 = mup_route(4, rd(65300, 67) + bytes([152]) + v6("2001:db8::2") + (54321).to_bytes(3, "big"))
    other_arch = mup_route(1, rd(65300, 69) + b"\x00", arch=7)
    return {
        "mup-v4-isd": update(BASE + mp_reach(1, 85, nh6, isd4) + rt(65300, 60)),
        "mup-v4-dsd": update(BASE + mp_reach(1, 85, nh6, dsd4) + ext(65300, 61)),
        "mup-v4-t1st": update(BASE + mp_reach(1, 85, nh4, t1st4) + rt(65300, 62)),
        "mup-v4-t2st": update(BASE + mp_reach(1, 85, nh4, t2st4) + ext(65300, 63)),
        "mup-v6-isd": update(BASE + mp_reach(2, 85, nh6, isd6) + rt(65300, 64)),
        "mup-v6-dsd": update(BASE + mp_reach(2, 85, nh6, dsd6) + ext(65300, 65)),
        "mup-v6-t1st": update(BASE + mp_reach(2, 85, nh6, t1st6 + t1st6_old) + rt(65300, 66)),
        "mup-v6-t2st": update(BASE + mp_reach(2, 85, nh6, t2st6 + other_arch) + ext(65300, 67)),
        "mup-v4-t1st-withdraw": update(mp_unreach(1, 85, t1st4)),
    }


UPDATES: dict[str, bytes] = {**bgpls_updates(), **sr_policy_updates(), **mup_updates()}


def capture_updates(name: str, safis: tuple[int, ...]) -> list[tuple[Any, Any, Any]]:
    """(Route Monitoring message, its UPDATE, tshark's BMP message) of every
    UPDATE of pcaps/NAME.bmp whose MP_REACH / MP_UNREACH has one of *safis*."""
    import gzip
    import json

    import bmplib
    from bmplib.bgp.update import Update
    from bmplib.bmp.messages import RouteMonitoring
    from tests.conftest import PCAPS
    from tests.nlri._captures import tshark_bmp_messages

    frames = json.loads(gzip.decompress((PCAPS / f"{name}.tshark.json.gz").read_bytes()))
    tmsgs = tshark_bmp_messages(frames)
    msgs = list(bmplib.iter_file(PCAPS / f"{name}.bmp"))
    assert len(msgs) == len(tmsgs)
    out = []
    for m, t in zip(msgs, tmsgs):
        if isinstance(m, RouteMonitoring) and isinstance(m.update, Update):
            mp = m.update.mp_reach or m.update.mp_unreach
            if mp is not None and mp.safi in safis:
                out.append((m, m.update, t))
    return out
