"""The compiled decoders fill the model's slotted dataclasses directly only
when a class is exactly what its ``__init__`` would fill, with the fields the
class itself declares (in ``__init__`` order) and as many as the kernel
gives; any other class is called, so a model change cannot make the compiled
code build objects the pure code would not -- and it fails here, loudly."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.fast.differential import fast


def test_every_model_class_is_filled_directly() -> None:
    # otherwise the class is called: same objects, but the measured speed is
    # gone; a class that changed shape (a field added, removed, or set by a
    # custom __init__) shows here with the reason
    shapes = fast.shapes()
    assert len(shapes) >= 30
    assert {name: why for name, why in shapes.items() if why} == {}


@dataclasses.dataclass(slots=True)
class _Plain:
    a: int
    b: str


@dataclasses.dataclass(slots=True)
class _Base:
    a: int
    tag: int | None = dataclasses.field(default=None, kw_only=True)


@dataclasses.dataclass(slots=True)
class _Child(_Base):
    b: str


@dataclasses.dataclass(slots=True)
class _PostInit:
    a: int

    def __post_init__(self) -> None:
        self.a = abs(self.a)


@dataclasses.dataclass
class _NoSlots:
    a: int


@dataclasses.dataclass(slots=True, init=False)
class _OwnInit:
    a: int

    def __init__(self, a: int) -> None:
        self.a = a + 1


class _NotADataclass:
    __slots__ = ("a",)

    def __init__(self, a: int) -> None:
        self.a = a


@dataclasses.dataclass(slots=True, init=False)
class _Swaps:
    a: object
    b: object

    def __init__(self, a: object, b: object) -> None:
        self.a, self.b = b, a


@dataclasses.dataclass(slots=True)
class _Later:
    a: int
    b: int = dataclasses.field(init=False, default=0)


class _Raw:
    """Not a dataclass: built from a sample whose __init__ keeps it."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 2:
            raise ValueError("2 octets")
        self.raw = bytes(raw)


@pytest.mark.parametrize(
    ("cls", "arity", "sample", "direct"),
    [
        (_Plain, 2, None, True),
        (_Child, 3, None, True),  # inherited slots and a keyword-only field
        (_Plain, 1, None, False),  # the kernel gives fewer values than the class has fields
        (_Plain, 3, None, False),  # ... or more
        (_PostInit, 1, None, False),
        (_NoSlots, 1, None, False),
        (_OwnInit, 1, None, False),  # its __init__ fails on the probe's sentinels
        (_Swaps, 2, None, False),  # its __init__ does not store what it is given
        (_Later, 1, None, False),  # a field __init__ does not set
        (_NotADataclass, 1, None, False),
        (_Raw, 1, None, False),  # not a dataclass and no sample
        (_Raw, 1, (b"ab",), True),
        (_Raw, 1, (b"abc",), False),  # the sample fails its checks
    ],
)
def test_shape_checks(cls: Any, arity: int, sample: Any, direct: bool) -> None:
    got, why = fast.shape_is_direct(cls, arity, sample)
    assert got is direct, why
    assert bool(why) is not direct


def test_fields_come_from_the_class() -> None:
    assert fast.shape_fields(_Child) == ("a", "b", "tag")  # positional, then keyword-only
    assert fast.shape_fields(_Raw) == ("raw",)
