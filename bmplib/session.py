"""Per-peer decoding context (RFC 6793, RFC 7911, RFC 8654, RFC 8277).

How an UPDATE is laid out depends on what the two BGP speakers negotiated in
their OPEN messages, which a BMP collector learns from the Peer Up message:
2- or 4-octet AS numbers, ADD-PATH path identifiers per (AFI, SAFI) *and
direction*, extended messages, multiple labels.  :class:`DecodeContext`
carries those facts to the BGP decoder; :class:`SessionTable` keeps them per
monitored peer.

How :class:`SessionTable` decides, for a per-peer message of a peer:

* With a Peer Up seen for the peer (key: peer type, distinguisher, address,
  AS, BGP ID), the context comes from its two OPENs
  (:func:`contexts_from_opens`).  There are two per peer, and the O flag of
  the message picks one: **Adj-RIB-In** (O clear; also Route Mirroring) sees
  what the peer sent to the monitored router, so a family has path
  identifiers when the peer's OPEN (the Peer Up's *received* OPEN) has
  ADD-PATH send (2 or 3) and the router's OPEN (*sent*) has receive (1 or 3);
  **Adj-RIB-Out** (O set, RFC 8671) sees what the router sends, so the
  reverse (RFC 7911 section 4).  4-octet AS and extended message need both
  OPENs; multiple labels need the receiving side's capability with a count
  above 1 (RFC 8277 section 2.1).  A Loc-RIB peer's (type 3) Peer Up carries
  one fabricated OPEN twice, whose ADD-PATH presence alone means path
  identifiers (RFC 9069 section 5.3).
* The OPENs win over the A flag (FRR 8.4 leaves the A flag clear for a
  peer without the 4-octet AS capability although it sends 2-octet
  AS_PATHs).  But exporters may re-encode to 4 octets (RFC 7854 section
  4.2; GoBGP does for post-policy routes), so when the A flag contradicts
  the OPENs the context keeps the OPENs' width *and* sets ``asn_guess``:
  the UPDATE decoder retries with the other width when the AS_PATH does
  not parse, and marks the result as guessed.
* With no Peer Up (GoBGP sends none for its Loc-RIB instance; a collector
  that joined late), the A flag decides the AS width and nothing has path
  identifiers.
* ``SessionTable(asn_guess=True)`` sets ``asn_guess`` in every context it
  returns.  Contexts can be seeded by hand (:meth:`SessionTable.set`), and
  read back (:meth:`SessionTable.get`, iteration).  A Peer Down drops the
  peer's contexts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

__all__ = ["DecodeContext", "OpenFacts", "PeerContexts", "PeerKey", "SessionTable", "contexts_from_opens"]

#: (peer type, distinguisher, address, AS, BGP ID): ``PeerHeader.key``
PeerKey = tuple[int, bytes, str, int, str]


@dataclass(slots=True, frozen=True)
class DecodeContext:
    """What the BGP decoder must know to lay out an UPDATE.

    :ivar asn4: AS numbers in AS_PATH / AGGREGATOR are 4 octets (RFC 6793).
    :ivar addpath: the (AFI, SAFI) pairs whose NLRI carry a path identifier
        in this direction (RFC 7911 section 4).
    :ivar extended_message: messages may be up to 65535 octets (RFC 8654).
    :ivar asn_guess: when an AS_PATH does not parse with the width above,
        retry with the other one and mark the result as guessed.
    :ivar multiple_labels: the (AFI, SAFI) pairs for which more than one
        label may come in this direction: the receiving side advertised the
        Multiple Labels capability with a count above 1 (RFC 8277 section 2.1).
    """

    asn4: bool = True
    addpath: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    extended_message: bool = False
    asn_guess: bool = False
    multiple_labels: frozenset[tuple[int, int]] = field(default_factory=frozenset)


@dataclass(slots=True, frozen=True)
class PeerContexts:
    """The two decoding contexts of one monitored peer: for Adj-RIB-In
    messages (O flag clear, and Route Mirroring) and for Adj-RIB-Out
    messages (O flag set, RFC 8671).

    :ivar from_peer_up: built from a Peer Up (``False``: seeded by hand).
    """

    adj_rib_in: DecodeContext
    adj_rib_out: DecodeContext
    from_peer_up: bool = False


@runtime_checkable
class OpenFacts(Protocol):
    """What a context is built from: the negotiated facts of a BGP OPEN
    (:class:`bmplib.bgp.open.Open` has them; this layer sits below the BGP
    layer and does not import it)."""

    @property
    def four_octet_as(self) -> object | None: ...  # the capability, or None

    @property
    def extended_message(self) -> bool: ...

    @property
    def addpath(self) -> Mapping[tuple[int, int], int]: ...  # (AFI, SAFI) -> send/receive

    @property
    def multiple_labels(self) -> Mapping[tuple[int, int], int]: ...  # (AFI, SAFI) -> count


def _addpath_pairs(open_msg: OpenFacts, want: tuple[int, ...]) -> set[tuple[int, int]]:
    return {(int(a), int(s)) for (a, s), mode in open_msg.addpath.items() if mode in want}


def _labels(open_msg: OpenFacts) -> set[tuple[int, int]]:
    return {(int(a), int(s)) for (a, s), n in open_msg.multiple_labels.items() if n > 1}


def contexts_from_opens(sent: OpenFacts, received: OpenFacts, *, loc_rib: bool = False) -> PeerContexts:
    """The contexts of a peer from the Peer Up's *sent* OPEN (the monitored
    router's) and *received* OPEN (the peer's); see the module docstring.
    *loc_rib*: a Loc-RIB instance peer (RFC 9069), where any ADD-PATH entry
    means path identifiers."""
    asn4 = sent.four_octet_as is not None and received.four_octet_as is not None
    ext = bool(sent.extended_message and received.extended_message)
    if loc_rib:
        both = frozenset(_addpath_pairs(sent, (1, 2, 3)) | _addpath_pairs(received, (1, 2, 3)))
        labels = frozenset(_labels(sent) | _labels(received))
        ctx = DecodeContext(asn4=asn4, addpath=both, extended_message=ext, multiple_labels=labels)
        return PeerContexts(ctx, ctx, True)
    rib_in = frozenset(_addpath_pairs(received, (2, 3)) & _addpath_pairs(sent, (1, 3)))
    rib_out = frozenset(_addpath_pairs(sent, (2, 3)) & _addpath_pairs(received, (1, 3)))
    return PeerContexts(
        DecodeContext(asn4=asn4, addpath=rib_in, extended_message=ext, multiple_labels=frozenset(_labels(sent))),
        DecodeContext(asn4=asn4, addpath=rib_out, extended_message=ext, multiple_labels=frozenset(_labels(received))),
        True,
    )


class _Entry:
    """A peer's contexts and the four variants context_for picks from, by
    (O flag, A flag)."""

    __slots__ = ("contexts", "variants")

    def __init__(self, contexts: PeerContexts, asn_guess: bool) -> None:
        self.contexts = contexts
        variants: list[DecodeContext] = []
        for ctx in (contexts.adj_rib_in, contexts.adj_rib_out):
            for a_flag in (False, True):
                guess = asn_guess or ctx.asn_guess
                if contexts.from_peer_up and ctx.asn4 == a_flag:
                    guess = True  # the A flag contradicts the OPENs
                variants.append(ctx if guess == ctx.asn_guess else replace(ctx, asn_guess=guess))
        self.variants = tuple(variants)


def _key(peer: Any) -> PeerKey:
    key = getattr(peer, "key", peer)
    return key  # type: ignore[no-any-return]


class SessionTable:
    """The decoding contexts of every monitored peer of one BMP session.

    The stream decoder calls :meth:`observe` with each Peer Up and Peer Down
    and :meth:`context_for` before it decodes the BGP PDUs of a per-peer
    message.  Peers are keyed by ``PeerHeader.key`` (peer type,
    distinguisher, address, AS, BGP ID); the methods taking a *peer* accept
    a :class:`~bmplib.PeerHeader` or such a key.

    :param asn_guess: set ``asn_guess`` in every context returned (retry
        an AS_PATH that does not parse with the other AS width).
    """

    # slots: bmplib_fast reads an exact SessionTable's peers through them
    __slots__ = ("__weakref__", "_fallback", "_peers", "asn_guess")

    def __init__(self, *, asn_guess: bool = False) -> None:
        self.asn_guess = asn_guess
        self._peers: dict[PeerKey, _Entry] = {}
        self._fallback = (DecodeContext(asn4=True, asn_guess=asn_guess), DecodeContext(asn4=False, asn_guess=asn_guess))

    # -- fed by the stream decoder -------------------------------------------
    def observe(self, msg: Any) -> None:
        """Learn from a Peer Up (build the peer's contexts from its OPENs) or
        forget the peer on a Peer Down.  Other messages are ignored, and so
        is a Peer Up whose PDUs are not both OPENs."""
        peer = getattr(msg, "peer", None)
        if peer is None:
            return
        msg_type = getattr(msg, "type", None)
        if msg_type == 2:
            self._peers.pop(peer.key, None)
        elif msg_type == 3:
            sent, received = getattr(msg, "sent_open", None), getattr(msg, "received_open", None)
            if isinstance(sent, OpenFacts) and isinstance(received, OpenFacts):
                contexts = contexts_from_opens(sent, received, loc_rib=peer.peer_type == 3)
                self._peers[peer.key] = _Entry(contexts, self.asn_guess)

    def context_for(self, msg_type: int, peer: Any) -> DecodeContext:
        """The context for a per-peer message (Route Monitoring or Route
        Mirroring) of *peer*, chosen by its O flag and checked against its A
        flag; with no Peer Up seen, the A flag decides the AS width."""
        # per message on the hot path: read the A and O flags directly
        # (they are defined for peer types 0-2 only, RFC 7854 / RFC 8671)
        flags = peer.flags if peer.peer_type != 3 else 0
        as2 = 1 if flags & 0x20 else 0
        entry = self._peers.get(peer.key) if self._peers else None
        if entry is None:
            return self._fallback[as2]
        return entry.variants[(2 if flags & 0x10 else 0) + as2]

    # -- for callers -----------------------------------------------------------
    def set(self, peer: Any, adj_rib_in: DecodeContext, adj_rib_out: DecodeContext | None = None) -> None:
        """Seed the contexts of *peer* (a ``PeerHeader`` or its key); with no
        *adj_rib_out*, Adj-RIB-Out messages use *adj_rib_in* too.  Seeded
        contexts are used as given (plus the table's ``asn_guess``) until a
        Peer Up or Peer Down of the peer replaces or drops them."""
        ctxs = PeerContexts(adj_rib_in, adj_rib_out if adj_rib_out is not None else adj_rib_in, False)
        self._peers[_key(peer)] = _Entry(ctxs, self.asn_guess)

    def get(self, peer: Any) -> PeerContexts | None:
        """The contexts known for *peer* (a ``PeerHeader`` or its key)."""
        entry = self._peers.get(_key(peer))
        return entry.contexts if entry is not None else None

    def forget(self, peer: Any) -> None:
        """Drop the contexts of *peer*, as a Peer Down does."""
        self._peers.pop(_key(peer), None)

    def items(self) -> Iterator[tuple[PeerKey, PeerContexts]]:
        """(peer key, contexts) for every known peer."""
        for key, entry in self._peers.items():
            yield key, entry.contexts

    def __iter__(self) -> Iterator[PeerKey]:
        return iter(self._peers)

    def __contains__(self, peer: object) -> bool:
        return _key(peer) in self._peers

    def __len__(self) -> int:
        return len(self._peers)
