"""Checked encoding of every model object: :func:`encode`.

Every model object has an ``encode()`` method (next to its decoder) that
writes its wire octets and raises :class:`~bmplib.errors.EncodeError` when a
value does not fit its field.  :func:`encode` calls it and adds the checks
that need to know the session:

* a BGP message longer than 4096 octets needs the extended message
  capability (RFC 8654 section 4: ``context.extended_message``), and OPEN and
  KEEPALIVE never may;
* with a *context*, an UPDATE must be laid out the way that context decodes
  it: AS_PATH with the context's AS width (RFC 6793), and a path identifier on
  every route of a family with ADD-PATH and on no other (RFC 7911), so that
  ``decode(encode(m), context) == m``.

>>> import bmplib
>>> from bmplib.bgp.keepalive import Keepalive
>>> bmplib.encode(Keepalive()).hex()
'ffffffffffffffffffffffffffffffff001304'
"""

from __future__ import annotations

from typing import Any

from bmplib.bgp.attributes import ASPath, MPReachNLRI, MPUnreachNLRI
from bmplib.bgp.keepalive import Keepalive
from bmplib.bgp.message import MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, UnknownBGPMessage
from bmplib.bgp.notification import Notification
from bmplib.bgp.open import Open
from bmplib.bgp.route_refresh import RouteRefresh
from bmplib.bgp.update import Update
from bmplib.bmp.messages import MirroredBGPMessage, PeerDown, PeerUp, RouteMirroring, RouteMonitoring
from bmplib.errors import EncodeError
from bmplib.session import DecodeContext

__all__ = ["encode", "check_context"]

_U16 = int.from_bytes

#: the classes whose objects are encoded as whole BGP messages
_BGP_CLASSES = (Open, Update, Notification, Keepalive, RouteRefresh, UnknownBGPMessage)


def encode(obj: Any, context: DecodeContext | None = None) -> bytes:
    """The wire octets of *obj*: a BMP message, a BGP message, a header, a
    TLV, a capability, a path attribute, an extended community, an NLRI...

    BGP messages (alone or inside a BMP message) may be longer than 4096
    octets only when ``context.extended_message`` is set (RFC 8654); with a
    *context*, UPDATEs are also checked against it (see
    :func:`check_context`).  Raises :class:`~bmplib.errors.EncodeError`
    naming the field that does not fit.
    """
    enc = None if isinstance(obj, (str, bytes, bytearray, memoryview)) else getattr(obj, "encode", None)
    if enc is None or not callable(enc):
        raise EncodeError(type(obj).__name__, "is not a bmplib model object (no encode())")
    if context is not None:
        check_context(obj, context)
    out = enc()
    if not isinstance(out, bytes):
        raise EncodeError(type(obj).__name__, f"encode() returned {type(out).__name__}, not bytes")
    extended = context is not None and context.extended_message
    if isinstance(obj, _BGP_CLASSES):
        _check_bgp(out, 0, extended, "length")
    else:
        _check_bmp(obj, out, extended)
    return out


def _check_bgp(buf: bytes, pos: int, extended: bool, what: str) -> int:
    """Check the length of the BGP message at *pos*; return its end."""
    length = _U16(buf[pos + 16 : pos + 18], "big")
    msg_type = buf[pos + 18]
    limit = MAX_EXTENDED_MESSAGE_LENGTH if extended and msg_type not in (1, 4) else MAX_MESSAGE_LENGTH
    if length > limit:
        why = "" if extended else " (RFC 8654 extended message not in the context)"
        raise EncodeError(what, f"BGP message type {msg_type} of {length} octets exceeds the maximum {limit}{why}")
    return pos + length


def _check_bmp(obj: Any, out: bytes, extended: bool) -> None:
    """Check the BGP PDUs inside an encoded BMP message (their lengths are
    read from the octets just written)."""
    if isinstance(obj, RouteMonitoring) and isinstance(obj.bgp, _BGP_CLASSES):
        _check_bgp(out, 48, extended, "bgp.length")
    elif isinstance(obj, PeerUp):
        # the OPENs follow the per-peer header, local address and ports
        end = _check_bgp(out, 68, False, "sent_open.length")
        _check_bgp(out, end, False, "received_open.length")
    elif isinstance(obj, PeerDown) and obj.notification is not None:
        _check_bgp(out, 49, extended, "notification.length")
    elif isinstance(obj, RouteMirroring):
        pos = 48
        for tlv in obj.tlvs:
            length = _U16(out[pos + 2 : pos + 4], "big")
            if isinstance(tlv, MirroredBGPMessage):
                _check_bgp(out, pos + 4, extended, "tlvs.message.length")
            pos += 4 + length


def check_context(obj: Any, context: DecodeContext) -> None:
    """Raise :class:`~bmplib.errors.EncodeError` when an UPDATE in *obj*
    (an UPDATE, or a Route Monitoring / Route Mirroring message carrying
    one) does not match *context*: an AS_PATH whose AS width is not the
    context's (unless ``context.asn_guess``), a route without a path
    identifier in a family that has ADD-PATH in the context, or one with a
    path identifier in a family that has not."""
    if isinstance(obj, Update):
        _check_update(obj, context)
    elif isinstance(obj, RouteMonitoring):
        if isinstance(obj.bgp, Update):
            _check_update(obj.bgp, context)
    elif isinstance(obj, RouteMirroring):
        for msg in obj.messages:
            if isinstance(msg, Update):
                _check_update(msg, context)


def _check_routes(routes: list[Any], family: tuple[int, int], context: DecodeContext, what: str) -> None:
    want = (int(family[0]), int(family[1])) in context.addpath
    for r in routes:
        if not hasattr(r, "path_id"):
            continue  # UnknownNLRI: raw octets
        if want and r.path_id is None:
            raise EncodeError(f"{what}.path_id", f"route {r} has no path identifier, the context has ADD-PATH for it")
        if not want and r.path_id is not None:
            raise EncodeError(f"{what}.path_id", f"route {r} has a path identifier, the context has no ADD-PATH for it")


def _check_update(update: Update, context: DecodeContext) -> None:
    _check_routes(update.withdrawn_routes, (1, 1), context, "withdrawn_routes")
    _check_routes(update.nlri, (1, 1), context, "nlri")
    for a in update.attributes:
        if isinstance(a, ASPath) and a.asn4 != context.asn4 and not context.asn_guess:
            width = "4" if context.asn4 else "2"
            raise EncodeError("as_path.asn4", f"the context has {width}-octet AS numbers, the AS_PATH has not")
        elif isinstance(a, MPReachNLRI):
            _check_routes(a.nlri, (a.afi, a.safi), context, "mp_reach.nlri")
        elif isinstance(a, MPUnreachNLRI):
            _check_routes(a.withdrawn, (a.afi, a.safi), context, "mp_unreach.withdrawn")
