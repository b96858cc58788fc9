"""hulian.runtime.api.jsonio: what a request's JSON may hold."""

from __future__ import annotations

import pytest

from hulian.runtime.api.errors import BadRequest, json_bytes
from hulian.runtime.api.jsonio import MAX_JSON_DEPTH, check_json, parse_json


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_nesting_up_to_the_limit_is_taken():
    assert check_json(nested(MAX_JSON_DEPTH)) == nested(MAX_JSON_DEPTH)
    assert check_json({"a": [{"b": nested(MAX_JSON_DEPTH - 3)}]})


@pytest.mark.parametrize("raw", [
    b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),
    b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"a": ' + b'{"b": ' * 40 + b"1" + b"}" * 40 + b"}",
])
def test_deeper_json_is_too_deep(raw):
    with pytest.raises(BadRequest) as exc:
        parse_json(raw, allow_list=True)
    assert exc.value.code == "too_deep"
    assert exc.value.details() == []


@pytest.mark.parametrize("value, pointer", [
    ({"name": "\ud800"}, "/name"), ({"\udfff": 1}, "/\\udfff"),
    ([{"a": ["ok", "x\udc00"]}], "/0/a/1"), ({"a/b~c": "\ud800"}, "/a~1b~0c"),
])
def test_a_lone_surrogate_is_refused_with_its_pointer(value, pointer):
    with pytest.raises(BadRequest) as exc:
        check_json(value, "where")
    assert exc.value.code == "invalid_character"
    assert f"'{pointer}'" in exc.value.message
    assert exc.value.details()[0]["parameter"] == "where"


def test_nul_and_surrogate_pairs_are_left_to_the_fields():
    assert check_json({"name": "a\x00b", "emoji": "😀"}) == {"name": "a\x00b", "emoji": "😀"}
    assert parse_json(b'{"emoji": "\\ud83d\\ude00"}') == {"emoji": "😀"}


def test_a_lone_surrogate_goes_out_as_its_json_escape():
    assert json_bytes({"message": "bad \ud800"}) == b'{"message": "bad \\ud800"}'
