"""The named shapes in toolkit/core/shapes.py say exactly what derive and describe produce."""

from __future__ import annotations

import types
import typing

import pytest

from toolkit.core import shapes
from toolkit.core.personas import derive_personas, describe_personas
from toolkit.core.questionnaire import load_questionnaire
from toolkit.core.scoring import score_matrix
from toolkit.core.synthetic import generate_responses


def conforms(value, hint, path: str) -> None:
    """Assert that ``value`` has the keys and types ``hint`` names, all the way down."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.NotRequired:
        conforms(value, args[0], path)
    elif typing.is_typeddict(hint):
        assert isinstance(value, dict), path
        keys, required = set(value), hint.__required_keys__
        assert required <= keys, f"{path}: missing {sorted(required - keys)}"
        extra = keys - required - hint.__optional_keys__
        assert not extra, f"{path}: not named in shapes.{hint.__name__}: {sorted(extra)}"
        fields = typing.get_type_hints(hint)
        for key in keys:
            conforms(value[key], fields[key], f"{path}.{key}")
    elif origin in (types.UnionType, typing.Union):
        for option in args:
            try:
                conforms(value, option, path)
                return
            except AssertionError:
                continue
        raise AssertionError(f"{path}: {value!r} is none of {hint}")
    elif origin is list:
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            conforms(item, args[0], f"{path}[{i}]")
    elif origin is dict:
        assert isinstance(value, dict), path
        for key, item in value.items():
            conforms(key, args[0], f"{path} key")
            conforms(item, args[1], f"{path}.{key}")
    elif hint is float:
        assert isinstance(value, int | float) and not isinstance(value, bool), path
    elif hint is int:
        assert isinstance(value, int) and not isinstance(value, bool), path
    elif hint is type(None):
        assert value is None, path
    else:
        assert isinstance(value, hint), f"{path}: {value!r} is not {hint}"


@pytest.fixture(scope="module")
def q():
    return load_questionnaire("questionnaires/default.toml")


@pytest.mark.parametrize("blob", [False, True], ids=["segments", "one profile"])
def test_a_described_persona_set_has_exactly_the_keys_and_types_its_shapes_name(q, blob):
    answers, _, contexts = generate_responses(q, 240, seed=3, missing_rate=0.05, blob=blob)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=5)
    conforms(persona_set, shapes.PersonaSet, "persona_set")
    described = describe_personas(persona_set, q, answers, contexts, lang="en")
    conforms(described, shapes.PersonaSet, "described")
    assert all("description" in p for p in described["personas"])
    assert persona_set["k"] == (1 if blob else 4)


def test_a_set_without_respondents_has_its_shape_too(q):
    answers, _, _ = generate_responses(q, 0)
    conforms(derive_personas(score_matrix(q, answers), q), shapes.PersonaSet, "empty")


def test_conforms_catches_a_key_the_shapes_do_not_name(q):
    answers, _, _ = generate_responses(q, 60, seed=1)
    persona_set = derive_personas(score_matrix(q, answers), q, bootstrap=0)
    persona_set["personas"][0]["mood"] = "sunny"
    with pytest.raises(AssertionError, match="mood"):
        conforms(persona_set, shapes.PersonaSet, "persona_set")
