"""Per-peer decoding context (RFC 6793, RFC 7911, RFC 8654, RFC 8277).

How an UPDATE is laid out depends on what the two BGP speakers negotiated in
their OPEN messages, which a BMP collector learns from the Peer Up message:
2- or 4-octet AS numbers, ADD-PATH path identifiers per (AFI, SAFI) *and
direction*, extended messages.  :class:`DecodeContext` carries those facts to
the BGP decoder; :class:`SessionTable` keeps one per monitored peer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DecodeContext", "SessionTable"]


@dataclass(slots=True, frozen=True)
class DecodeContext:
    """What the BGP decoder must know to lay out an UPDATE.

    :ivar asn4: AS numbers in AS_PATH / AGGREGATOR are 4 octets (RFC 6793).
    :ivar addpath: the (AFI, SAFI) pairs whose NLRI carry a path identifier
        in this direction (RFC 7911 section 4).
    :ivar extended_message: messages may be up to 65535 octets (RFC 8654).
    :ivar asn_guess: when an AS_PATH does not parse with the width above,
        retry with the other one and mark the result as guessed.
    :ivar multiple_labels: the (AFI, SAFI) pairs for which the Multiple
        Labels capability (RFC 8277 section 2.1) was negotiated.
    """

    asn4: bool = True
    addpath: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    extended_message: bool = False
    asn_guess: bool = False
    multiple_labels: frozenset[tuple[int, int]] = field(default_factory=frozenset)


class SessionTable:
    """The decoding context of every monitored peer of one BMP session.

    The stream decoder calls :meth:`observe` with each Peer Up and Peer Down
    and :meth:`context_for` before it decodes the BGP PDUs of a per-peer
    message.  Peers are keyed by ``PeerHeader.key`` (peer type, distinguisher,
    address, AS, BGP ID).
    """

    def __init__(self) -> None:
        self._contexts: dict[tuple[int, bytes, str, int, str], DecodeContext] = {}

    def observe(self, msg: object) -> None:
        """Learn from a Peer Up (build the peer's context) or forget on a
        Peer Down."""
        peer = getattr(msg, "peer", None)
        if peer is None:
            return
        if getattr(msg, "type", None) == 2:  # Peer Down drops the context
            self._contexts.pop(peer.key, None)

    def context_for(self, msg_type: int, peer: object) -> DecodeContext:
        """The context for a per-peer message of *peer*; with no Peer Up seen,
        the per-peer header's A flag decides the AS width (RFC 7854)."""
        ctx = self._contexts.get(peer.key)  # type: ignore[attr-defined]
        if ctx is not None:
            return ctx
        return _AS2 if peer.is_as2 else _AS4  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self._contexts)


_AS4 = DecodeContext(asn4=True)
_AS2 = DecodeContext(asn4=False)
