"""Issue 17's reproducers through the compiled and the pure decoders side by
side: the same items (resync, whole and one octet at a time), the same
MP_REACH next-hop problem, the same masked prefix text."""

from __future__ import annotations

import pytest

from bmplib.session import DecodeContext
from tests.bgp.test_mp_next_hop import ITEM7, NLRI, update_body
from tests.bmp.test_roundtrip_real import split_messages
from tests.conftest import PCAPS
from tests.fast.differential import same_message, same_stream, same_update
from tests.test_stream_resync import INITIATION, ITEM1, ITEM2, false_headers

# issue 17 item 8: a Route Monitoring message announcing NLRI 09 00 ff
ITEM8 = bytes.fromhex(
    "030000005e0000000000000000000000000000000000000000000000c00002010000fde9c00002016553f10000000005"
    "ffffffffffffffffffffffffffffffff002e02000000144001010040020602010000fdea400304c00002010900ff"
)


def _route_monitorings() -> list[bytes]:
    return [m for m in split_messages((PCAPS / "frr_unicast.bmp").read_bytes()) if m[5] == 0][:5]


@pytest.mark.parametrize("chunk", [0, 1, 7])
@pytest.mark.parametrize(
    "data",
    [
        ITEM1,
        ITEM2,
        INITIATION + false_headers() + INITIATION,
        # Route Monitoring messages (the compiled framing path) around garbage
        b"".join(_route_monitorings()[:2]) + ITEM1[:11] + b"".join(_route_monitorings()[2:]),
        b"\x04" + INITIATION[1:] + b"".join(_route_monitorings()),
        bytes(10) + INITIATION,
    ],
    ids=["item1", "item2", "item3-false-headers", "route-monitoring-around-garbage", "bmp-v4", "item5"],
)
def test_resync_streams(data: bytes, chunk: int) -> None:
    assert same_stream(data, resync=True, chunk=chunk) > 0


def test_item7_next_hop_length() -> None:
    kind, _ = same_message(ITEM7)
    assert kind == "ok"
    for family in sorted(NLRI):
        for length in (0, 4, 5, 12, 16, 24, 32, 48):
            body = update_body(*family, bytes(length))
            same_update(body, 19, len(body), DecodeContext())


def test_item8_prefix_text() -> None:
    same_message(ITEM8)
