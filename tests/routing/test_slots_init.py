"""The fast __init__ and factories of the hot frozen dataclasses behave like the class call."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

import routing
from routing._slots_init import quick_init, quick_new


@dataclasses.dataclass(frozen=True, slots=True)
class _Reference:
    name: str
    size: int = 3


@quick_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Quick:
    name: str
    size: int = 3


def test_same_signature_values_and_equality() -> None:
    assert inspect.signature(_Quick) == inspect.signature(_Reference)
    assert _Quick("a") == _Quick(name="a", size=3)
    assert hash(_Quick("a", 4)) == hash(_Quick("a", 4))
    assert (_Quick("b", 5).name, _Quick("b", 5).size) == ("b", 5)


def test_instances_stay_frozen() -> None:
    offer = routing.Offer("c1", "a1", 0, 1, 15.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        offer.level = 2  # type: ignore[misc]
    assert dataclasses.replace(offer, level=2).level == 2


def test_post_init_still_validates() -> None:
    with pytest.raises(ValueError, match="IDLE or NOT_READY"):
        routing.AgentStateChanged("a1", routing.AgentStatus.ON_CALL)


def test_missing_and_extra_arguments_fail_like_before() -> None:
    with pytest.raises(TypeError):
        routing.Offer("c1", "a1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        routing.ContactEnded("c1", "extra")  # type: ignore[call-arg]


def test_refuses_classes_it_cannot_speed_up() -> None:
    @dataclasses.dataclass(slots=True)
    class Mutable:
        name: str

    with pytest.raises(TypeError, match="frozen, slotted"):
        quick_init(Mutable)

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithFactory:
        tags: frozenset[str] = dataclasses.field(default_factory=frozenset)

    with pytest.raises(TypeError, match="plain fields"):
        quick_init(WithFactory)


_new_quick = quick_new(_Reference)


def test_quick_new_builds_an_instance_of_the_class_itself() -> None:
    made = _new_quick("a")
    assert type(made) is _Reference
    assert made == _Reference("a") == _new_quick(name="a", size=3)
    assert hash(_new_quick("a", 4)) == hash(_Reference("a", 4))
    assert _new_quick("a", 4) != _Reference("a", 5)
    assert inspect.signature(_new_quick).parameters.keys() == {"name", "size"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.size = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        _new_quick()


def test_quick_new_values_copy_and_pickle_like_any_other() -> None:
    contact = routing.new_contact("c1", "national_tax", "zh", 12.5, 2)
    assert contact == routing.Contact("c1", "national_tax", "zh", 12.5, 2)
    assert pickle.loads(pickle.dumps(contact)) == contact
    assert copy.deepcopy(contact) == contact
    assert dataclasses.replace(contact, priority=0).priority == 0
    assert contact.kind is routing.ContactKind.INBOUND
    assert contact.region is None


def test_quick_new_refuses_what_it_cannot_build() -> None:
    with pytest.raises(TypeError, match="__post_init__"):
        quick_new(routing.AgentStateChanged)

    @dataclasses.dataclass(slots=True)
    class Mutable:
        name: str

    with pytest.raises(TypeError, match="frozen, slotted"):
        quick_new(Mutable)
