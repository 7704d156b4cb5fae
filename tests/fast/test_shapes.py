"""The compiled decoders fill the model's slotted dataclasses directly only
when a class is exactly what its generated ``__init__`` would fill; any other
class is called, so a model change cannot make the compiled code build
objects the pure code would not."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.fast.differential import fast


def test_every_model_class_is_filled_directly() -> None:
    # otherwise the class is called: same objects, but the measured speed is gone
    shapes = fast.shapes()
    assert len(shapes) >= 30
    assert [name for name, direct in shapes.items() if not direct] == []


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


@pytest.mark.parametrize(
    ("cls", "names", "direct"),
    [
        (_Plain, ("a", "b"), True),
        (_Plain, ("b", "a"), True),  # filled by name: any order of the same fields
        (_Child, ("a", "b", "tag"), True),  # inherited slots and a keyword-only field
        (_Plain, ("a",), False),  # a field missing
        (_Plain, ("a", "b", "c"), False),  # a field the class does not have
        (_PostInit, ("a",), False),
        (_NoSlots, ("a",), False),
        (_OwnInit, ("a",), False),
        (_NotADataclass, ("a",), False),
    ],
)
def test_shape_checks(cls: Any, names: tuple[str, ...], direct: bool) -> None:
    assert fast.shape_is_direct(cls, names) is direct
