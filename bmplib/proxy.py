"""The PROXY protocol header (HAProxy's "PROXY protocol", versions 1 and 2)
that a load balancer or relay in front of a collector puts at the start of
each TCP connection, so that the collector learns the router's address.

Version 1 is one text line::

    PROXY TCP4 192.0.2.1 198.51.100.2 56324 11019\\r\\n      (or TCP6, or UNKNOWN)

Version 2 is binary: a 12-octet signature, version and command (1: high
nibble 2, low nibble 0 LOCAL / 1 PROXY), address family and transport (1:
high nibble 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX; low nibble 0 UNSPEC, 1
STREAM, 2 DGRAM), a 2-octet length, then the addresses (INET: source and
destination address, 4 octets each, and ports; INET6: 16 octets each and
ports; UNIX: two 108-octet paths) and type-length-value items (type 1,
length 2) to the end.

:func:`decode_proxy_header` reads one from the start of a buffer;
:class:`~bmplib.BMPDecoder` does it for a stream when made with
``proxy=True`` and exposes the result as its ``proxy_header``.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass, field
from typing import Any

from bmplib.errors import EncodeError, ProxyDecodeError

__all__ = [
    "PROXY_V1_PREFIX",
    "PROXY_V2_SIGNATURE",
    "ProxyCommand",
    "ProxyFamily",
    "ProxyHeader",
    "ProxyTLV",
    "decode_proxy_header",
]

PROXY_V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
PROXY_V1_PREFIX = b"PROXY "
#: a version 1 line is at most 107 octets with its CRLF
V1_MAX_LENGTH = 107
_V2_FIXED = struct.Struct("!12sBBH")
_INET = struct.Struct("!4s4sHH")
_INET6 = struct.Struct("!16s16sHH")
_UNIX_LENGTH = 216
_TLV = struct.Struct("!BH")


class ProxyCommand(enum.IntEnum):
    """Version 2 commands (low nibble of the 13th octet)."""

    LOCAL = 0
    PROXY = 1


class ProxyFamily(enum.IntEnum):
    """Version 2 address families (high nibble of the 14th octet)."""

    UNSPEC = 0
    INET = 1
    INET6 = 2
    UNIX = 3


@dataclass(slots=True)
class ProxyTLV:
    """A version 2 type-length-value item (e.g. 0x01 ALPN, 0x02 authority,
    0x04 NOOP, 0x05 unique ID, 0x20 SSL), its value raw."""

    type: int
    value: bytes

    def encode(self) -> bytes:
        if not 0 <= self.type <= 0xFF:
            raise EncodeError("tlv.type", f"{self.type} does not fit 1 octet")
        if len(self.value) > 0xFFFF:
            raise EncodeError("tlv.value", f"{len(self.value)} octets do not fit a 2-octet length")
        return _TLV.pack(self.type, len(self.value)) + self.value


@dataclass(slots=True)
class ProxyHeader:
    """A PROXY protocol header.

    :ivar version: 1 (text) or 2 (binary).
    :ivar command: version 2's command (a version 1 line is always PROXY).
    :ivar family: ``INET`` / ``INET6`` (version 1's TCP4 / TCP6), ``UNIX``,
        ``UNSPEC`` (version 1's UNKNOWN), or an unassigned int.
    :ivar transport: version 2's transport nibble (1 STREAM); 1 for version 1.
    :ivar source_address, source_port, destination_address, destination_port:
        the original connection (``None`` for UNSPEC, LOCAL or UNIX).
    :ivar unix_source, unix_destination: the two UNIX paths (raw 108 octets).
    :ivar address_data: the address block of an UNSPEC or unknown family,
        kept raw; for version 1 UNKNOWN, the text after ``UNKNOWN``.
    :ivar tlvs: version 2's TLVs.
    """

    version: int
    command: ProxyCommand | int = ProxyCommand.PROXY
    family: ProxyFamily | int = ProxyFamily.INET
    transport: int = 1
    source_address: str | None = None
    source_port: int | None = None
    destination_address: str | None = None
    destination_port: int | None = None
    unix_source: bytes = b""
    unix_destination: bytes = b""
    address_data: bytes = b""
    tlvs: list[ProxyTLV] = field(default_factory=list)

    def encode(self) -> bytes:
        """The header's octets (version 1: the canonical line)."""
        if self.version == 1:
            return self._encode_v1()
        if self.version != 2:
            raise EncodeError("version", f"PROXY protocol version {self.version} is not 1 or 2")
        for name, value in (("command", self.command), ("family", self.family), ("transport", self.transport)):
            if not 0 <= value <= 0xF:
                raise EncodeError(name, f"{value} does not fit 4 bits")
        if self.family == ProxyFamily.INET:
            body = _INET.pack(
                _pton(socket.AF_INET, self.source_address, "source_address"),
                _pton(socket.AF_INET, self.destination_address, "destination_address"),
                _port(self.source_port, "source_port"), _port(self.destination_port, "destination_port"),
            )  # fmt: skip
        elif self.family == ProxyFamily.INET6:
            body = _INET6.pack(
                _pton(socket.AF_INET6, self.source_address, "source_address"),
                _pton(socket.AF_INET6, self.destination_address, "destination_address"),
                _port(self.source_port, "source_port"), _port(self.destination_port, "destination_port"),
            )  # fmt: skip
        elif self.family == ProxyFamily.UNIX:
            if len(self.unix_source) != 108 or len(self.unix_destination) != 108:
                raise EncodeError("unix_source", "UNIX addresses need 108 octets each")
            body = self.unix_source + self.unix_destination
        else:
            body = self.address_data
        body += b"".join(t.encode() for t in self.tlvs)
        if len(body) > 0xFFFF:
            raise EncodeError("tlvs", f"{len(body)} octets do not fit a 2-octet length")
        return (
            _V2_FIXED.pack(PROXY_V2_SIGNATURE, 0x20 | self.command, self.family << 4 | self.transport, len(body)) + body
        )

    def _encode_v1(self) -> bytes:
        if self.family == ProxyFamily.UNSPEC:
            line = b"PROXY UNKNOWN" + self.address_data
        else:
            proto = {ProxyFamily.INET: "TCP4", ProxyFamily.INET6: "TCP6"}.get(self.family)  # type: ignore[call-overload]
            if proto is None:
                raise EncodeError("family", f"version 1 has no family {self.family}")
            af = socket.AF_INET if proto == "TCP4" else socket.AF_INET6
            src = socket.inet_ntop(af, _pton(af, self.source_address, "source_address"))
            dst = socket.inet_ntop(af, _pton(af, self.destination_address, "destination_address"))
            sport = _port(self.source_port, "source_port")
            dport = _port(self.destination_port, "destination_port")
            line = f"PROXY {proto} {src} {dst} {sport} {dport}".encode("ascii")
        if len(line) + 2 > V1_MAX_LENGTH:
            raise EncodeError("address_data", f"a version 1 line is at most {V1_MAX_LENGTH} octets")
        return line + b"\r\n"

    def __json__(self) -> dict[str, Any]:
        from bmplib.json import value_to_json  # json is an adapter over the core; import it late

        return {
            "version": self.version,
            "command": value_to_json(self.command),
            "family": value_to_json(self.family),
            "transport": self.transport,
            "source_address": self.source_address,
            "source_port": self.source_port,
            "destination_address": self.destination_address,
            "destination_port": self.destination_port,
            "unix_source": self.unix_source.hex(),
            "unix_destination": self.unix_destination.hex(),
            "address_data": self.address_data.hex(),
            "tlvs": [{"type": t.type, "value": t.value.hex()} for t in self.tlvs],
        }


def _pton(af: int, text: str | None, name: str) -> bytes:
    try:
        return socket.inet_pton(af, text or "")
    except (OSError, TypeError) as exc:
        raise EncodeError(name, f"not an {'IPv4' if af == socket.AF_INET else 'IPv6'} address: {text!r}") from exc


def _port(value: int | None, name: str) -> int:
    if value is None or not 0 <= value <= 0xFFFF:
        raise EncodeError(name, f"{value} is not a port")
    return value


def decode_proxy_header(buf: bytes | bytearray) -> tuple[ProxyHeader, int] | None:
    """The PROXY header at the start of *buf* and its length, or ``None`` when
    *buf* is a prefix of one (more octets needed).  Raises
    :class:`~bmplib.errors.ProxyDecodeError` when *buf* does not start with a
    well-formed PROXY header of version 1 or 2."""
    data = bytes(buf[:V1_MAX_LENGTH])
    if PROXY_V2_SIGNATURE.startswith(data[:12]) and (len(data) < 12 or data[:12] == PROXY_V2_SIGNATURE):
        if len(buf) < _V2_FIXED.size:
            return None
        return _decode_v2(bytes(buf[: _V2_FIXED.size + struct.unpack_from("!H", buf, 14)[0]]), len(buf))
    if PROXY_V1_PREFIX.startswith(data[:6]) and (len(data) < 6 or data[:6] == PROXY_V1_PREFIX):
        end = data.find(b"\r\n")
        if end < 0:
            if len(data) >= V1_MAX_LENGTH:
                raise ProxyDecodeError(f"no CRLF in the first {V1_MAX_LENGTH} octets of a PROXY line", 0, data)
            return None
        return _decode_v1(data[:end]), end + 2
    raise ProxyDecodeError("the stream does not start with a PROXY protocol header", 0, data[:16])


def _decode_v1(line: bytes) -> ProxyHeader:
    parts = line.split(b" ")
    if parts[1:2] == [b"UNKNOWN"]:
        return ProxyHeader(1, family=ProxyFamily.UNSPEC, address_data=line[len(b"PROXY UNKNOWN") :])
    if len(parts) != 6 or parts[1] not in (b"TCP4", b"TCP6"):
        raise ProxyDecodeError(f"malformed PROXY line {line!r}", 0, line)
    af, family = (socket.AF_INET, ProxyFamily.INET) if parts[1] == b"TCP4" else (socket.AF_INET6, ProxyFamily.INET6)
    try:
        src, dst = (socket.inet_ntop(af, socket.inet_pton(af, p.decode("ascii"))) for p in parts[2:4])
        sport, dport = (int(p) for p in parts[4:6])
    except (OSError, ValueError, UnicodeDecodeError):
        raise ProxyDecodeError(f"malformed PROXY line {line!r}", 0, line) from None
    if not (0 <= sport <= 0xFFFF and 0 <= dport <= 0xFFFF) or not all(p.isdigit() for p in parts[4:6]):
        raise ProxyDecodeError(f"malformed PROXY ports in {line!r}", 0, line)
    return ProxyHeader(1, ProxyCommand.PROXY, family, 1, src, sport, dst, dport)


def _lookup(cls: type[enum.IntEnum], value: int) -> Any:
    return cls._value2member_map_.get(value, value)


def _decode_v2(data: bytes, available: int) -> tuple[ProxyHeader, int] | None:
    _, ver_cmd, fam, length = _V2_FIXED.unpack_from(data, 0)
    if ver_cmd >> 4 != 2:
        raise ProxyDecodeError(f"PROXY version {ver_cmd >> 4} after the version 2 signature", 12, data[:16])
    total = _V2_FIXED.size + length
    if available < total:
        return None
    command, family, transport = _lookup(ProxyCommand, ver_cmd & 0xF), _lookup(ProxyFamily, fam >> 4), fam & 0xF
    header = ProxyHeader(2, command, family, transport)
    pos = _V2_FIXED.size
    if family == ProxyFamily.INET and length >= _INET.size:
        src, dst, sport, dport = _INET.unpack_from(data, pos)
        header.source_address, header.destination_address = socket.inet_ntoa(src), socket.inet_ntoa(dst)
        header.source_port, header.destination_port = sport, dport
        pos += _INET.size
    elif family == ProxyFamily.INET6 and length >= _INET6.size:
        src, dst, sport, dport = _INET6.unpack_from(data, pos)
        header.source_address = socket.inet_ntop(socket.AF_INET6, src)
        header.destination_address = socket.inet_ntop(socket.AF_INET6, dst)
        header.source_port, header.destination_port = sport, dport
        pos += _INET6.size
    elif family == ProxyFamily.UNIX and length >= _UNIX_LENGTH:
        header.unix_source, header.unix_destination = data[pos : pos + 108], data[pos + 108 : pos + 216]
        pos += _UNIX_LENGTH
    elif family == ProxyFamily.UNSPEC or not isinstance(family, ProxyFamily):
        # UNSPEC (LOCAL health checks, unknown origin) or an unassigned family: kept raw
        header.address_data = data[pos:total]
        return header, total
    else:
        need = {ProxyFamily.INET: _INET.size, ProxyFamily.INET6: _INET6.size}.get(family, _UNIX_LENGTH)
        raise ProxyDecodeError(f"PROXY {family.name} addresses need {need} octets, the length is {length}", 14,
                               data[:total])  # fmt: skip
    while pos < total:
        if total - pos < _TLV.size:
            raise ProxyDecodeError(f"PROXY TLV header truncated ({total - pos} octets left)", pos, data[pos:total])
        t, tlen = _TLV.unpack_from(data, pos)
        if pos + _TLV.size + tlen > total:
            raise ProxyDecodeError(f"PROXY TLV type {t} length {tlen} runs past the header", pos, data[pos:total])
        header.tlvs.append(ProxyTLV(t, data[pos + 3 : pos + 3 + tlen]))
        pos += _TLV.size + tlen
    return header, total
