"""JSON input parsed strictly: every document the collection reads (state files, host replies).

`json.loads` keeps the last of two equal member names, accepts NaN and Infinity, lone surrogate
escapes (`"\\ud800"`, text no file or host can hold) and raises RecursionError on deep nesting.
`loads` refuses all of these with a `StrictJsonError` naming the JSON path and the problem.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")


class StrictJsonError(ValueError):
    """Text that is not acceptable JSON. `path` is the JSON path of the problem ("$" = top)."""

    def __init__(
        self, path: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message
        self.line = line
        self.column = column


class _DuplicateMember(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # at C speed; a member twice shows as a shorter dict
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _value in pairs:
            if name in seen:
                raise _DuplicateMember(name)
            seen.add(name)
    return result


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _member_path(parent: str, name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return f"{parent}.{name}"
    return f"{parent}[{json.dumps(name)}]"


def _check_surrogates(document: Any) -> None:
    """Lone surrogates anywhere (walked without recursion)."""
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise StrictJsonError(path, "contains a lone UTF-16 surrogate (not Unicode text)")
        elif isinstance(value, dict):
            for name, item in value.items():
                member = _member_path(path, name[:40])
                if _SURROGATE.search(name):
                    raise StrictJsonError(member, "member name contains a lone UTF-16 surrogate")
                stack.append((member, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))


def loads(text: str | bytes) -> Any:
    """Parse JSON text strictly (see the module docstring); raise StrictJsonError."""
    return _parse(text, _object)


def loads_counting(text: str | bytes) -> tuple[Any, int | None]:
    """`loads` but for the member-twice test, which the caller makes by counting (at C speed
    where `loads` makes a Python call per object): the document and the ':' of the text, or
    None when an escape could stand for one (then use `loads`). A member given twice is
    dropped with its name and value, so the document then holds fewer ':' than the text
    (structural.colons counts them; structural.compile_accept_counting on the way)."""
    document = _parse(text, None)
    if isinstance(text, bytes) or "\\u003" in text:  # bytes: maybe not UTF-8
        return document, None
    return document, text.count(":")


def _parse(text: str | bytes, hook: Any) -> Any:
    try:
        document = json.loads(text, object_pairs_hook=hook, parse_constant=_constant)
    except _DuplicateMember as duplicate:
        raise StrictJsonError(
            "",
            f"member {duplicate.name!r} appears twice in one object; keep one "
            "(JSON readers disagree on which one wins)",
        ) from None
    except json.JSONDecodeError as error:
        raise StrictJsonError(
            "",
            f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno} "
            f"(char {error.pos})",
            error.lineno,
            error.colno,
        ) from None
    except RecursionError:
        raise StrictJsonError("$", "nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise StrictJsonError("", f"not valid JSON: {error}") from None
    text_form = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(text_form):  # only an escape can make a lone surrogate
        _check_surrogates(document)
    return document
