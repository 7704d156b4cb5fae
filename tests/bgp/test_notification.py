"""BGP NOTIFICATION (RFC 4271 section 4.5), its IANA code and subcode names,
and the Cease shutdown communication (RFC 9003).

Every NOTIFICATION in a Peer Down (reasons 1 and 3) or a Route Mirroring
message of the captures is compared with tshark's decoding (code, subcode,
shutdown communication, data) and re-encoded to its octets.
"""

from __future__ import annotations

import struct
from typing import Any

import pytest

from bmplib.bgp.message import BGPMessageType, decode_bgp_message
from bmplib.bgp.notification import (
    CeaseSubcode,
    FSMErrorSubcode,
    MessageHeaderErrorSubcode,
    Notification,
    NotificationCode,
    OpenMessageErrorSubcode,
    RouteRefreshErrorSubcode,
    UpdateMessageErrorSubcode,
    encode_shutdown_communication,
)
from bmplib.bmp.messages import MirroredBGPMessage
from bmplib.errors import BGPDecodeError, EncodeError
from bmplib.json import value_to_json
from tests.bmp import tshark
from tests.bmp.test_public_pmacct import NAMES as PUBLIC_NAMES
from tests.bmp.test_public_pmacct import decode_capture
from tests.bmp.test_tshark_oracle import oracle
from tests.conftest import CAPTURES, PUBLIC_PCAPS


def notification(body: bytes) -> Any:
    wire = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 3) + body
    msg, end = decode_bgp_message(wire, 0, len(wire))
    assert end == len(wire)
    assert msg.encode() == wire
    return msg


# ---------------------------------------------------------------------------
# real NOTIFICATIONs against tshark
# ---------------------------------------------------------------------------
def _pairs(p: tshark.PDU, m: Any, r: bytes) -> list[tuple[Any, dict[str, Any], bytes]]:
    """(bmplib NOTIFICATION, tshark's, wire octets) in one BMP message."""
    wanted = [b for b in tshark.bgp_messages(p) if b["bgp.type"] == "3"]
    if p.type == 2 and m.notification is not None:
        assert len(wanted) == 1
        return [(m.notification, wanted[0], r[49:])]
    if p.type == 6:
        got = [(t.message, t.encode()[4:]) for t in m.tlvs if isinstance(t, MirroredBGPMessage) and t.message.type == 3]
        assert len(got) == len(wanted), f"frame {p.frame}"
        return [(n, w, wire) for (n, wire), w in zip(got, wanted)]
    return []


def notification_mismatches(n: Any, t: dict[str, Any], wire: bytes) -> list[str]:
    out = []
    if not isinstance(n, Notification):
        return [f"not a Notification: {n!r}"]
    minor = [v for k, v in t.items() if k.startswith("bgp.notify.minor_error")]
    got = (int(n.code), int(n.subcode))
    want = (int(t["bgp.notify.major_error"]), int(minor[0]) if minor else None)
    if got != want:
        out.append(f"code/subcode: bmplib {got} tshark {want}")
    if n.shutdown_message != t.get("bgp.notify.communication"):
        out.append(f"shutdown message: bmplib {n.shutdown_message!r} tshark {t.get('bgp.notify.communication')!r}")
    if "bgp.notify.communication_length" in t and n.data[0] != int(t["bgp.notify.communication_length"]):
        out.append("shutdown communication length")
    if "bgp.notify.minor_data" in t and n.data != bytes.fromhex(t["bgp.notify.minor_data"].replace(":", "")):
        out.append("data")
    if n.encode() != wire:
        out.append("re-encoding")
    return out


def local_notifications(name: str) -> list[tuple[Any, dict[str, Any], bytes]]:
    pdus, msgs, raw = oracle(name)
    return [x for p, m, r in zip(pdus, msgs, raw) if p.type in (2, 6) for x in _pairs(p, m, r)]


@pytest.mark.parametrize("name", CAPTURES)
def test_notifications_match_tshark(name: str) -> None:
    for n, t, wire in local_notifications(name):
        assert notification_mismatches(n, t, wire) == []


def test_public_notifications_match_tshark() -> None:
    found = []
    for name in PUBLIC_NAMES:
        for d in decode_capture(name):
            for p, m in zip(d.pdus, d.messages):
                if p.type in (2, 6):
                    for n, t, wire in _pairs(p, m, d.wire(m)):
                        assert notification_mismatches(n, t, wire) == [], f"{name} frame {p.frame}"
                        found.append((int(n.code), int(n.subcode)))
    if PUBLIC_PCAPS.exists():
        assert sorted(found) == [(6, 2), (6, 4)]  # 205: 6WIND/FRR peer down, reason 3


def test_the_captures_hold_the_expected_notifications() -> None:
    """gobgp_unicast: Peer Down reason 1 with Cease/4 and hold timer expired,
    reason 3 with Cease/2 and a shutdown communication; frr_unicast: Cease/2
    with "rr going away" in Peer Downs and a mirrored Cease/9 (Hard Reset,
    RFC 8538) wrapping it."""
    gobgp = [(n.code, n.subcode, n.shutdown_message) for n, _, _ in local_notifications("gobgp_unicast")]
    assert sorted(gobgp) == [
        (NotificationCode.HOLD_TIMER_EXPIRED, 0, None),
        (NotificationCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, "frrf maintenance"),
        (NotificationCode.CEASE, CeaseSubcode.ADMINISTRATIVE_RESET, None),
    ]
    frr = [n for n, _, _ in local_notifications("frr_unicast")]
    assert [n.shutdown_message for n in frr].count("rr going away") == 5
    (hard,) = [n for n in frr if n.subcode == CeaseSubcode.HARD_RESET]
    assert hard.shutdown_message is None
    assert hard.hard_reset == Notification(
        NotificationCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, b"\x0drr going away"
    )
    assert hard.hard_reset is not None and hard.hard_reset.shutdown_message == "rr going away"
    evpn = [(n.code, n.subcode) for n, _, _ in local_notifications("frr_evpn_interop_flap")]
    assert evpn and set(evpn) == {(6, 2)}


# ---------------------------------------------------------------------------
# hand-built
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "subcode", "enum_code", "enum_subcode"),
    [
        (1, 2, NotificationCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH),
        (2, 11, NotificationCode.OPEN_MESSAGE_ERROR, OpenMessageErrorSubcode.ROLE_MISMATCH),
        (2, 7, NotificationCode.OPEN_MESSAGE_ERROR, OpenMessageErrorSubcode.UNSUPPORTED_CAPABILITY),
        (3, 9, NotificationCode.UPDATE_MESSAGE_ERROR, UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR),
        (3, 11, NotificationCode.UPDATE_MESSAGE_ERROR, UpdateMessageErrorSubcode.MALFORMED_AS_PATH),
        (
            5,
            3,
            NotificationCode.FINITE_STATE_MACHINE_ERROR,
            FSMErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE,
        ),
        (6, 10, NotificationCode.CEASE, CeaseSubcode.BFD_DOWN),
        (7, 1, NotificationCode.ROUTE_REFRESH_MESSAGE_ERROR, RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH),
    ],
)
def test_registry_names(code: int, subcode: int, enum_code: Any, enum_subcode: Any) -> None:
    n = notification(bytes([code, subcode]) + b"\x01\x02")
    assert n.code is enum_code and n.subcode is enum_subcode and n.data == b"\x01\x02"
    assert n.type is BGPMessageType.NOTIFICATION


@pytest.mark.parametrize(("code", "subcode"), [(4, 0), (8, 0), (6, 0), (6, 11), (9, 1), (255, 255), (3, 12)])
def test_unregistered_values_stay_ints(code: int, subcode: int) -> None:
    n = notification(bytes([code, subcode]))
    assert type(n.subcode) is int
    assert int(n.code) == code and n.subcode == subcode
    assert (type(n.code) is int) == (code not in range(1, 9))


def test_shutdown_communication_rfc9003() -> None:
    # RFC 9003 section 2: a length octet then UTF-8, up to 255 octets
    text = "maintenance window — back at 14:00 UTC"
    n = notification(b"\x06\x02" + encode_shutdown_communication(text))
    assert n.shutdown_message == text
    long = "é" * 127 + "x"  # 255 octets
    assert notification(b"\x06\x04" + encode_shutdown_communication(long)).shutdown_message == long
    assert notification(b"\x06\x02\x00").shutdown_message == ""
    assert value_to_json(notification(b"\x06\x02\x03abc")) == {
        "code": "cease", "subcode": "administrative_shutdown", "data": "03616263", "shutdown_message": "abc",
    }  # fmt: skip
    with pytest.raises(EncodeError):
        encode_shutdown_communication("x" * 256)


@pytest.mark.parametrize(
    "body",
    [
        b"\x06\x02",  # no data: no communication
        b"\x06\x02\x05abc",  # length runs past the data
        b"\x06\x02\x02abc",  # octets after the communication
        b"\x06\x02\x02\xc3\x28",  # invalid UTF-8
        b"\x06\x03\x03abc",  # peer de-configured carries no communication
        b"\x03\x02\x03abc",  # not a Cease
    ],
)
def test_bad_shutdown_communication_is_kept_raw(body: bytes) -> None:
    n = notification(body)
    assert n.shutdown_message is None and n.data == body[2:]


def test_hard_reset_needs_a_code_and_subcode() -> None:
    assert notification(b"\x06\x09\x06").hard_reset is None
    assert notification(b"\x06\x09\x04\x00").hard_reset == Notification(NotificationCode.HOLD_TIMER_EXPIRED, 0, b"")
    assert notification(b"\x06\x02\x04\x00").hard_reset is None


@pytest.mark.parametrize("body", [b"", b"\x06"])
def test_short_notification_raises(body: bytes) -> None:
    wire = b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 3) + body
    with pytest.raises(BGPDecodeError) as exc:
        decode_bgp_message(wire, 0, len(wire))
    assert exc.value.offset == 0 and exc.value.data == wire


def test_encode_rejects_values_that_do_not_fit() -> None:
    with pytest.raises(EncodeError):
        Notification(256, 0).encode()
    with pytest.raises(EncodeError):
        Notification(6, -1).encode()
