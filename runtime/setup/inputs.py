"""Form inputs of the config pages and their metadata values: labels in two languages,
``__c`` names, picklist options written one per line, and the type-specific settings of a
field generated from the field types (:mod:`hulian.metadata.field_types`) and the object
schema's descriptions, so a new setting of a field type shows up in the editor by itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from hulian.metadata.field_types import BY_NAME
from hulian.metadata.schema_check import load_schema

__all__ = ["SettingInput", "i18n_value", "name_with_suffix", "options_text", "parse_options",
           "setting_inputs", "setting_values"]

SUFFIX = "__c"


def i18n_value(zh: str, en: str) -> dict[str, str]:
    """A label from its two inputs; a language left empty takes the other's text."""
    zh, en = zh.strip(), en.strip()
    return {"zh": zh or en, "en": en or zh}


def name_with_suffix(text: str) -> str:
    """An api_name as the admin typed it, with ``__c`` added when missing (tenant names
    end with it); spaces become ``_``."""
    name = re.sub(r"\s+", "_", text.strip())
    return name if not name or name.endswith(SUFFIX) else name + SUFFIX


def options_text(options: list[Mapping[str, Any]] | None) -> str:
    """Picklist options one per line: ``api_name | 中文 | English`` (``| inactive``)."""
    lines = []
    for option in options or []:
        label = option.get("label") or {}
        line = f"{option.get('api_name', '')} | {label.get('zh', '')} | {label.get('en', '')}"
        if option.get("active") is False:
            line += " | inactive"
        lines.append(line)
    return "\n".join(lines)


def parse_options(text: str) -> list[dict[str, Any]]:
    """The lines of :func:`options_text` as option documents (blank lines skipped)."""
    options = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        zh = parts[1] if len(parts) > 1 else ""
        en = parts[2] if len(parts) > 2 else ""
        option: dict[str, Any] = {"api_name": parts[0],
                                  "label": i18n_value(zh or parts[0], en or zh or parts[0])}
        if len(parts) > 3 and parts[3].lower() == "inactive":
            option["active"] = False
        options.append(option)
    return options


class SettingInput:
    """One type-specific setting as a form input: ``name`` (the field document's key),
    ``input`` (number, text, select, options, object, formula), ``choices``, ``title``
    and ``help`` (from the object schema)."""

    def __init__(self, name: str, spec: Mapping[str, Any], objects: list[str]):
        self.name = name
        self.title = spec.get("title", name)
        self.help = spec.get("description", "")
        self.choices: list[str] = list(spec.get("enum", []))
        kind = spec.get("type")
        if name == "options":
            self.input = "options"
        elif name == "target":
            self.input, self.choices = "select", objects
        elif name in ("lookup_filter",):
            self.input = "formula"
        elif self.choices:
            self.input = "select"
        elif kind in ("integer", "number"):
            self.input = "number"
        else:
            self.input = "text"
        self.integer = kind == "integer"


@cache
def _field_properties() -> Mapping[str, Any]:
    properties: Mapping[str, Any] = load_schema("object")["$defs"]["field"]["properties"]
    return properties


def setting_inputs(field_type: str, objects: list[str]) -> list[SettingInput]:
    """The inputs of ``field_type``'s own settings, in the type's order."""
    properties = _field_properties()
    return [SettingInput(name, _resolved(properties[name]), objects)
            for name in BY_NAME[field_type].settings if name in properties]


def _resolved(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = spec.get("$ref")
    if not ref:
        return spec
    target = load_schema("object")["$defs"][ref.rsplit("/", 1)[1]]
    return {**target, **{k: v for k, v in spec.items() if k != "$ref"}}


def setting_values(inputs: list[SettingInput], form: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, str]]:
    """The settings the form gives (empty inputs left out), and the texts that are not
    numbers where a number is asked (input name -> the text), to show beside them."""
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for setting in inputs:
        text = str(form.get(setting.name) or "").strip()
        if not text:
            continue
        if setting.input == "options":
            values[setting.name] = parse_options(text)
        elif setting.input == "number":
            try:
                number = Decimal(text)
            except InvalidOperation:
                bad[setting.name] = text
                continue
            values[setting.name] = int(number) if setting.integer and number == int(number) \
                else number
        else:
            values[setting.name] = text
    return values, bad


def setting_text(value: Any) -> str:
    """A stored setting as its input's text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return options_text(value)
    return str(value)
