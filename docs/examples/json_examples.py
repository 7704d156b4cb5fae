"""Generate the JSON examples shown in docs/json.md from real captures.

Each example is one message of a capture in pcaps/, picked by its stream
offset, turned into JSON with ``bmplib.to_json`` and written, indented, to
``docs/examples/json/NAME.json``.  ``tests/test_docs.py`` regenerates them
and fails when a file differs, so the documented examples cannot drift from
what bmplib produces.  After a change to the JSON form, run (from the
repository root)::

    python docs/examples/json_examples.py

``--check`` only compares, and exits 1 listing the stale files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import bmplib
from bmplib.openbmp import OpenBMPDecoder, OpenBMPHeader, OpenBMPRecord

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = Path(__file__).resolve().parent / "json"

#: name -> (capture in pcaps/, stream offset of the message, what it shows)
EXAMPLES: dict[str, tuple[str, int, str]] = {
    "initiation": ("gobgp_unicast.bmp", 0, "GoBGP's Initiation with its sysDescr and sysName TLVs"),
    "peer_up": ("frr_unicast.bmp", 432, "FRR: Peer Up of the IPv4 peer 127.0.0.11 (AS 4200000001)"),
    "route_monitoring": ("gobgp_unicast.bmp", 450, "GoBGP: pre-policy Adj-RIB-In Route Monitoring"),
    "route_monitoring_loc_rib": ("gobgp_unicast.bmp", 716, "GoBGP: Route Monitoring of its Loc-RIB (peer type 3)"),
    "statistics_report": ("frr_unicast.bmp", 17745, "FRR: Statistics Report with FRR's private type 65531"),
    "peer_down_fsm": ("frr_unicast.bmp", 36, "FRR: Peer Down reason 2 (local, FSM event) for a peer never up"),
    "peer_down_notification": ("gobgp_unicast.bmp", 35078, "GoBGP: Peer Down reason 1 with the NOTIFICATION sent"),
    "route_mirroring": ("frr_unicast.bmp", 981, "FRR: Route Mirroring of a received BGP message"),
    "termination": ("gobgp_unicast.bmp", 68556, "GoBGP: Termination, reason 4"),
    "captured": ("gobgp_unicast.pcap", 0, "the same Initiation read from the pcap: with its TCP flow and time"),
    "route_monitoring_flowspec": ("gobgp_families.bmp", 4497, "GoBGP: an IPv4 FlowSpec route with its actions"),
    # BGP-LS, SR Policy, MUP (GoBGP 3.10 exporting what the lab's speakers sent)
    "bgp_ls_link": ("gobgp_families.bmp", 1798, "GoBGP: a BGP-LS link NLRI and its BGP-LS attribute (29)"),
    "sr_policy": ("gobgp_families.bmp", 10973, "GoBGP: an SR Policy candidate path (Tunnel Encapsulation, 23)"),
    "mup_dsd": ("gobgp_families.bmp", 7859, "GoBGP: a MUP Direct Segment Discovery route, MUP extended community"),
}


def message_at(capture: str, offset: int) -> Any:
    for item in bmplib.iter_file(ROOT / "pcaps" / capture):
        if getattr(item, "item", item).offset == offset:  # from a pcap, the message is in .item
            return item
    raise LookupError(f"no message at offset {offset} of {capture}")


def derived_examples() -> dict[str, Any]:
    """Records no shipped capture holds, made from real messages."""
    data = (ROOT / "pcaps" / "gobgp_unicast.bmp").read_bytes()
    init = data[:70]  # GoBGP's Initiation message
    out: dict[str, Any] = {}
    # "unknown": the Initiation's bytes with message type 42, which no registry assigns
    out["unknown"] = bmplib.to_json(bmplib.decode(init[:5] + b"\x2a" + init[6:]))
    # "error": a Statistics Report whose stats count (4 octets after the per-peer header) is one too many
    stats = bytearray(message_at("frr_unicast.bmp", 17745).encode())
    count = int.from_bytes(stats[48:52], "big")
    stats[48:52] = (count + 1).to_bytes(4, "big")
    dec = bmplib.BMPDecoder()
    dec.feed(init + stats)
    out["error"] = bmplib.to_json(list(dec)[1])
    # "skipped": the stream closed 100 octets into the Peer Up that follows the Initiation
    dec = bmplib.BMPDecoder()
    dec.feed(data[:170])
    dec.close()
    out["skipped"] = bmplib.to_json(list(dec)[1])
    # "openbmp": GoBGP's Initiation as an OpenBMP collector publishes it (bmplib.openbmp)
    header = OpenBMPHeader(1, 7, 0x80, 12, 1796320000, 250000, bytes.fromhex("5d" * 16), "collector-a",
                           bytes.fromhex("a7" * 16), "192.0.2.1", "lab", 1)  # fmt: skip
    reader = OpenBMPDecoder()
    reader.feed(OpenBMPRecord(header, init).encode())
    out["openbmp"] = bmplib.to_json(next(reader))
    return out


def render() -> dict[str, str]:
    """File name -> content of every example."""
    records = {name: bmplib.to_json(message_at(cap, off)) for name, (cap, off, _) in EXAMPLES.items()}
    records.update(derived_examples())
    return {f"{name}.json": json.dumps(rec, indent=2) + "\n" for name, rec in records.items()}


def stale() -> list[str]:
    """The example files that differ from what bmplib produces now."""
    files = render()
    bad = [name for name, text in files.items() if not (OUT / name).exists() or (OUT / name).read_text() != text]
    extra = [p.name for p in OUT.glob("*.json") if p.name not in files]
    return sorted(bad + extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when a file is stale")
    args = parser.parse_args()
    if args.check:
        bad = stale()
        for name in bad:
            print(f"stale: docs/examples/json/{name}", file=sys.stderr)
        return 1 if bad else 0
    OUT.mkdir(exist_ok=True)
    files = render()
    for p in OUT.glob("*.json"):
        if p.name not in files:
            p.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} examples to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
