"""Test helper: turn tshark's JSON of one BGP UPDATE into plain values.

tshark 4.0.17, ``-T json --no-duplicate-keys``: every value is a string, a
repeated key becomes a list (so one attribute / segment / community is a
dict, several are a list of dicts), prefixes are keys of the form
``10.0.0.0/24`` whose value holds ``bgp.prefix_length`` and the address (and
``bgp.nlri_path_id`` when tshark saw ADD-PATH).  :func:`summarize` gives the
same shape :func:`tests.bgp.test_update_captures.model_summary` builds from
bmplib's model, so the two can be compared with ``==``:

``withdrawn`` / ``nlri``
    sorted ``(prefix text, path id or None)``
``attributes``
    ``[(type code, flags), ...]`` in wire order
``origin``, ``next_hop``, ``med``, ``local_pref``, ``originator_id``
    the value (int or text)
``as_path``
    ``[(segment type, [asn, ...]), ...]`` of AS_PATH as on the wire
    (``as4_path`` the same for AS4_PATH)
``aggregator``
    ``(asn, address)``
``communities``
    sorted ints (tshark splits well-known ones from the others, so the
    order between the two kinds is not comparable)
``large_communities``
    ``[(global, local1, local2), ...]``
``ext_communities``
    ``[(type, subtype, value), ...]``; *value* is ``(global admin, local
    admin)`` for route targets / origins (the forms tshark decodes), the
    tunnel type for the encapsulation community, else ``None``
``cluster_list``
    ``[id, ...]``
``mp_reach``
    ``(afi, safi, next hop octets, sorted routes)``; routes only for IPv4
    / IPv6 unicast and multicast (other families belong to the families
    tests), else ``None``
``mp_unreach``
    ``(afi, safi, sorted routes)`` likewise
"""

from __future__ import annotations

from typing import Any

from tests.bmp.tshark import as_list

__all__ = ["INET_FAMILIES", "hexbytes", "summarize"]

INET_FAMILIES = {(1, 1), (1, 2), (2, 1), (2, 2)}
A = "bgp.update.path_attribute"


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", "")) if text else b""


def _routes(block: Any, addr_keys: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """Prefixes of an NLRI / withdrawn / MP block: ``{"p/len": {...} or [...]}``."""
    out: list[tuple[str, int | None]] = []
    if not isinstance(block, dict):
        return out
    for key, value in block.items():
        for item in as_list(value):
            if not isinstance(item, dict) or "bgp.prefix_length" not in item:
                continue
            addr = next((item[k] for k in addr_keys if k in item), None)
            assert addr is not None, (key, item)
            pid = item.get("bgp.nlri_path_id")
            out.append((f"{addr}/{item['bgp.prefix_length']}", None if pid is None else int(pid)))
    return sorted(out, key=lambda r: (r[0], -1 if r[1] is None else r[1]))


def _segments(attr: dict[str, Any]) -> list[tuple[int, list[int]]]:
    out = []
    for seg in as_list(attr.get(f"{A}.as_path_segment")):
        asns = as_list(seg.get(f"{A}.as_path_segment.as4", seg.get(f"{A}.as_path_segment.as2")))
        out.append((int(seg[f"{A}.as_path_segment.type"]), [int(a) for a in asns]))
    return out


def _communities(attr: dict[str, Any]) -> list[int]:
    block = attr.get(f"{A}.communities", {})
    values = []
    for c in as_list(block.get(f"{A}.community")):
        values.append(int(c[f"{A}.community_as"]) << 16 | int(c[f"{A}.community_value"]))
    for w in as_list(block.get(f"{A}.community_wellknown")):
        values.append(int(w, 16))
    return sorted(values)


def _large(attr: dict[str, Any]) -> list[tuple[int, int, int]]:
    return [
        (int(t["bgp.large_communities.ga"]), int(t["bgp.large_communities.ldp1"]), int(t["bgp.large_communities.ldp2"]))
        for t in as_list(attr.get("bgp.large_communities_tree"))
    ]


def _ext(attr: dict[str, Any]) -> list[tuple[int, int, Any]]:
    out: list[tuple[int, int, Any]] = []
    for c in as_list(attr.get("bgp.ext_communities", {}).get("bgp.ext_community")):
        t = int(c["bgp.ext_com.type"], 16)
        stype_key = next(k for k in c if k.startswith("bgp.ext_com.stype"))
        st = int(c[stype_key], 16)
        value: Any = None
        if "bgp.ext_com.value_as2" in c:
            value = (int(c["bgp.ext_com.value_as2"]), int(c["bgp.ext_com.value_an4"]))
        elif "bgp.ext_com.value_IP4" in c:
            value = (c["bgp.ext_com.value_IP4"], int(c["bgp.ext_com.value_an2"]))
        elif "bgp.ext_com.value_as4" in c:
            value = (int(c["bgp.ext_com.value_as4"]), int(c["bgp.ext_com.value_an2"]))
        elif "bgp.ext_com.tunnel_type" in c:
            value = int(c["bgp.ext_com.tunnel_type"])
        if (t & 0x3F, st) not in ((0, 2), (0, 3), (1, 2), (1, 3), (2, 2), (2, 3)) and (t, st) != (3, 0x0C):
            value = None
        out.append((t, st, value))
    return out


def summarize(bgp: dict[str, Any]) -> dict[str, Any]:
    """The comparable summary of tshark's decoding of one UPDATE."""
    s: dict[str, Any] = {
        "withdrawn": _routes(bgp.get("bgp.update.withdrawn_routes"), ("bgp.withdrawn_prefix",)),
        "nlri": _routes(bgp.get("bgp.update.nlri"), ("bgp.nlri_prefix",)),
        "attributes": [],
    }
    for attr in as_list(bgp.get("bgp.update.path_attributes", {}).get(A)):
        code = int(attr[f"{A}.type_code"])
        s["attributes"].append((code, int(attr[f"{A}.flags"], 16)))
        if code == 1:
            s["origin"] = int(attr[f"{A}.origin"])
        elif code == 2:
            s["as_path"] = _segments(attr)
        elif code == 17:
            s["as4_path"] = _segments(attr)
        elif code == 3:
            s["next_hop"] = attr[f"{A}.next_hop"]
        elif code == 4:
            s["med"] = int(attr[f"{A}.multi_exit_disc"])
        elif code == 5:
            s["local_pref"] = int(attr[f"{A}.local_pref"])
        elif code == 7:
            s["aggregator"] = (int(attr[f"{A}.aggregator_as"]), attr[f"{A}.aggregator_origin"])
        elif code == 8:
            s["communities"] = _communities(attr)
        elif code == 9:
            s["originator_id"] = attr[f"{A}.originator_id"]
        elif code == 10:
            s["cluster_list"] = as_list(
                attr.get("bgp.path_attribute.cluster_list", {}).get("bgp.path_attribute.cluster_id")
            )
        elif code == 16:
            s["ext_communities"] = _ext(attr)
        elif code == 32:
            s["large_communities"] = _large(attr)
        elif code == 14:
            afi, safi = int(attr[f"{A}.mp_reach_nlri.afi"]), int(attr[f"{A}.mp_reach_nlri.safi"])
            nh = hexbytes(attr[f"{A}.mp_reach_nlri.next_hop"])
            routes = None
            if (afi, safi) in INET_FAMILIES:
                routes = _routes(
                    attr.get(f"{A}.mp_reach_nlri"), ("bgp.mp_reach_nlri_ipv4_prefix", "bgp.mp_reach_nlri_ipv6_prefix")
                )
            # tshark's next_hop field starts with the next hop length octet
            s["mp_reach"] = (afi, safi, nh[1:] if nh and nh[0] == len(nh) - 1 else nh, routes)
        elif code == 15:
            afi, safi = int(attr[f"{A}.mp_unreach_nlri.afi"]), int(attr[f"{A}.mp_unreach_nlri.safi"])
            routes = None
            if (afi, safi) in INET_FAMILIES:
                routes = _routes(
                    attr.get(f"{A}.mp_unreach_nlri"),
                    ("bgp.mp_unreach_nlri_ipv4_prefix", "bgp.mp_unreach_nlri_ipv6_prefix"),
                )
            s["mp_unreach"] = (afi, safi, routes)
    return s
