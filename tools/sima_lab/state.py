"""Stable descriptions of module state, for the trace's "state changes" column.

Values are described without memory addresses or hash-dependent orders, so the same
run gives the same text on CPython and Pyodide: sets are sorted, objects are shown
by their attributes, anything else by its type.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
import types
from collections.abc import Mapping
from typing import Any

from sima_lab.fakes import (
    BackgroundTask,
    Blob,
    Connection,
    LambdaContext,
    ObjectStoreClient,
    ProxyConnection,
    TableClient,
)

_MAX_DEPTH = 4
_MAX_ITEMS = 40
_MAX_STR = 60
_SHORT = 40
_FAKES = (
    Blob,
    Connection,
    LambdaContext,
    ObjectStoreClient,
    ProxyConnection,
    TableClient,
    BackgroundTask,
)
_SKIP = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)

#: A snapshot: name to (fingerprint, short display).
Snapshot = dict[str, tuple[str, str]]


def is_state(value: object) -> bool:
    """False for what is code rather than state: modules, functions, classes."""
    return not isinstance(value, _SKIP)


def describe(value: object, depth: int = 0) -> str:
    """A deterministic, bounded description of `value` (its fingerprint)."""
    if value is None or isinstance(value, bool | int | float | complex):
        return repr(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= _MAX_STR else repr(value[: _MAX_STR - 3]) + "..."
    if isinstance(value, bytes | bytearray):
        return f"{type(value).__name__}[{len(value)}]"
    if isinstance(value, (*_FAKES, enum.Enum)):
        return repr(value)
    if depth >= _MAX_DEPTH:
        return short(value)
    if isinstance(value, Mapping):
        return _mapping(value, depth)
    if isinstance(value, list | tuple):
        return _sequence(value, depth)
    if isinstance(value, set | frozenset):
        items = sorted(describe(item, depth + 1) for item in value)
        inner = _join(items, len(value))
        if type(value) is set:
            return "{" + inner + "}" if value else "set()"
        return f"{type(value).__name__}({{{inner}}})"
    if isinstance(value, _SKIP):
        return f"<{type(value).__name__} {getattr(value, '__name__', '')}>".replace(" >", ">")
    return _object(value, depth)


def short(value: object) -> str:
    """A short form: the type and size of a container, the class of an object."""
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return f"{type(value).__name__}[{len(value)}]"
    if isinstance(value, str | bytes | bytearray):
        return f"{type(value).__name__}[{len(value)}]"
    if isinstance(value, _FAKES):
        return repr(value)
    return f"{type(value).__name__}(...)"


def display(value: object) -> tuple[str, str]:
    """(fingerprint, what the trace shows): the fingerprint itself when it is short."""
    full = describe(value)
    return full, (full if len(full) <= _SHORT else short(value))


def _join(items: list[str], total: int) -> str:
    more = ", ..." if total > _MAX_ITEMS else ""
    return ", ".join(items[:_MAX_ITEMS]) + more


def _mapping(value: Mapping[Any, Any], depth: int) -> str:
    items = [
        f"{describe(k, depth + 1)}: {describe(v, depth + 1)}"
        for k, v in list(value.items())[:_MAX_ITEMS]
    ]
    inner = "{" + _join(items, len(value)) + "}"
    return inner if type(value) is dict else f"{type(value).__name__}({inner})"


def _sequence(value: list[Any] | tuple[Any, ...], depth: int) -> str:
    items = [describe(item, depth + 1) for item in value[:_MAX_ITEMS]]
    inner = _join(items, len(value))
    if isinstance(value, list):
        text = "[" + inner + "]"
    else:
        text = "(" + inner + ("," if len(value) == 1 else "") + ")"
    return text if type(value) in (list, tuple) else f"{type(value).__name__}({text})"


def _object(value: object, depth: int) -> str:
    cls = type(value)
    if dataclasses.is_dataclass(value):
        fields = [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
        return _attributes(cls, fields, depth)
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and not _is_stdlib(cls):
        fields = [(name, item) for name, item in attributes.items() if not name.startswith("__")]
        return _attributes(cls, fields, depth)
    if _is_stdlib(cls) and cls.__repr__ is not object.__repr__:
        # Only the standard library's own reprs are trusted: they end, and they are
        # the same on every run unless they show an address.
        try:
            text = repr(value)
        except Exception:
            text = "0x"
        if "0x" not in text:
            return text if len(text) <= 200 else text[:197] + "..."
    return f"<{cls.__name__}>"


def _attributes(cls: type, fields: list[tuple[str, object]], depth: int) -> str:
    parts = [f"{name}={describe(item, depth + 1)}" for name, item in fields[:_MAX_ITEMS]]
    return f"{cls.__name__}({_join(parts, len(fields))})"


def _is_stdlib(cls: type) -> bool:
    return cls.__module__.partition(".")[0] in sys.stdlib_module_names


def diff(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    """What changed between two snapshots, one short line per name."""
    changes: list[str] = []
    for name, (print_after, shown_after) in after.items():
        if name not in before:
            changes.append(f"+{name} = {shown_after}")
            continue
        print_before, shown_before = before[name]
        if print_before == print_after:
            continue
        if shown_before != shown_after:
            changes.append(f"{name}: {shown_before} -> {shown_after}")
        else:
            changes.append(f"{name}: {shown_after} (contents changed)")
    changes.extend(f"-{name}" for name in before if name not in after)
    return tuple(changes)
