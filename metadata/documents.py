"""Reading a pack folder into documents: ``{relative path: parsed JSON}``.

Only ``pack.json``, ``objects/*.json``, ``roles/*.json``, ``apps/*.json``,
``extensions/*.json`` (a tenant overlay's changes to installed objects) and
``extensions/roles/*.json`` (its changes to installed roles) are read;
hidden entries and the ``data/`` folder (sample data) are skipped; anything else is
a problem. JSON
numbers are parsed as :class:`~decimal.Decimal` so they stay exact.
:func:`clean_document` then makes sure a document holds JSON values only, so
later checks can rely on that whatever the document came from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from hulian.metadata.jsontext import dumps
from hulian.metadata.kinds import KINDS
from hulian.metadata.problems import Problem, pointer

MANIFEST = "pack.json"
OBJECTS = "objects"
EXTENSIONS = "extensions"
ROLES = "roles"
APPS = "apps"
ROLE_EXTENSIONS = f"{EXTENSIONS}/{ROLES}"
APP_EXTENSIONS = f"{EXTENSIONS}/{APPS}"
FOLDERS = {OBJECTS: "object", EXTENSIONS: "extension", ROLES: "role", APPS: "app",
           ROLE_EXTENSIONS: "role_extension", APP_EXTENSIONS: "app_extension",
           **{kind.folder: kind.name for kind in KINDS}}
"""folder -> the kind of the documents in it; ``extensions/roles`` is the one sub-folder.
The registered document kinds (:mod:`hulian.metadata.kinds`) add theirs."""
IGNORED_FOLDERS = frozenset({"data"})
SUPPORTED = ("a pack holds pack.json, objects/<ApiName>.json, roles/<api_name>.json,"
             " apps/<api_name>.json, "
             + ", ".join(f"{kind.folder}/<api_name>.json" for kind in KINDS)
             + ", a tenant pack (and a preset that requires other packs) also"
             " extensions/<ApiName>.json and extensions/roles/<api_name>.json, a preset that"
             " requires other packs also extensions/apps/<api_name>.json"
             " (data/ and hidden files are ignored)")
EXTENSIONS_HINT = ("a preset pack extends only the objects, roles and apps of the packs it"
                   " requires: name the pack in pack.json's requires (e.g."
                   " {\"requires\": {\"crm\": \"^1.0.0\"}}), or define the object here")
MAX_DEPTH = 32


def document_kind(name: str) -> str | None:
    """ "pack" for the manifest, "object" for ``objects/<Name>.json``, "extension" for
    ``extensions/<Name>.json``, "role" for ``roles/<name>.json``, "app" for
    ``apps/<name>.json``, "role_extension" for ``extensions/roles/<name>.json``,
    "app_extension" for ``extensions/apps/<name>.json``, a
    registered kind's name for a file in its folder (``layout``), else None."""
    if name == MANIFEST:
        return "pack"
    folder, _, file = name.rpartition("/")
    if folder in FOLDERS and file.endswith(".json") and len(file) > 5:
        return FOLDERS[folder]
    return None


def join(source: str, file: str) -> str:
    """``file`` (relative to the pack) as seen from where the pack was loaded."""
    source = source.rstrip("/")
    if not source:
        return file
    return f"{source}/{file}" if file else source


class _Constant:
    """What the parser makes of NaN, Infinity and -Infinity: reported by clean_document."""

    def __init__(self, token: str):
        self.token = token


def parse_json(data: bytes, file: str) -> tuple[Any, list[Problem]]:
    """Decode and parse one file; on failure the value is None and a problem says why."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem("file.encoding", file, "",
                              f"byte 0x{data[exc.start]:02x} on line {line} is not UTF-8",
                              "save the file as UTF-8")]
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_Constant), []
    except json.JSONDecodeError as exc:
        return None, [Problem("json.syntax", file, "",
                              f"line {exc.lineno} column {exc.colno}: {exc.msg}",
                              _syntax_hint(exc.msg))]
    except RecursionError:
        return None, [Problem("json.value", file, "", "the JSON is nested too deeply",
                              f"keep documents under {MAX_DEPTH} levels")]
    except ValueError as exc:  # e.g. an integer with thousands of digits
        return None, [Problem("json.value", file, "", f"a value cannot be read: {exc}")]


def _syntax_hint(msg: str) -> str | None:
    if msg.startswith("Expecting property name"):
        return "keys are written in double quotes; remove a trailing comma before '}'"
    if msg.startswith("Expecting value"):
        return "check for a trailing comma or a missing value; texts are in double quotes"
    if msg.startswith("Expecting ',' delimiter"):
        return "separate items with commas"
    if msg.startswith("Invalid control character"):
        return "write line breaks and tabs inside texts as \\n and \\t"
    return None


def _read_file(root: Path, name: str) -> tuple[Any, list[Problem]]:
    try:
        data = (root / name).read_bytes()
    except IsADirectoryError:
        return None, [Problem("file.unreadable", name, "", f"{name} is a folder, not a file",
                              f"make {name} a JSON file")]
    except OSError as exc:
        return None, [Problem("file.unreadable", name, "",
                              f"cannot read {name}: {exc.strerror or exc}")]
    return parse_json(data, name)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def _unexpected(name: str, is_dir: bool) -> Problem:
    what = "folder" if is_dir else "file"
    return Problem("pack.unexpected_file", name, "",
                   f"the pack format has no {what} {name!r}", SUPPORTED)


def read_documents(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Problem]]:
    """Read the pack folder ``path``: its documents, and the problems met reading them.

    Problem files are relative to ``path``, like the document keys.
    """
    root = Path(path)
    documents: dict[str, Any] = {}
    problems: list[Problem] = []
    try:
        entries = _entries(root)
    except OSError as exc:
        return {}, [Problem("file.unreadable", "", "",
                            f"cannot read the folder {str(path)!r}: {exc.strerror or exc}",
                            "pass the path of a pack folder (the one holding pack.json)")]
    names = {e.name for e in entries}
    if MANIFEST not in names:
        problems.append(Problem("pack.missing_manifest", MANIFEST, "",
                                f"{str(path)!r} has no pack.json",
                                'add pack.json: {"name": ..., "version": "1.0.0", "label":'
                                ' {"zh": ..., "en": ...}}'))
    for entry in entries:
        is_dir = entry.is_dir()
        if entry.name == MANIFEST:
            names_read = [MANIFEST]
        elif entry.name in FOLDERS and is_dir:
            names_read, more = _folder_files(root, entry.name)
            problems += more
        elif entry.name in IGNORED_FOLDERS and is_dir:
            continue
        else:
            problems.append(_unexpected(entry.name, is_dir))
            continue
        for name in names_read:
            value, more = _read_file(root, name)
            problems += more
            if not more:
                documents[name] = value
    return documents, problems


def _folder_files(root: Path, folder: str) -> tuple[list[str], list[Problem]]:
    try:
        entries = _entries(root / folder)
    except OSError as exc:
        return [], [Problem("file.unreadable", folder, "",
                            f"cannot read the folder {folder}: {exc.strerror or exc}")]
    names: list[str] = []
    problems: list[Problem] = []
    for entry in entries:
        name = f"{folder}/{entry.name}"
        if name in FOLDERS and entry.is_dir():  # extensions/roles
            more_names, more = _folder_files(root, name)
            names += more_names
            problems += more
        elif document_kind(name) == FOLDERS[folder]:
            names.append(name)
        else:
            problems.append(_unexpected(name, entry.is_dir()))
    return names, problems


def clean_document(value: Any, file: str) -> tuple[Any, list[Problem]]:
    """A copy of ``value`` holding JSON values only, and a problem for each other value.

    Dicts and lists are copied (tuples become lists, floats exact Decimals);
    NaN, Infinity, non-text keys, texts PostgreSQL cannot store and nesting
    deeper than ``MAX_DEPTH`` are reported as ``json.value`` and replaced by None.
    """
    problems: list[Problem] = []

    def bad(path: tuple[Any, ...], message: str, hint: str | None = None) -> None:
        problems.append(Problem("json.value", file, pointer(*path), message, hint))

    def text_ok(text: str, path: tuple[Any, ...]) -> bool:
        if "\x00" in text:
            bad(path, "text contains the NUL character (\\u0000)", "remove it")
            return False
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            bad(path, "text contains a lone surrogate (an unpaired \\ud800-\\udfff escape)",
                "write the character itself or a complete surrogate pair")
            return False
        return True

    def walk(item: Any, path: tuple[Any, ...], depth: int) -> Any:
        if item is None or isinstance(item, bool | int):
            return item
        if isinstance(item, str):
            return item if text_ok(item, path) else None
        if isinstance(item, Decimal | float):
            number = Decimal(repr(item)) if isinstance(item, float) else item
            if number.is_finite():
                return number
            bad(path, f"{item} is not a JSON number", "JSON has no NaN or Infinity")
            return None
        if isinstance(item, _Constant):
            bad(path, f"{item.token} is not a JSON number", "JSON has no NaN or Infinity")
            return None
        if depth >= MAX_DEPTH and isinstance(item, Mapping | list | tuple):
            bad(path, f"the value is nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(item, Mapping):
            out = {}
            for key, sub in item.items():
                if not isinstance(key, str):
                    bad(path, f"the key {key!r} is not text", "JSON keys are texts")
                elif text_ok(key, (*path, key)):
                    out[key] = walk(sub, (*path, key), depth + 1)
            return out
        if isinstance(item, list | tuple):
            return [walk(sub, (*path, i), depth + 1) for i, sub in enumerate(item)]
        bad(path, f"a {type(item).__name__} is not a JSON value")
        return None

    return walk(value, (), 0), problems


def write_documents(documents: Mapping[str, Any], folder: Path) -> list[str]:
    """Write ``documents`` as a pack folder (pretty, exact JSON, UTF-8); the paths written.

    The folder must be empty or missing, so no stale file of an earlier export can
    be deployed by mistake.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder")
    written = []
    for name in sorted(documents):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(documents[name], indent=2) + "\n",
                        encoding="utf-8")
        written.append(str(path))
    return written
