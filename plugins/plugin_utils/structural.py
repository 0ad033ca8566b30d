"""A fast structural check compiled once from a JSON Schema (the keywords our schemas use).

`jsonschema` interprets a schema on every call and builds error objects as it goes; on a real
host's `read_all` reply (1,050 filters, 437 provider contexts) that took seconds. This module
compiles the same schema into nested closures once per process, stops at the first problem and
builds the path only then. It implements the draft 2020-12 semantics of exactly the keywords our
schemas use (type, const, enum, properties, required, additionalProperties, items, pattern,
minLength, minimum, maximum, maxProperties, uniqueItems, allOf, anyOf, oneOf, not, if/then/else,
$ref into $defs) and refuses a schema with any other assertion, so it can never silently accept
what the schema rejects. tests/unit/host/test_structural.py checks it against jsonschema on
mutated replies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

# A problem: (path segments innermost first, message). None means valid.
Problem = tuple[list[str | int], str]
Check = Callable[[Any], Problem | None]

_ANNOTATIONS: Final = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment"})
_SUPPORTED: Final = frozenset(
    {
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "pattern",
        "minLength",
        "minimum",
        "maximum",
        "maxProperties",
        "uniqueItems",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "$ref",
    }
)


_FUSED_OBJECT: Final = frozenset({"type", "properties", "required", "additionalProperties"})


class UnsupportedSchemaError(ValueError):
    """The schema uses a keyword this checker does not implement."""


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: Final[dict[str, Callable[[Any], bool]]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _json_equal(first: Any, second: Any) -> bool:
    """JSON equality: booleans are not numbers, 1 == 1.0."""
    if isinstance(first, bool) or isinstance(second, bool):
        return type(first) is type(second) and first == second
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(_json_equal, first, second))
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            _json_equal(first[key], second[key]) for key in first
        )
    if first is None or second is None:
        return first is second
    return bool(first == second)


def _type_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self._defs: dict[str, Any] = root.get("$defs", {})
        self._compiled: dict[str, Check] = {}
        self._in_progress: set[str] = set()

    def ref(self, reference: str) -> Check:
        prefix = "#/$defs/"
        if not reference.startswith(prefix) or reference[len(prefix) :] not in self._defs:
            raise UnsupportedSchemaError(f"unsupported $ref {reference!r}")
        name = reference[len(prefix) :]
        compiled = self._compiled
        if name in compiled and name not in self._in_progress:
            return compiled[name]  # resolved once: no indirection left at run time

        def check(value: Any) -> Problem | None:  # a recursive reference, resolved late
            return compiled[name](value)

        if name not in compiled:
            self._in_progress.add(name)
            compiled[name] = check
            compiled[name] = self.compile(self._defs[name])
            self._in_progress.discard(name)
            return compiled[name]
        return check

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda value: None
        if schema is False:
            return lambda value: ([], "no value is allowed here")
        if not isinstance(schema, dict):
            raise UnsupportedSchemaError(f"a schema must be an object, got {schema!r}")
        unknown = set(schema) - _SUPPORTED - _ANNOTATIONS
        if unknown:
            raise UnsupportedSchemaError(f"unsupported schema keywords {sorted(unknown)}")
        keywords = [keyword for keyword in schema if keyword in _SUPPORTED]
        fused = schema.get("additionalProperties") is False and schema.get("type", "object") == (
            "object"
        )
        if fused:  # a closed object: one check for its object keywords, first
            keywords = [keyword for keyword in keywords if keyword not in _FUSED_OBJECT]
        built = [self._keyword(keyword, schema) for keyword in keywords]
        checks: list[Check] = [check for check in built if check is not None]
        if fused:
            checks.insert(0, self._closed_object(schema))
        if len(checks) == 1:
            return checks[0]

        def check_all(value: Any) -> Problem | None:
            for check in checks:
                problem = check(value)
                if problem is not None:
                    return problem
            return None

        return check_all

    def _closed_object(self, schema: dict[str, Any]) -> Check:
        """type object + properties + required + additionalProperties false, in one pass."""
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        known = frozenset(properties)
        required = frozenset(schema.get("required", ()))
        required_order = list(schema.get("required", ()))
        typed = "type" in schema
        if typed and schema["type"] != "object":
            raise UnsupportedSchemaError("additionalProperties false on a non-object type")

        def check(value: Any) -> Problem | None:
            if not isinstance(value, dict):
                return ([], f"expected object, got {_type_name(value)}") if typed else None
            names = value.keys()
            if not required <= names:
                missing = next(name for name in required_order if name not in value)
                return [], f"{missing!r} is a required property"
            if not names <= known:
                extra = next(name for name in value if name not in known)
                return [], f"unexpected property {_shown(extra)}"
            for name, item in value.items():
                problem = properties[name](item)
                if problem is not None:
                    problem[0].append(name)
                    return problem
            return None

        return check

    def _keyword(self, keyword: str, schema: dict[str, Any]) -> Check | None:
        if keyword in ("then", "else"):
            return None  # compiled together with "if"
        value = schema[keyword]
        builder = getattr(self, "_" + keyword.lstrip("$").lower())
        result: Check | None = builder(value, schema)
        return result

    # -- any instance ----------------------------------------------------------------------

    def _type(self, expected: str | list[str], schema: dict[str, Any]) -> Check:
        names = [expected] if isinstance(expected, str) else list(expected)
        tests = [_TYPES[name] for name in names]
        wanted = " or ".join(names)
        simple: dict[str, type[Any]] = {"object": dict, "array": list, "string": str}
        if len(names) == 1 and names[0] in simple:
            python_type = simple[names[0]]

            def check_simple(value: Any) -> Problem | None:
                if isinstance(value, python_type):
                    return None
                return [], f"expected {wanted}, got {_type_name(value)}"

            return check_simple

        def check(value: Any) -> Problem | None:
            for test in tests:
                if test(value):
                    return None
            return [], f"expected {wanted}, got {_type_name(value)}"

        return check

    def _const(self, expected: Any, schema: dict[str, Any]) -> Check:
        return self._enum([expected], schema)

    def _enum(self, choices: list[Any], schema: dict[str, Any]) -> Check:
        strings = frozenset(choice for choice in choices if isinstance(choice, str))
        others = [choice for choice in choices if not isinstance(choice, str)]
        shown = repr(choices[0]) if len(choices) == 1 else f"one of {choices!r}"

        def check(value: Any) -> Problem | None:
            if isinstance(value, str):
                if value in strings:
                    return None
            elif any(_json_equal(value, choice) for choice in others):
                return None
            return [], f"{_shown(value)} is not {shown}"

        return check

    def _ref(self, reference: str, schema: dict[str, Any]) -> Check:
        return self.ref(reference)

    def _allof(self, schemas: list[Any], schema: dict[str, Any]) -> Check:
        checks = [self.compile(sub) for sub in schemas]

        def check(value: Any) -> Problem | None:
            for sub in checks:
                problem = sub(value)
                if problem is not None:
                    return problem
            return None

        return check

    def _anyof(self, schemas: list[Any], schema: dict[str, Any]) -> Check:
        checks = [self.compile(sub) for sub in schemas]

        def check(value: Any) -> Problem | None:
            problems = []
            for sub in checks:
                problem = sub(value)
                if problem is None:
                    return None
                problems.append(problem)
            return _closest(problems)

        return check

    def _oneof(self, schemas: list[Any], schema: dict[str, Any]) -> Check:
        checks = [self.compile(sub) for sub in schemas]

        def check(value: Any) -> Problem | None:
            problems = [sub(value) for sub in checks]
            passed = sum(problem is None for problem in problems)
            if passed == 1:
                return None
            if passed == 0:
                return _closest([p for p in problems if p is not None])
            return [], "matches more than one of the allowed forms"

        return check

    def _not(self, sub_schema: Any, schema: dict[str, Any]) -> Check:
        sub = self.compile(sub_schema)

        def check(value: Any) -> Problem | None:
            return ([], "matches a form that is not allowed") if sub(value) is None else None

        return check

    def _if(self, condition: Any, schema: dict[str, Any]) -> Check:
        test = self._discriminator(condition) or _passes(self.compile(condition))
        then = self.compile(schema["then"]) if "then" in schema else None
        otherwise = self.compile(schema["else"]) if "else" in schema else None

        def check(value: Any) -> Problem | None:
            branch = then if test(value) else otherwise
            return None if branch is None else branch(value)

        return check

    @staticmethod
    def _discriminator(condition: Any) -> Callable[[Any], bool] | None:
        """A fast test for the common `if: {properties: {name: {enum|const: strings}}}`.

        Same meaning as the schema: true for a non-object or an object without `name`.
        """
        if not isinstance(condition, dict) or set(condition) != {"properties"}:
            return None
        properties = condition["properties"]
        if len(properties) != 1:
            return None
        ((name, sub),) = properties.items()
        if not isinstance(sub, dict) or len(sub) != 1:
            return None
        choices = sub.get("enum", [sub["const"]] if "const" in sub else None)
        if not choices or not all(isinstance(choice, str) for choice in choices):
            return None
        allowed = frozenset(choices)

        def test(value: Any) -> bool:
            if not isinstance(value, dict) or name not in value:
                return True
            found = value[name]
            return isinstance(found, str) and found in allowed

        return test

    # -- objects ---------------------------------------------------------------------------

    def _properties(self, properties: dict[str, Any], schema: dict[str, Any]) -> Check:
        checks = {name: self.compile(sub) for name, sub in properties.items()}
        items = list(checks.items())

        def check(value: Any) -> Problem | None:
            if not isinstance(value, dict):
                return None
            for name, sub in items:
                if name in value:
                    problem = sub(value[name])
                    if problem is not None:
                        problem[0].append(name)
                        return problem
            return None

        return check

    def _required(self, names: list[str], schema: dict[str, Any]) -> Check:
        def check(value: Any) -> Problem | None:
            if not isinstance(value, dict):
                return None
            for name in names:
                if name not in value:
                    return [], f"{name!r} is a required property"
            return None

        return check

    def _additionalproperties(self, allowed: Any, schema: dict[str, Any]) -> Check:
        known = frozenset(schema.get("properties", {}))
        sub = self.compile(allowed)

        def check(value: Any) -> Problem | None:
            if not isinstance(value, dict):
                return None
            for name in value:
                if name not in known:
                    problem = sub(value[name])
                    if problem is not None:
                        if allowed is False:
                            return [], f"unexpected property {_shown(name)}"
                        problem[0].append(name)
                        return problem
            return None

        return check

    def _maxproperties(self, limit: int, schema: dict[str, Any]) -> Check:
        def check(value: Any) -> Problem | None:
            if isinstance(value, dict) and len(value) > limit:
                return [], f"has more than {limit} properties"
            return None

        return check

    # -- arrays ----------------------------------------------------------------------------

    def _items(self, item_schema: Any, schema: dict[str, Any]) -> Check:
        sub = self.compile(item_schema)

        def check(value: Any) -> Problem | None:
            if not isinstance(value, list):
                return None
            for index, item in enumerate(value):
                problem = sub(item)
                if problem is not None:
                    problem[0].append(index)
                    return problem
            return None

        return check

    def _uniqueitems(self, unique: bool, schema: dict[str, Any]) -> Check | None:
        if not unique:
            return None

        def check(value: Any) -> Problem | None:
            if not isinstance(value, list):
                return None
            if all(isinstance(item, str) for item in value):
                duplicated = len(set(value)) != len(value)
            else:
                duplicated = any(
                    _json_equal(first, second)
                    for index, first in enumerate(value)
                    for second in value[index + 1 :]
                )
            return ([], "has non-unique elements") if duplicated else None

        return check

    # -- strings and numbers ---------------------------------------------------------------

    def _pattern(self, pattern: str, schema: dict[str, Any]) -> Check:
        search = re.compile(pattern).search

        def check(value: Any) -> Problem | None:
            if isinstance(value, str) and search(value) is None:
                return [], f"{_shown(value)} does not match {pattern!r}"
            return None

        return check

    def _minlength(self, limit: int, schema: dict[str, Any]) -> Check:
        def check(value: Any) -> Problem | None:
            if isinstance(value, str) and len(value) < limit:
                return [], f"is shorter than {limit} characters"
            return None

        return check

    def _minimum(self, limit: float, schema: dict[str, Any]) -> Check:
        def check(value: Any) -> Problem | None:
            if _is_number(value) and value < limit:
                return [], f"{value} is less than the minimum of {limit}"
            return None

        return check

    def _maximum(self, limit: float, schema: dict[str, Any]) -> Check:
        def check(value: Any) -> Problem | None:
            if _is_number(value) and value > limit:
                return [], f"{value} is greater than the maximum of {limit}"
            return None

        return check


def _passes(check: Check) -> Callable[[Any], bool]:
    return lambda value: check(value) is None


def _closest(problems: list[Problem]) -> Problem:
    """Of the alternatives' problems, the one that got deepest (the likeliest intended form)."""
    return max(problems, key=lambda problem: len(problem[0]))


def compile_schema(schema: dict[str, Any]) -> Check:
    """A checker for `schema`: returns None when valid, else (path innermost first, message)."""
    return _Compiler(schema).compile(schema)


def format_path(root: str, segments: list[str | int]) -> str:
    """`root[3].key` from the innermost-first segments of a Problem."""
    return root + "".join(
        f"[{segment}]" if isinstance(segment, int) else f".{segment}"
        for segment in reversed(segments)
    )
