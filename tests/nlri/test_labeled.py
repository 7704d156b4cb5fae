"""Labeled unicast NLRI (RFC 8277) from byte vectors laid out as in RFC 8277
section 2: label stacks to the bottom-of-stack bit, the withdraw values
0x800000 and 0x000000, path IDs, errors at their offsets, exact re-encoding."""

from __future__ import annotations

import pytest

from bmplib.errors import EncodeError, NLRIDecodeError
from bmplib.json import value_to_json
from bmplib.nlri.labeled import LabeledPrefix, decode_labeled_nlri
from bmplib.nlri.labels import decode_label_stack, encode_label, encode_label_stack, label_values
from bmplib.nlri.registry import lookup
from bmplib.session import DecodeContext

CTX = DecodeContext()
CTX_ML = DecodeContext(multiple_labels=frozenset({(1, 4)}))


def test_single_label_ipv4() -> None:
    # length 24 + 24 = 48 bits; label 16001 with S bit; 10.201.0.0/24
    data = bytes.fromhex("30" + "03e811" + "0ac900")
    (r,) = decode_labeled_nlri(data, 0, len(data), (1, 4))
    assert r.family == (1, 4) and r.prefix == "10.201.0.0/24" and str(r) == "10.201.0.0/24"
    assert r.labels == (16001,) and r.label == 16001 and r.label_stack == bytes.fromhex("03e811")
    assert not r.is_withdraw_label and r.path_id is None
    assert r.encode() == data
    assert value_to_json(r) == {
        "family": "ipv4-labeled-unicast",
        "prefix": "10.201.0.0/24",
        "labels": [16001],
        "path_id": None,
    }


@pytest.mark.parametrize("ctx", [CTX, CTX_ML])
def test_label_stack_to_the_bottom_of_stack_bit(ctx: DecodeContext) -> None:
    # three labels 100, 200, 300 (S on the last): 72 + 24 = 96 bits
    data = bytes.fromhex("60" + "000640" + "000c80" + "0012c1" + "0ac800")
    codec = lookup(1, 4)
    assert codec is not None
    (r,) = codec.decode(data, 0, len(data), False, ctx)
    assert r.labels == (100, 200, 300) and r.prefix == "10.200.0.0/24"
    assert codec.encode([r], False, ctx) == data


@pytest.mark.parametrize("withdraw", ["800000", "000000"])
def test_withdraw_label_values(withdraw: str) -> None:
    # RFC 8277 section 2.4: neither value has the S bit, the stack ends there
    data = bytes.fromhex("38" + withdraw + "0ac90001") + bytes.fromhex("48" + "800000" + "20010db8000b")
    routes = decode_labeled_nlri(data, 0, 8, (1, 4))
    assert len(routes) == 1 and routes[0].is_withdraw_label and routes[0].prefix == "10.201.0.1/32"
    (v6,) = decode_labeled_nlri(data, 8, len(data), (2, 4))
    assert v6.family == (2, 4) and v6.prefix == "2001:db8:b::/48" and v6.labels == (0x80000,)
    assert routes[0].encode() + v6.encode() == data


def test_path_ids_and_ipv6() -> None:
    data = bytes.fromhex(
        "0000000a" + "48" + "001901" + "20010db8000b" + "0000000b" + "60" + "001910" + "001921" + "20010db8000b"
    )
    routes = decode_labeled_nlri(data, 0, len(data), (2, 4), path_id=True)
    assert [(r.path_id, r.labels, r.prefix) for r in routes] == [
        (10, (400,), "2001:db8:b::/48"),
        (11, (401, 402), "2001:db8:b::/48"),
    ]
    assert b"".join(r.encode() for r in routes) == data


@pytest.mark.parametrize(
    ("hexdata", "offset_in"),
    [
        ("30" + "000640" + "0ac8", 0),  # runs past the end
        ("30" + "000640" + "000c80", 0),  # no bottom-of-stack bit inside the NLRI
        ("10" + "000641", 0),  # 16 bits: less than one label
        ("48" + "000641" + "0a0a0a0a0a0a", 0),  # prefix length 48 > 32
        ("18" + "000641" + "30" + "000641", 4),  # second NLRI broken
    ],
)
def test_errors_at_the_failing_nlri(hexdata: str, offset_in: int) -> None:
    buf = b"\x99\x99" + bytes.fromhex(hexdata)
    with pytest.raises(NLRIDecodeError) as exc:
        decode_labeled_nlri(buf, 2, len(buf), (1, 4))
    assert exc.value.offset == 2 + offset_in


def test_label_helpers() -> None:
    assert encode_label(16001) == bytes.fromhex("03e811")
    assert encode_label(100, bottom=False, tc=5) == bytes.fromhex("00064a")
    assert encode_label_stack([100, 200, 300]) == bytes.fromhex("000640000c800012c1")
    assert encode_label_stack([]) == bytes.fromhex("800000")
    assert label_values(bytes.fromhex("000640000c80")) == (100, 200)
    assert decode_label_stack(bytes.fromhex("00064a0012c1ff"), 0, 7) == 6
    with pytest.raises(EncodeError):
        encode_label(1 << 20)
    r = LabeledPrefix.from_text("10.1.0.0/16", [3], path_id=4)
    assert r.encode() == bytes.fromhex("00000004" + "28" + "000031" + "0a01")
    with pytest.raises(EncodeError):
        LabeledPrefix((1, 4), 24, b"\x0a", b"\x00\x00\x31").encode()
