"""JSON-Schema validation of pack documents, as problems with codes and hints.

The schemas in ``schemas/`` are the reference for editors too, so they carry the
naming patterns and the "zh and en" rule; those two are reported by the cross
checks (:mod:`hulian.metadata.checks`) with finer codes and fixes, so their
schema errors are skipped here. Each JSON pointer gets at most one problem.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import extend
from referencing import Registry, Resource

from hulian.metadata.kinds import KINDS
from hulian.metadata.names import closest
from hulian.metadata.problems import Problem, pointer

SCHEMA_FILES = {"pack": "pack.schema.json", "object": "object.schema.json",
                "extension": "extension.schema.json", "role": "role.schema.json",
                "app": "app.schema.json", "role_extension": "role_extension.schema.json",
                "app_extension": "app_extension.schema.json",
                **{kind.name: kind.schema for kind in KINDS}}

# validator keyword -> problem code; every assertion keyword our schemas use is
# listed (a unit test walks the schemas to keep it so).
CODE_BY_VALIDATOR = {
    "required": "schema.required",
    "additionalProperties": "schema.unknown_key",
    "type": "schema.type",
    "enum": "schema.enum",
    "const": "schema.enum",
    "minimum": "schema.range",
    "maximum": "schema.range",
    "exclusiveMinimum": "schema.range",
    "exclusiveMaximum": "schema.range",
    "minLength": "schema.range",
    "maxLength": "schema.range",
    "minItems": "schema.range",
    "maxItems": "schema.range",
    "minProperties": "schema.range",
    "maxProperties": "schema.range",
    "pattern": "schema.pattern",
}
# The first of several errors at one pointer is kept in this order.
_PRIORITY = ("schema.type", "schema.required", "schema.unknown_key", "schema.enum",
             "schema.pattern", "schema.range")
# (definition, validator) pairs that hulian.metadata.checks reports instead.
_LEFT_TO_CHECKS = {
    "packName": {"pattern", "minLength", "maxLength"},
    "objectName": {"pattern", "minLength", "maxLength"},
    "fieldName": {"pattern", "minLength", "maxLength"},
    "optionName": {"pattern", "minLength", "maxLength"},
    "roleName": {"pattern", "minLength", "maxLength"},
    "appName": {"pattern", "minLength", "maxLength"},
    "actionName": {"pattern", "minLength", "maxLength"},
    "i18n": {"required"},
}
_JSON_TYPES = {"object": "an object", "array": "a list", "string": "a text",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "null"}
_TYPE_HINTS = {"boolean": "write true or false, without quotes",
               "integer": "write a whole number without quotes, e.g. 120",
               "number": "write a number without quotes, e.g. 12.5",
               "string": "write the text in double quotes",
               "object": 'write an object in braces: {"key": value}',
               "array": "write a list in brackets: [...]"}


def _is_integer(checker: Any, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


_Validator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON schema of a document kind ("pack", "object", "extension", "role", "app",
    "role_extension", or a registered kind's: "layout", "scene", "home_view")."""
    text = files("hulian.metadata").joinpath("schemas", SCHEMA_FILES[kind]).read_text("utf-8")
    return json.loads(text)


@cache
def _registry() -> Registry:
    """Every schema under its ``$id``, so one may ``$ref`` another's definitions.

    >>> _registry()["urn:hulian:metadata:object.schema.json"].contents["title"]
    'hulian object (objects/<api_name>.json)'
    """
    resources = [(load_schema(kind)["$id"], Resource.from_contents(load_schema(kind)))
                 for kind in SCHEMA_FILES]
    return Registry().with_resources(resources)


@cache
def _validator(kind: str) -> Any:
    return _Validator(load_schema(kind), registry=_registry())


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) <= 40 else "a text"
    return f"the number {value}"


def _did_you_mean(word: Any, choices: list[str], *, always_list: bool) -> str:
    shown = "allowed: " + ", ".join(choices)
    close = closest(word, choices) if isinstance(word, str) else None
    if close:
        return f"did you mean {close!r}?" + (f" {shown}" if always_list else "")
    return shown


def _key(path: list[Any]) -> str:
    if not path:
        return "the document"
    if isinstance(path[-1], int):
        return f"item {path[-1]} of {path[-2]}" if len(path) > 1 else f"item {path[-1]}"
    return str(path[-1])


def _problems_for(error: ValidationError, file: str) -> Iterator[Problem]:
    """One or more problems for a (leaf) jsonschema error."""
    path = list(error.absolute_path)
    validator, value, schema = error.validator, error.validator_value, error.schema
    instance = error.instance
    code = CODE_BY_VALIDATOR.get(str(validator), "schema.type")
    if "propertyNames" in error.absolute_schema_path:
        yield Problem(code, file, pointer(*path, instance),
                      f"{instance!r} is not an allowed key here",
                      _pattern_hint(schema) or f"keys match {schema.get('pattern')}")
    elif validator == "required":
        because = _because(schema, instance)
        for key in value:
            if isinstance(instance, dict) and key not in instance:
                yield Problem(code, file, pointer(*path, key),
                              f"the required key {key!r} is missing{because}",
                              f"add the key {key!r}")
    elif validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield Problem(code, file, pointer(*path, key), f"unknown key {key!r}",
                              _did_you_mean(key, allowed, always_list=False))
    elif validator == "type":
        expected = value if isinstance(value, list) else [value]
        wanted = " or ".join(_JSON_TYPES.get(t, t) for t in expected)
        yield Problem(code, file, pointer(*path),
                      f"{_key(path)} must be {wanted}, not {_describe(instance)}",
                      schema.get("description") if len(expected) > 1
                      and schema.get("description") else _TYPE_HINTS.get(expected[0]))
    elif validator in ("enum", "const"):
        choices = [str(c) for c in (value if validator == "enum" else [value])]
        yield Problem(code, file, pointer(*path),
                      f"{_describe(instance)} is not allowed for {_key(path)}",
                      _did_you_mean(instance, choices, always_list=True))
    elif validator == "pattern":
        yield Problem(code, file, pointer(*path),
                      f"{_describe(instance)} is not a valid {_title(schema, path)}",
                      _pattern_hint(schema) or f"match the pattern {value}")
    else:
        yield Problem(code, file, pointer(*path), _range_message(error, path), None)


@cache
def _conditions() -> dict[int, dict[str, Any]]:
    """id of each ``then`` schema -> its ``if`` (keys a value requires, e.g. a widget's by
    its kind)."""
    found: dict[int, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("if"), dict) and isinstance(node.get("then"), dict):
                found[id(node["then"])] = node["if"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for kind in SCHEMA_FILES:
        walk(load_schema(kind))
    return found


def _because(schema: dict[str, Any], instance: Any) -> str:
    """``: kind metric needs it`` when ``schema`` is the ``then`` of a condition on a key
    of ``instance``; else nothing."""
    condition = _conditions().get(id(schema))
    if condition is None or not isinstance(instance, dict):
        return ""
    keys = [k for k in condition.get("required", ()) if isinstance(instance.get(k), str)]
    return f" ({keys[0]} {instance[keys[0]]} needs it)" if keys else ""


def _title(schema: dict[str, Any], path: list[Any]) -> str:
    title = schema.get("title")
    return title.lower() if isinstance(title, str) else _key(path)


def _pattern_hint(schema: dict[str, Any]) -> str | None:
    examples = schema.get("examples")
    text = schema.get("description") or ""
    if examples:
        text = (text + " " if text else "") + "e.g. " + ", ".join(map(str, examples))
    return text or None


def _range_message(error: ValidationError, path: list[Any]) -> str:
    limit = error.validator_value
    what = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than"}.get(str(error.validator))
    if what:
        return f"{_key(path)} is {error.instance} but must be {what} {limit}"
    unit = {"minLength": "characters", "maxLength": "characters", "minItems": "items",
            "maxItems": "items", "minProperties": "keys", "maxProperties": "keys"}
    bound = "at least" if str(error.validator).startswith("min") else "at most"
    if limit == 1 and bound == "at least":
        return f"{_key(path)} must not be empty"
    return f"{_key(path)} must have {bound} {limit} {unit.get(str(error.validator), '')}"


def _leaf(error: ValidationError) -> ValidationError:
    """The most relevant error under a oneOf/anyOf wrapper.

    Branches whose type does not match the value are passed over when another
    branch got further; among the rest jsonschema's ``best_match`` decides. When no
    branch's type matches, the error names them all (:func:`_either`).
    """
    while error.context:
        depth = len(error.absolute_path)
        pool = [e for e in error.context
                if not (e.validator == "type" and len(e.absolute_path) == depth)]
        if not pool:
            return _either(error)
        error = best_match(pool) or error.context[0]
    return error


def _either(error: ValidationError) -> ValidationError:
    """A value of none of a oneOf's types: one type error naming every type (``a text or
    a list``), whose hint is the oneOf's description."""
    types: list[str] = []
    for branch in error.context:
        value = branch.validator_value
        types += [t for t in (value if isinstance(value, list) else [value]) if t not in types]
    either = copy.copy(error.context[0])
    either.validator_value = types
    either.schema = error.schema
    return either


def _left_to_checks(error: ValidationError) -> bool:
    return any(error.schema is load_schema(kind)["$defs"].get(name)
               and error.validator in validators
               for kind in SCHEMA_FILES for name, validators in _LEFT_TO_CHECKS.items())


CHECKED_KEPT = 2048
"""Documents whose problems are kept (:func:`schema_problems`)."""
_checked: OrderedDict[tuple[str, str, str], tuple[Problem, ...]] = OrderedDict()
_checked_lock = threading.Lock()


def schema_problems(document: Any, kind: str, file: str) -> list[Problem]:
    """Problems of one document against the schema of ``kind``; one per JSON pointer.

    ``document`` must hold JSON values only (see ``documents.clean_document``). The answer
    is kept for the last :data:`CHECKED_KEPT` documents, by kind, file and content (its
    ``repr``: JSON values only, so one text is one value, ``Decimal("1")`` never ``1``), so
    installing the same pack into many tenants checks each of its documents once (the
    schema check is most of the time of loading a pack).
    """
    key = (kind, file, repr(document))
    with _checked_lock:
        found = _checked.get(key)
        if found is not None:
            _checked.move_to_end(key)
            return list(found)
    found = tuple(_check(document, kind, file))
    with _checked_lock:
        _checked[key] = found
        while len(_checked) > CHECKED_KEPT:
            _checked.popitem(last=False)
    return list(found)


def _check(document: Any, kind: str, file: str) -> list[Problem]:
    found: dict[str, Problem] = {}
    for error in _validator(kind).iter_errors(document):
        leaf = _leaf(error)
        if _left_to_checks(leaf):
            continue
        for problem in _problems_for(leaf, file):
            old = found.get(problem.pointer)
            if old is None or _PRIORITY.index(problem.code) < _PRIORITY.index(old.code):
                found[problem.pointer] = problem
    return list(found.values())
