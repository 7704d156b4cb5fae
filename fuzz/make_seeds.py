"""Build the seed corpus of every fuzz target from real captures.

    python fuzz/make_seeds.py [--repo-only] [OUT_DIR]     (default fuzz/corpus)

Seeds come from every BMP message of every raw stream in pcaps/, of
tests/nlri/data/rfc_families.bmp (hand-packed FlowSpec, VPLS, MDT, MVPN,
RTC-for-AFI-2 routes) and, when
present, ../shared/pcaps/*.bmp (of frr_large.bmp, its first megabyte) and the
pmacct captures in ../shared/pcaps/public/pmacct: whole
BMP messages for ``decode``/``stream``, UPDATE bodies and BGP messages (from
Route Monitoring, Route Mirroring, Peer Up and Peer Down) for
``update``/``bgp``, and the NLRI octets of every family for ``nlri-*``.  One
file per distinct seed in OUT_DIR/<target>/.
"""

from __future__ import annotations

import hashlib
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bmplib  # noqa: E402
from bmplib.bgp.attributes import MalformedAttribute  # noqa: E402
from bmplib.bgp.update import Update  # noqa: E402
from bmplib.nlri.registry import family_name  # noqa: E402


def split_messages(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos + 6 <= len(data):
        length = struct.unpack_from("!I", data, pos + 1)[0]
        if length < 6:
            break
        out.append(data[pos : pos + length])
        pos += length
    return out


def _context_octet(update: Update) -> int:
    """The fuzz context octet (fuzz/targets.py) that decodes *update* as seen:
    4-octet AS, plus the ADD-PATH bit of its families when it had path IDs."""
    octet = 1
    families = [(1, 1), (2, 1), (1, 128), (25, 70), (1, 4)]
    for route in [*update.announced, *update.withdrawn]:
        if getattr(route, "path_id", None) is not None and route.family in families:
            octet |= 8 << families.index(route.family)
    return octet


def build_seeds(sources: list[Path]) -> dict[str, list[bytes]]:
    """target name -> distinct seed inputs."""
    seeds: dict[str, dict[str, bytes]] = {}

    def add(target: str, data: bytes) -> None:
        seeds.setdefault(target, {}).setdefault(hashlib.sha1(data).hexdigest(), data)

    for src in sources:
        if src.suffix in (".pcap", ".pcapng"):
            # a capture: its reassembled BMP messages, re-encoded (they are exact)
            raw = b"".join(it.item.encode() for it in bmplib.iter_file(src) if hasattr(it.item, "encode"))
        else:
            raw = src.read_bytes()
            if src.name == "frr_large.bmp":
                raw = raw[: 1 << 20]
        messages = split_messages(raw)
        for m in messages:
            add("decode", m)
            if m[5] == 0:
                add("diff", b"\x01" + m)
            add("stream", bytes([len(m) % 251]) + m)
        dec = bmplib.BMPDecoder(resync=True)
        dec.feed(raw)
        dec.close()
        for item in dec:
            for bgp in _bgp_messages(item):
                wire = bgp.encode()
                add("bgp", b"\x01" + wire)
                if isinstance(bgp, Update):
                    octet = _context_octet(bgp)
                    add("update", bytes([octet]) + wire[19:])
                    add("diff", bytes([octet]) + wire[19:])
                    if bgp.nlri:
                        path = any(getattr(r, "path_id", None) is not None for r in bgp.nlri)
                        add("nlri-ipv4-unicast", bytes([int(path)]) + b"".join(r.encode() for r in bgp.nlri))
                    for a in bgp.attributes:
                        if a.type_code in _ATTRIBUTE_TARGETS and not isinstance(a, MalformedAttribute):
                            add(_ATTRIBUTE_TARGETS[a.type_code], a.encode()[4 if a.flags & 0x10 else 3 :])
                    reach, unreach = bgp.mp_reach, bgp.mp_unreach
                    for attr, routes in ((reach, reach and reach.nlri), (unreach, unreach and unreach.withdrawn)):
                        if attr is not None and routes and not hasattr(routes[0], "data"):
                            path = any(getattr(r, "path_id", None) is not None for r in routes)
                            nlri = b"".join(r.encode() for r in routes)
                            add(f"nlri-{family_name(attr.afi, attr.safi)}", bytes([int(path)]) + nlri)
    # families with the same NLRI layout share seeds where captures lack one
    for target, twin in _TWINS.items():
        for data in list(seeds.get(twin, {}).values()):
            add(target, data)
    return {t: list(v.values()) for t, v in seeds.items()}


#: attribute code -> its fuzz target
_ATTRIBUTE_TARGETS = {23: "attr-tunnel-encapsulation", 29: "attr-bgp-ls"}

_TWINS = {
    "nlri-ipv4-multicast": "nlri-ipv4-unicast",
    "nlri-ipv6-multicast": "nlri-ipv6-unicast",
    "nlri-ipv4-vpn-multicast": "nlri-ipv4-vpn",
    "nlri-ipv6-vpn-multicast": "nlri-ipv6-vpn",
}


def _bgp_messages(item: object) -> list[object]:
    out: list[object] = []
    for name in ("bgp", "sent_open", "received_open", "notification"):
        value = getattr(item, name, None)
        if value is not None and hasattr(value, "encode"):
            out.append(value)
    for tlv in getattr(item, "tlvs", None) or ():
        message = getattr(tlv, "message", None)
        if message is not None:
            out.append(message)
    return out


#: BMP messages packed by hand from the RFCs for the families no capture carries (MDT, MVPN, ...)
RFC_SOURCES = [ROOT / "tests" / "nlri" / "data" / "rfc_families.bmp"]


def default_sources() -> list[Path]:
    sources = sorted((ROOT / "pcaps").glob("*.bmp")) + RFC_SOURCES
    shared = ROOT.parent / "shared" / "pcaps"
    if shared.is_dir():
        sources += sorted(shared.glob("*.bmp"))
        sources += sorted((shared / "public" / "pmacct").glob("*.pcap"))
    return sources


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--repo-only"]
    out = Path(args[0]) if args else ROOT / "fuzz" / "corpus"
    sources = default_sources()
    if "--repo-only" in sys.argv:  # only the captures shipped in pcaps/
        sources = [s for s in sources if s.parent == ROOT / "pcaps" or s in RFC_SOURCES]
    seeds = build_seeds(sources)
    for target, inputs in seeds.items():
        (out / target).mkdir(parents=True, exist_ok=True)
        for data in inputs:
            (out / target / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{sum(map(len, seeds.values()))} seeds for {len(seeds)} targets in {out}")


if __name__ == "__main__":
    main()
