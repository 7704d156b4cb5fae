"""Route Policy and Attribute Trace (BMP type 100, bmplib.bmp.trace) against
tshark 4.0's dissection of the same messages: pcaps/trace/ holds two trace
messages laid out field by field by pcaps/trace/make_trace.py (with a real
UPDATE's path attributes) between GoBGP's real Initiation and Termination,
as a raw stream and as a pcap, and tshark's JSON of the pcap."""

from __future__ import annotations

import collections
import gzip
import json
import re
import struct
from typing import Any

import pytest

import bmplib
from bmplib.bmp.trace import (
    AttributesTLV,
    PolicyClass,
    PolicyTLV,
    RoutePolicyTrace,
    StringTLV,
    TraceTLV,
    TraceTLVType,
    VRFTableTLV,
    decode_route_policy_trace,
)
from bmplib.stream import ErrorRecord
from tests.conftest import PCAPS

TRACE = PCAPS / "trace"


def walk(o: Any, fields: dict[str, list[str]]) -> None:
    """Collect every field of a tshark JSON tree, values in document order."""
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, list) and v and not isinstance(v[0], (dict, list)):
                fields[k].extend(v)
            elif isinstance(v, (dict, list)):
                walk(v, fields)
            else:
                fields[k].append(v)
    elif isinstance(o, list):
        for x in o:
            walk(x, fields)


def tshark_fields() -> list[dict[str, list[str]]]:
    """Per BMP PDU of type 100: every tshark field, its values in order."""
    with gzip.open(TRACE / "route_policy_trace.tshark.json.gz", "rt") as fh:
        frames = json.load(fh)
    out = []
    for f in frames:
        bmp = f["_source"]["layers"].get("bmp")
        if bmp is None or bmp["bmp.type"] != "100":
            continue
        fields: dict[str, list[str]] = collections.defaultdict(list)
        walk(bmp, fields)
        out.append(fields)
    return out


def traces() -> list[RoutePolicyTrace]:
    items = list(bmplib.iter_file(TRACE / "route_policy_trace.bmp"))
    assert [type(i).__name__ for i in items] == ["Initiation", "RoutePolicyTrace", "RoutePolicyTrace", "Termination"]
    return [i for i in items if isinstance(i, RoutePolicyTrace)]


def hexc(value: str) -> bytes:
    return bytes.fromhex(value.replace(":", ""))


def test_against_tshark() -> None:
    pdus = tshark_fields()
    msgs = traces()
    assert len(pdus) == len(msgs) == 2
    for t, f in zip(msgs, pdus):
        R = "bmp.route_policy."
        assert int(f[R + "flags"][0], 16) == t.flags
        assert f[R + "type"][0] == "0x" + t.distinguisher.hex()  # the route distinguisher
        assert int(f[R + "prefix_length"][0]) == t.prefix_length
        assert (f.get(R + "prefix_ipv6") or f[R + "prefix_ipv4"])[0] == t.prefix
        assert int(f[R + "route_origin"][0]) == t.route_origin
        assert int(f[R + "event_count"][0]) == len(t.events)
        events = [e.encode() for e in t.events]
        assert int(f[R + "total_event_length"][0]) == sum(map(len, events))
        assert [int(x) for x in f[R + "single_event_length"]] == [len(e) for e in events]
        assert [int(x) for x in f[R + "event_index"]] == [e.index for e in t.events]
        assert [int(x) for x in f[R + "timestamp.sec"]] == [e.timestamp_sec for e in t.events]
        assert [int(x) for x in f[R + "timestamp.msec"]] == [e.timestamp_usec for e in t.events]
        assert [int(x) for x in f[R + "path_identifier"]] == [e.path_id for e in t.events]
        assert [(int(a), int(s)) for a, s in zip(f[R + "afi"], f[R + "safi"])] == [(e.afi, e.safi) for e in t.events]
        tlvs = [x for e in t.events for x in e.tlvs]
        assert [int(x) for x in f[R + "tlv.type"]] == [int(x.encode()[1]) for x in tlvs]
        assert [hexc(v) for v in f[R + "tlv.value"]] == [x.encode()[4:] for x in tlvs]
        vrfs = [x for x in tlvs if isinstance(x, VRFTableTLV)]
        assert [int(v) for v in f.get(R + "tlv.vrf.table_id", [])] == [v.table_id for v in vrfs]
        assert f.get(R + "tlv.vrf.table_name", []) == [v.name for v in vrfs]
        pols = [x for x in tlvs if isinstance(x, PolicyTLV)]
        P = R + "tlv.policy."
        assert [int(v, 16) for v in f[P + "flags"]] == [p.flags for p in pols]
        assert [int(v) for v in f[P + "count"]] == [len(p.policies) for p in pols]
        assert [int(v, 16) for v in f[P + "class"]] == [int(p.policy_class) for p in pols]
        assert f[P + "peer.router_id"] == [p.peer_router_id for p in pols]
        assert [int(v) for v in f[P + "peer.as"]] == [p.peer_as for p in pols]
        entries = [e for p in pols for e in p.policies]
        assert f.get(P + "name", []) == [e.name for e in entries]
        assert f.get(P + "item_id", []) == [e.item_id for e in entries]
        assert [int(v, 16) for v in f.get(P + "flag", [])] == [e.flags for e in entries]
        strings = [x.text for x in tlvs if isinstance(x, StringTLV)]
        assert f.get(R + "tlv.string", []) == strings


def test_model_and_round_trip() -> None:
    data = (TRACE / "route_policy_trace.bmp").read_bytes()
    items = list(bmplib.iter_file(TRACE / "route_policy_trace.bmp"))
    assert b"".join(i.encode() for i in items) == data
    t1, t2 = traces()
    assert (t1.rd, t1.prefix, t1.prefix_length, t1.route_origin) == ("65000:100", "10.1.0.0", 24, 0x0A000001)
    e0, e1 = t1.events
    assert [type(x) for x in e0.tlvs] == [VRFTableTLV, PolicyTLV, AttributesTLV, AttributesTLV, StringTLV]
    pol = e0.tlvs[1]
    assert isinstance(pol, PolicyTLV) and pol.matched and pol.permitted and pol.changed
    assert (pol.policy_class, pol.peer_address, pol.peer_as) == (PolicyClass.INBOUND, "192.0.2.1", 65001)
    assert [(p.name, p.item_id, p.flags) for p in pol.policies] == [
        ("IMPORT-POLICY", "10", 0x80),
        ("SET-COMM", "20", 0),
    ]
    pre, post = e0.tlvs[2], e0.tlvs[3]
    assert isinstance(pre, AttributesTLV) and isinstance(post, AttributesTLV)
    assert pre.type == TraceTLVType.PRE_POLICY_ATTRIBUTES and post.type == TraceTLVType.POST_POLICY_ATTRIBUTES
    assert post.attributes[: len(pre.attributes)] == pre.attributes
    assert post.attributes[-1].text == ["65000:666"]
    assert e1.path_id == 7 and isinstance(e1.tlvs[0], PolicyTLV) and not e1.tlvs[0].matched
    assert (t2.prefix, t2.flags, t2.events[0].afi) == ("2001:db8:1::", 0x80, 2)
    assert t2.events[0].tlvs[-1] == TraceTLV(9, b"\x01\x02\x03")
    j = bmplib.to_json(t1)
    assert j["type"] == "route_policy_trace" and j["prefix"] == "10.1.0.0/24" and j["rd"] == "65000:100"
    assert j["events"][0]["tlvs"][1]["policies"][0]["name"] == "IMPORT-POLICY"
    assert json.loads(json.dumps(j)) == j


def test_the_pcap_gives_the_same_messages() -> None:
    assert [c.item for c in bmplib.iter_file(TRACE / "route_policy_trace.pcap")] == list(
        bmplib.iter_file(TRACE / "route_policy_trace.bmp")
    )


def frame(body: bytes) -> bytes:
    return struct.pack("!BIB", 3, 6 + len(body), 100) + body


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b[:20], "needs 33 octets"),
        (lambda b: b[:-1], "does not match"),
        (lambda b: b[:30] + b"\x09" + b[31:], "event 2 truncated"),
        (lambda b: b[:33] + b"\x00\x03" + b[35:], "does not fit"),
        (lambda b: b[:33] + b"\x00\x14" + b[35:], "TLV header truncated"),
        (lambda b: b[:53] + b"\x00\xff" + b[55:], "runs past the event"),
    ],
)
def test_malformed(mutate: Any, reason: str) -> None:
    body = mutate(traces()[0].encode()[6:])
    with pytest.raises(bmplib.BMPDecodeError, match=reason):
        decode_route_policy_trace(body, 0, len(body))
    dec = bmplib.BMPDecoder()
    dec.feed(frame(body))
    (item,) = list(dec)
    assert isinstance(item, ErrorRecord) and reason in item.error.reason and item.data == frame(body)


def test_a_shapeless_tlv_stays_raw() -> None:
    t1 = traces()[0]
    e0 = t1.events[0]
    bad = TraceTLV(TraceTLVType.POLICY, b"\x80\x05")  # says 5 policies, holds none
    e0.tlvs.append(bad)
    again = bmplib.decode(t1.encode())
    assert isinstance(again, RoutePolicyTrace) and again.events[0].tlvs[-1] == bad


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from bmplib.cli import main

    path = str(TRACE / "route_policy_trace.bmp")
    assert main(["decode", "--type", "route_policy_trace", path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["prefix"] for line in lines] == ["10.1.0.0/24", "2001:db8:1::/48"]
    assert main(["summary", path]) == 0
    assert re.search(r"route_policy_trace\s+2", capsys.readouterr().out)
