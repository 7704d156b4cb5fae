# cython: language_level=3
"""JSON text of bmplib's model objects, straight from the objects.

The decisions are those of bmplib.json's reference walk, taken once per
class (the "kind" of the class) and kept in a dict; the text is that of
``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``.
"""

from libc.math cimport INFINITY

import dataclasses
import enum
from json.encoder import encode_basestring as _esc  # the C escaper json.dumps uses

cdef int K_NONE = 0, K_BOOL = 1, K_STR = 2, K_FLOAT = 3, K_INT = 4, K_INT_ENUM = 5, K_ENUM = 6
cdef int K_HEX = 7, K_ITEMS = 8, K_MAPPING = 9, K_CUSTOM = 10, K_PEER = 11, K_FIELDS = 12, K_TEXT = 13
cdef int K_CAPTURED = 14, K_TOP_DICT = 15, K_MESSAGE = 16

cdef dict _kinds = {}  # class -> kind in the model's rules
cdef dict _top_kinds = {}  # class -> kind for to_json
cdef dict _fields = {}  # class -> tuple of (key text, attribute name)
cdef dict _enum_text = {}  # IntEnum class -> {member: text}
cdef dict _message_head = {}  # message class -> '{"type":"...","offset":'
cdef dict _custom_fields = {}  # dataclass with __json__ -> its field names (None: not a dataclass)
cdef dict _memo = {}  # (class, field values...) -> text, for value objects (see _custom)
cdef dict _float_memo = {}  # float -> its repr
cdef dict _peer_memo = {}  # per-peer header fields -> text up to its timestamps
cdef Py_ssize_t MEMO_LIMIT = 1 << 17

cdef object _PeerHeader = None
cdef object _CapturedItem = None
cdef object _MessageType = None
cdef object _peer_to_json = None
cdef object _reference_to_json = None
cdef object _value_to_json = None
cdef tuple _plain_top = ()


def setup(peer_header, captured_item, message_type, peer_to_json, reference_to_json, value_to_json, plain_top):
    """Called once by bmplib.json with the classes and functions it knows."""
    global _PeerHeader, _CapturedItem, _MessageType, _peer_to_json, _reference_to_json, _value_to_json, _plain_top
    _value_to_json = value_to_json
    _PeerHeader = peer_header
    _CapturedItem = captured_item
    _MessageType = message_type
    _peer_to_json = peer_to_json
    _reference_to_json = reference_to_json
    _plain_top = tuple(plain_top)


cdef tuple _names(cls):
    names = [f.name for f in dataclasses.fields(cls)] + list(getattr(cls, "_json_views", ()))
    unique = dict.fromkeys(names)  # a view named like a field is that field (one key, as in a dict)
    return tuple((_esc(n) + ":", n) for n in unique)


cdef int _kind(cls) except -1:
    cdef int k
    if cls is type(None):
        k = K_NONE
    elif issubclass(cls, bool):
        k = K_BOOL
    elif issubclass(cls, str):
        k = K_STR
    elif issubclass(cls, float):
        k = K_FLOAT
    elif issubclass(cls, enum.IntEnum):
        k = K_INT_ENUM
        _enum_text[cls] = {}
    elif issubclass(cls, enum.Enum):
        k = K_ENUM
    elif issubclass(cls, int):
        k = K_INT
    elif issubclass(cls, (bytes, bytearray, memoryview)):
        k = K_HEX
    elif issubclass(cls, (list, tuple, frozenset, set)):
        k = K_ITEMS
    elif issubclass(cls, dict):
        k = K_MAPPING
    elif getattr(cls, "__json__", None) is not None:
        k = K_CAPTURED if cls is _CapturedItem else K_CUSTOM
    elif issubclass(cls, _PeerHeader):
        k = K_PEER
    elif dataclasses.is_dataclass(cls) and not issubclass(cls, type):
        k = K_FIELDS
        _fields[cls] = _names(cls)
    else:
        k = K_TEXT
    _kinds[cls] = k
    return k


cdef str _int_enum(v):
    d = <dict>_enum_text[type(v)]
    t = d.get(v)
    if t is None:
        t = d[v] = _esc(v.name.lower())
    return <str>t


cdef void _value(list out, v) except *:
    """v in the model's rules (bmplib.json.value_to_json), as text."""
    cdef object cls = type(v)
    cdef object kind = _kinds.get(cls)
    cdef int k = _kind(cls) if kind is None else <int>kind
    cdef bint first
    if k == K_STR:
        out.append(_esc(v))
    elif k == K_INT:
        out.append(str(v) if cls is int else int.__repr__(v))
    elif k == K_NONE:
        out.append("null")
    elif k == K_INT_ENUM:
        out.append(_int_enum(v))
    elif k == K_FIELDS:
        key = _value_key(v, cls)
        if key is None:
            _fields_text(out, v, cls)
        else:
            text = _memo.get(key)
            if text is None:
                parts = []
                _fields_text(parts, v, cls)
                text = "".join(parts)
                _remember(_memo, key, text)
            out.append(text)
    elif k == K_ITEMS:
        _array(out, v, False)
    elif k == K_CUSTOM:
        _custom(out, v)
    elif k == K_BOOL:
        out.append("true" if v else "false")
    elif k == K_HEX:
        out.append('"' + bytes(v).hex() + '"')
    elif k == K_PEER:
        _peer(out, v)
    elif k == K_FLOAT:
        out.append(_float(v))
    elif k == K_ENUM:
        _plain(out, v.value)
    elif k == K_MAPPING:
        first = True
        for key, x in v.items():
            out.append("{" if first else ",")
            first = False
            out.append(_esc(_key_text(key)))
            out.append(":")
            _value(out, x)
        out.append("{}" if first else "}")
    elif k == K_CAPTURED:
        _captured(out, v)
    else:
        out.append(_esc(str(v)))


cdef bint _immutable(x):
    """Whether x is a value that cannot change (so text keyed by it stays true)."""
    t = type(x)
    if t is int or t is str or t is bytes or x is None or t is bool:
        return True
    if t is tuple or (isinstance(x, tuple) and not hasattr(x, "__dict__")):  # a Family: slotless tuple subclass
        for y in <tuple>x:
            if not _immutable(y):
                return False
        return True
    return False


cdef void _fields_text(list out, v, cls) except *:
    cdef bint first = True
    for key, name in <tuple>_fields[cls]:
        out.append("{" if first else ",")
        first = False
        out.append(key)
        _value(out, getattr(v, name))
    out.append("{}" if first else "}")


cdef object _value_key(v, cls):
    """(class, field values...) of a dataclass whose fields all hold
    immutable values, else None.  Its text (fields, and views computed from
    them) is then a function of that key, kept in _memo: an attribute or a
    route seen before (the same next hop, origin, prefix...) costs one
    lookup."""
    names = _custom_fields.get(cls, 0)
    if names is 0:
        names = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
        _custom_fields[cls] = names
    if names is None:
        return None
    key = [cls]
    for name in <tuple>names:
        x = getattr(v, name)
        if not _immutable(x):
            return None
        key.append(x)
    return tuple(key)


cdef void _custom(list out, v) except *:
    """An object with __json__.  A dataclass whose fields all hold
    immutable values (a route: family, length, octets, path id...) is a value
    object: its text is kept, keyed by its class and field values, and reused
    for an equal object (the same prefix from another peer or message)."""
    tkey = _value_key(v, type(v))
    if tkey is None:
        _plain(out, v.__json__())
        return
    text = _memo.get(tkey)
    if text is None:
        parts = []
        _plain(parts, v.__json__())
        text = "".join(parts)
        _remember(_memo, tkey, text)
    out.append(text)


cdef void _peer(list out, v) except *:
    """A per-peer header: bmplib.json.peer_to_json's text.  Everything but
    the three timestamp keys (its last ones) depends on the header's other
    fields only, and is kept per peer."""
    key = (type(v), v.peer_type, v.flags, v.distinguisher, v.address, v.asn, v.bgp_id)
    head = _peer_memo.get(key)
    if head is None:
        parts = []
        _plain(parts, _peer_to_json(v))
        text = "".join(parts)
        head = text[: text.index(',"timestamp":')]
        _remember(_peer_memo, key, head)
    out.append(head)
    out.append(',"timestamp":')
    out.append(_float(v.timestamp))
    out.append(',"timestamp_sec":')
    out.append(int.__repr__(v.timestamp_sec))
    out.append(',"timestamp_usec":')
    out.append(int.__repr__(v.timestamp_usec))
    out.append("}")


cdef str _key_text(key):
    """str(value_to_json(key)) of a dict key."""
    if type(key) is str:
        return key
    return str(_value_to_json(key))


cdef str _float(v):
    """json.dumps's text of a float (repr; NaN and the infinities as JS names)."""
    cdef double d = v
    if d != d:
        return "NaN"
    if d == INFINITY:
        return "Infinity"
    if d == -INFINITY:
        return "-Infinity"
    if d == 0.0:  # 0.0 and -0.0 are equal keys with different texts
        return float.__repr__(v)
    text = _float_memo.get(v)  # repr is slow (shortest round trip); timestamps repeat
    if text is None:
        text = float.__repr__(v)
        _remember(_float_memo, v, text)
    return <str>text


cdef void _array(list out, v, bint plain) except *:
    """A JSON array of the items of v, each in the model's rules or (plain)
    in JSON's own."""
    cdef bint first = True
    for x in v:
        out.append("[" if first else ",")
        first = False
        if plain:
            _plain(out, x)
        else:
            _value(out, x)
    out.append("[]" if first else "]")


cdef void _remember(dict memo, key, text) except *:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = text


cdef void _plain(list out, v) except *:
    """v in JSON's own rules (what json.dumps does with a __json__ result)."""
    cdef object cls = type(v)
    cdef bint first
    if cls is str:
        out.append(_esc(v))
    elif cls is dict:
        first = True
        for key, x in (<dict>v).items():
            out.append("{" if first else ",")
            first = False
            if type(key) is str:
                out.append(_esc(key))
            elif key is None:
                out.append('"null"')
            elif key is True:
                out.append('"true"')
            elif key is False:
                out.append('"false"')
            elif isinstance(key, float):
                out.append('"' + _float(key) + '"')
            elif isinstance(key, int):
                out.append('"' + int.__repr__(key) + '"')
            else:
                out.append(_esc(key))  # str subclass (json.dumps refuses anything else)
            out.append(":")
            _plain(out, x)
        out.append("{}" if first else "}")
    elif v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif cls is int:
        out.append(str(v))
    elif cls is list or cls is tuple:
        _array(out, v, True)
    elif isinstance(v, str):
        out.append(_esc(v))
    elif isinstance(v, int):
        out.append(int.__repr__(v))
    elif isinstance(v, float):
        out.append(_float(v))
    elif isinstance(v, (list, tuple)):
        _plain(out, list(v))
    elif isinstance(v, dict):
        _plain(out, dict(v))
    else:
        raise TypeError(f"Object of type {cls.__name__} is not JSON serializable")


cdef void _captured(list out, c) except *:
    """A CapturedItem: its item's record plus "flow" and "capture_time"."""
    _top(out, c.item)
    cdef Py_ssize_t end = len(out) - 1  # the item's closing brace: the record goes on
    last = <str>out[end]
    out[end] = "{" if last == "{}" else last[: len(last) - 1] + ","
    flow = c.flow
    out.append('"flow":{"src":')
    out.append(_esc(flow.src))
    out.append(',"src_port":')
    out.append(int.__repr__(flow.src_port))
    out.append(',"dst":')
    out.append(_esc(flow.dst))
    out.append(',"dst_port":')
    out.append(int.__repr__(flow.dst_port))
    out.append(',"connection":')
    out.append(int.__repr__(c.connection))
    out.append('},"capture_time":')
    out.append(_float(c.timestamp))
    out.append("}")


cdef int _top_kind(obj) except -1:
    cls = type(obj)
    cdef int k
    if getattr(cls, "__json__", None) is not None:
        k = K_CAPTURED if cls is _CapturedItem else K_CUSTOM
    elif cls in _plain_top or not dataclasses.is_dataclass(cls):
        k = K_TOP_DICT
    elif isinstance(getattr(obj, "type", None), _MessageType):
        k = K_MESSAGE
        _message_head[cls] = '{"type":' + _esc(obj.type.name.lower()) + ',"offset":'
        _fields[cls] = tuple(kn for kn in _names(cls) if kn[1] != "offset")
    else:
        return K_FIELDS  # not cached: decided per object, as the reference does
    _top_kinds[cls] = k
    return k


cdef void _top(list out, obj) except *:
    cdef object cls = type(obj)
    cdef object kind = _top_kinds.get(cls)
    cdef int k = _top_kind(obj) if kind is None else <int>kind
    if k == K_MESSAGE:
        out.append(<str>_message_head[cls])
        _plain(out, getattr(obj, "offset", 0))
        for key, name in <tuple>_fields[cls]:
            out.append(",")
            out.append(key)
            _value(out, getattr(obj, name))
        out.append("}")
    elif k == K_CAPTURED:
        _captured(out, obj)
    elif k == K_CUSTOM:
        result = obj.__json__()
        _plain(out, result if isinstance(result, dict) else {"value": result})
    else:
        _plain(out, _reference_to_json(obj))


def render(obj):
    """The compact JSON text (UTF-8) of ``to_json(obj)``."""
    out = []
    _top(out, obj)
    return "".join(out).encode("utf-8", "surrogateescape")
