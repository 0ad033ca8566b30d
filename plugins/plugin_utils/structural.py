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
from functools import partial
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


# ---- the accepting path, generated as Python source --------------------------------------------
#
# On a valid document (the normal case) the closures above cost one Python call per keyword and
# value. `compile_accept` turns the same schema into the source of plain functions (one per
# $defs entry, loops and tests inline) that only answer valid or not; the closures run only on
# a refused document, to name the problem. Keywords it does not inline call the closure of that
# keyword, so both answer alike on every document (tests/unit/host/test_structural.py).
#
# What keeps a real host's reply cheap (one Python-level visit per value, no call for most):
# a required member is read without testing that it is there; all-required closed objects
# compare their member names once; `if`s of an allOf that test one member (the `type` of a
# value) look it up once; a string that matched a pattern is remembered (names repeat in every
# filter), so a pattern costs one set lookup; exact-type tests (`type(x) is int`) come before
# the general ones; uniqueItems runs only on lists of two items or more; `null` alternatives
# are tested first. A type test's result is used only inside the branch that made it.

Accept = Callable[[Any], bool]

_MAX_INLINE_DEPTH: Final = 4
_MAX_REMEMBERED: Final = 4096
_SIMPLE_TYPES: Final = {"object": "dict", "array": "list", "string": "str"}
_NUMERIC: Final = "number"  # a `_known` mark: an int or float that is not a bool
_ABSENT: Final = object()  # a discriminator member that is absent (or not in an object)
_OTHER: Final = object()  # a discriminator member that is not a string


def _learner(search: Callable[[str], Any], matched: set[str]) -> Callable[[str], bool]:
    """Whether a string not seen before matches (remembered when it does, up to a bound)."""

    def learn(value: str) -> bool:
        if search(value) is None:
            return False
        if len(matched) < _MAX_REMEMBERED:
            matched.add(value)
        return True

    return learn


def _type_tests(names: list[str], var: str) -> str:
    """A Python expression: `var` is of one of the JSON types `names`. The exact-type tests of
    the numbers a JSON parser makes come first; the general ones keep the meaning for any other
    value (a bool is not an integer, 1.0 is)."""
    fast = [f"type({var}) is int" for name in names if name in ("integer", "number")]
    fast += [f"type({var}) is float" for name in names if name == "number"]
    return " or ".join(dict.fromkeys(fast + [_type_test(name, var) for name in names]))


def _type_test(name: str, var: str) -> str:
    """A Python expression: `var` is of JSON type `name`."""
    if name in _SIMPLE_TYPES:
        return f"isinstance({var}, {_SIMPLE_TYPES[name]})"
    if name == "null":
        return f"{var} is None"
    if name == "boolean":
        return f"({var} is True or {var} is False)"
    if name == "integer":  # _is_integer
        return (
            f"(isinstance({var}, int) and not isinstance({var}, bool)) "
            f"or (isinstance({var}, float) and {var}.is_integer())"
        )
    return f"(isinstance({var}, (int, float)) and not isinstance({var}, bool))"  # _is_number


def colons(document: Any) -> int:
    """The ':' a JSON text of `document` holds outside escapes: one per object member plus those
    inside its strings (member names included)."""
    total = 0
    stack = [document]
    for value in stack:  # grows while it is read
        if isinstance(value, str):
            total += value.count(":")
        elif isinstance(value, dict):
            total += len(value) + "".join(value).count(":")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return total


def _colon_free(pattern: str) -> bool:
    """Whether no string that matches `pattern` holds a ':', by a cautious reading of it
    (anchored; literals, groups and classes only). The counting root does not count the ':'
    of such strings; a wrong "yes" would only make it count too few, which is always safe."""
    body = pattern.replace("(?:", "(")
    if not (body.startswith("^") and body.endswith("$")) or any(c in body for c in ":\\."):
        return False
    if "[^" in body or any(a <= ":" <= b for a, b in re.findall(r"(.)-(.)", body)):
        return False
    depth = 0
    for char in body:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:  # ^a|b$: a search finds b anywhere
            return False
    return True


_SCALARS: Final = frozenset({"string", "integer", "number", "boolean", "null"})


class _Generator:
    def __init__(self, root: dict[str, Any]) -> None:
        self._closures = _Compiler(root)
        self._defs: dict[str, Any] = root.get("$defs", {})
        self.namespace: dict[str, Any] = {"_ABSENT": _ABSENT, "_OTHER": _OTHER, "_colons": colons}
        self.functions: dict[str, list[str]] = {}
        self._counter = 0
        # $defs entries are inlined where they are used (no call per value), except inside
        # themselves (a recursive $ref is a call) and beyond a small depth (code size).
        self._inlining: list[str] = []
        self._generating: list[str] = []
        # variable -> Python type (or _NUMERIC) a type test established on the current path;
        # saved and restored around every branch (a function, an alternative, then/else).
        self._known: dict[str, str] = {}
        # The counting root (compile_accept_counting): what an invalid value returns, whether
        # the code being generated counts (the root's own path: no branch, no call), and what
        # each variable's count already holds ("own" ':' or members, ("member", name),
        # "items", or "all" of it), so that nothing is counted twice.
        self._fail = "False"
        self._counting = False
        self._claims: dict[str, set[Any]] = {}

    def _claim(self, var: str, part: Any) -> bool:
        """Whether the counting code may count `part` of `var` here (it then has)."""
        if not self._counting:
            return False
        claims = self._claims.setdefault(var, set())
        if "all" in claims or part in claims or (part == "all" and claims):
            return False
        claims.add(part)
        return True

    def _not_counting(self, generate: Callable[[], list[str]]) -> list[str]:
        counting, self._counting = self._counting, False
        try:
            return generate()
        finally:
            self._counting = counting

    def _is(self, var: str, python_type: str) -> str:
        """`isinstance(var, python_type)`, or True when an earlier test established it."""
        return (
            "True" if self._known.get(var) == python_type else f"isinstance({var}, {python_type})"
        )

    @staticmethod
    def _when(guard: str, test: str) -> str:
        """`guard and test`, without a guard known to be true."""
        return test if guard == "True" else f"{guard} and {test}"

    def _number(self, var: str) -> str:
        """`var` is an int or float and not a bool (True when a type test established it)."""
        if self._known.get(var) == _NUMERIC:
            return "True"
        return f"(isinstance({var}, (int, float)) and not isinstance({var}, bool))"

    def _name(self, prefix: str, value: Any = None) -> str:
        self._counter += 1
        name = f"_{prefix}{self._counter}"
        if value is not None:
            self.namespace[name] = value
        return name

    def function(self, schema: Any, name: str | None = None) -> str:
        """The name of a generated `def name(v): ... return True` for `schema`."""
        name = name or self._name("accept")
        self.functions[name] = []  # reserved first: a $ref may come back to it
        self._generating.append(name)
        known, self._known = self._known, {}
        fail, self._fail = self._fail, "False"
        body = self._not_counting(lambda: self.block(schema, "v", "    "))
        self._known, self._fail = known, fail
        self._generating.pop()
        self.functions[name] = [f"def {name}(v):", *body, "    return True"]
        return name

    def counting_root(self, schema: Any, name: str) -> str:
        """`def name(v)`: -1 when `v` is not valid against `schema`, else a count of the ':' a
        JSON text of `v` holds that is never more than `colons(v)` (equal for the schema's usual
        shapes: whatever it cannot place is left out)."""
        self.functions[name] = []
        self._fail, self._counting = "-1", True
        body = self.block(schema, "v", "    ")
        if self._claim("v", "all"):  # nothing counted it (a schema that fixes no shape)
            body.append("    n += _colons(v)")
        self._fail, self._counting = "False", False
        self.functions[name] = [f"def {name}(v):", "    n = 0", *body, "    return n"]
        return name

    def _inlines(self, name: str) -> bool:
        inside = self._inlining + [n[len("_def_") :] for n in self._generating]
        return name not in inside and len(self._inlining) < _MAX_INLINE_DEPTH

    def ref(self, reference: str) -> str:
        self._closures.ref(reference)  # the same checks (and errors) as the closures
        name = "_def_" + re.sub(r"\W", "_", reference[len("#/$defs/") :])
        if name not in self.functions:
            self.function(self._defs[reference[len("#/$defs/") :]], name)
        return name

    def expression(self, schema: Any, var: str, seen: frozenset[str] = frozenset()) -> str | None:
        """An inline boolean expression for a simple schema (None: not simple)."""
        if schema is True:
            return "True"
        if not isinstance(schema, dict):
            return None
        keywords = set(schema) - _ANNOTATIONS
        if keywords == {"$ref"} and schema["$ref"].startswith("#/$defs/"):
            name = schema["$ref"][len("#/$defs/") :]
            if name in self._defs and name not in seen:
                self._closures.ref(schema["$ref"])
                return self.expression(self._defs[name], var, seen | {name})
            return None
        if keywords == {"type"}:
            names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if all(name in _TYPES for name in names):
                return f"({_type_tests(names, var)})"
        if keywords == {"type", "pattern"} and schema["type"] == "string":
            search = re.compile(schema["pattern"]).search
            matched: set[str] = set()
            learn = self._name("learn", _learner(search, matched))
            remembered = self._name("matched", matched)
            return f"(isinstance({var}, str) and ({var} in {remembered} or {learn}({var})))"
        if keywords in ({"enum"}, {"const"}):
            choices = schema["enum"] if "enum" in schema else [schema["const"]]
            return self._choices(choices, var)
        return None

    def _choices(self, choices: list[Any], var: str) -> str | None:
        """enum/const of strings, true, false and null (JSON equality: `is` for the constants)."""
        if not all(isinstance(c, str) or c is None or isinstance(c, bool) for c in choices):
            return None
        tests = [f"{var} is {c!r}" for c in (None, True, False) if any(x is c for x in choices)]
        strings = frozenset(choice for choice in choices if isinstance(choice, str))
        if strings:
            tests.append(f"(isinstance({var}, str) and {var} in {self._name('enum', strings)})")
        return "(" + " or ".join(tests) + ")" if tests else "False"

    def test(self, schema: Any, var: str) -> str:
        """A boolean expression: `var` is valid against `schema`."""
        simple = self.expression(schema, var)
        if simple is not None:
            return simple
        if isinstance(schema, dict) and set(schema) - _ANNOTATIONS == {"$ref"}:
            return f"{self.ref(schema['$ref'])}({var})"
        return f"{self.function(schema)}({var})"

    def block(self, schema: Any, var: str, indent: str) -> list[str]:
        """Statements that `return False` when `var` is not valid against `schema`."""
        if schema is True:
            return []
        if schema is False or not isinstance(schema, dict):
            return [f"{indent}if {self._closure(schema)}({var}) is not None: return {self._fail}"]
        self._closures.compile(schema)  # refuses unsupported keywords exactly as before
        lines: list[str] = []
        keywords = [keyword for keyword in schema if keyword in _SUPPORTED]
        if "type" in keywords:  # first: the other tests then know the type
            keywords.remove("type")
            lines += self._keyword("type", schema, var, indent)
            expected = schema["type"]
            names = [expected] if isinstance(expected, str) else list(expected)
            counted = not _colon_free(schema.get("pattern", ""))
            if "string" in names and self._claim(var, "own") and counted:
                count = f"n += {var}.count(':')"
                lines.append(
                    f"{indent}{count}"
                    if names == ["string"]
                    else f"{indent}if isinstance({var}, str): {count}"
                )
            if len(names) == 1 and names[0] in _SIMPLE_TYPES:
                self._known[var] = _SIMPLE_TYPES[names[0]]
            elif names and set(names) <= {"integer", "number"}:
                self._known[var] = _NUMERIC
        if any(k in keywords for k in ("properties", "required", "additionalProperties")):
            lines += self._object(schema, var, indent)
        bounded = "minimum" in keywords and "maximum" in keywords
        if bounded:
            lines += self._bounds(schema["minimum"], schema["maximum"], var, indent)
        for keyword in keywords:
            if keyword in _FUSED_OBJECT - {"type"} or keyword in ("then", "else"):
                continue
            if bounded and keyword in ("minimum", "maximum"):
                continue
            lines += self._keyword(keyword, schema, var, indent)
        return lines

    def _closure(self, schema: Any) -> str:
        return self._name("closure", self._closures.compile(schema))

    def _bounds(self, low: Any, high: Any, var: str, indent: str) -> list[str]:
        if not (_is_number(low) and _is_number(high)):
            return self._keyword("minimum", {"minimum": low}, var, indent) + self._keyword(
                "maximum", {"maximum": high}, var, indent
            )
        test = self._when(self._number(var), f"({var} < {low!r} or {var} > {high!r})")
        return [f"{indent}if {test}: return {self._fail}"]

    def _keyword(self, keyword: str, schema: dict[str, Any], var: str, indent: str) -> list[str]:
        value = schema[keyword]
        if keyword == "type":
            names = [value] if isinstance(value, str) else list(value)
            return [f"{indent}if not ({_type_tests(names, var)}): return {self._fail}"]
        if keyword == "pattern":
            # Strings that matched are remembered (layer, field and type names repeat in every
            # filter), up to a bound: a regex search only for a string not seen before.
            matched: set[str] = set()
            learn = self._name("learn", _learner(re.compile(value).search, matched))
            remembered = self._name("matched", matched)
            test = self._when(self._is(var, "str"), f"{var} not in {remembered}")
            return [f"{indent}if {test} and not {learn}({var}): return {self._fail}"]
        if keyword in ("enum", "const"):
            choices = value if keyword == "enum" else [value]
            choice = self._choices(choices, var)
            if choice is not None:
                lines = [f"{indent}if not {choice}: return {self._fail}"]
                colon = any(":" in c for c in choices if isinstance(c, str))
                if colon and self._claim(var, "own"):
                    lines.append(f"{indent}if isinstance({var}, str): n += {var}.count(':')")
                return lines
        if keyword == "maxProperties":
            test = self._when(self._is(var, "dict"), f"len({var}) > {int(value)}")
            return [f"{indent}if {test}: return {self._fail}"]
        if keyword == "minLength":
            test = self._when(self._is(var, "str"), f"len({var}) < {int(value)}")
            return [f"{indent}if {test}: return {self._fail}"]
        if keyword in ("minimum", "maximum") and _is_number(value):
            compare = "<" if keyword == "minimum" else ">"
            test = self._when(self._number(var), f"{var} {compare} {value!r}")
            return [f"{indent}if {test}: return {self._fail}"]
        if keyword == "uniqueItems":
            if not value:
                return []
            check = self._name("keyword", self._closures._keyword(keyword, schema))
            test = self._when(self._is(var, "list"), f"len({var}) > 1")
            return [f"{indent}if {test} and {check}({var}) is not None: return {self._fail}"]
        if keyword == "not":
            return self._isolated(
                lambda: [f"{indent}if {self.test(value, var)}: return {self._fail}"]
            )
        if keyword == "$ref":
            name = value[len("#/$defs/") :]
            if value.startswith("#/$defs/") and name in self._defs and self._inlines(name):
                self._inlining.append(name)
                try:
                    return self.block(self._defs[name], var, indent)
                finally:
                    self._inlining.pop()
            return [
                f"{indent}if not {self.ref(value)}({var}): return {self._fail}",
                *self._count_all(var, indent),
            ]
        if keyword == "items":
            item = self._name("item")
            body = self._counted(self._claim(var, "items"), value, item, indent + "        ")
            return [
                f"{indent}if {self._is(var, 'list')}:",
                f"{indent}    for {item} in {var}:",
                *(body or [f"{indent}        pass"]),
            ]
        if keyword == "allOf":
            return self._all_of(value, var, indent)
        if keyword == "anyOf":
            return self._isolated(lambda: self._any_of(value, var, indent))
        if keyword == "if":
            return self._if(schema, var, indent, None)
        keyword_check = self._closures._keyword(keyword, schema)
        if keyword_check is None:
            return []
        return [
            f"{indent}if {self._name('keyword', keyword_check)}({var}) is not None: return {self._fail}"
        ]

    def _isolated(self, generate: Callable[[], list[str]]) -> list[str]:
        """Lines generated with what is known now, which they leave unchanged (a branch)."""
        known = dict(self._known)
        try:
            return generate()
        finally:
            self._known = known

    def _any_of(self, schemas: list[Any], var: str, indent: str) -> list[str]:
        # Any order gives the same answer: the cheap null test first, then as written.
        ordered = sorted(schemas, key=lambda sub: self.expression(sub, var) != f"({var} is None)")
        alternatives = [self.test(sub, var) for sub in ordered]
        lines = [f"{indent}if not ({' or '.join(alternatives)}): return {self._fail}"]
        kinds = [self._scalar(sub, frozenset()) for sub in schemas]
        if None in kinds or not self._claim(var, "all"):
            return lines + self._count_all(var, indent)
        if "string" in kinds:  # never a list or an object: only a string has ':' to count
            lines.append(f"{indent}if isinstance({var}, str): n += {var}.count(':')")
        return lines

    def _scalar(self, schema: Any, seen: frozenset[str]) -> str | None:
        """For a schema whose values are never lists or objects: "string" when such a value
        may hold a ':', else "none"; None for any other schema."""
        if not isinstance(schema, dict):
            return None
        keywords = set(schema) - _ANNOTATIONS
        if keywords == {"$ref"} and schema["$ref"].startswith("#/$defs/"):
            name = schema["$ref"][len("#/$defs/") :]
            if name not in self._defs or name in seen:
                return None
            return self._scalar(self._defs[name], seen | {name})
        if keywords == {"anyOf"}:
            kinds = [self._scalar(sub, seen) for sub in schema["anyOf"]]
            return None if None in kinds else "string" if "string" in kinds else "none"
        if "enum" in schema or "const" in schema:
            choices = schema.get("enum", [schema.get("const")])
            if any(isinstance(c, dict | list) for c in choices):
                return None
            return "string" if any(":" in c for c in choices if isinstance(c, str)) else "none"
        kind = schema.get("type")
        names = {kind} if isinstance(kind, str) else set(kind or ())
        if not names or not names <= _SCALARS:
            return None
        if "string" in names and not _colon_free(schema.get("pattern", "")):
            return "string"
        return "none"

    def _count_all(self, var: str, indent: str) -> list[str]:
        """The counting root: all of `var` when nothing counted a part of it yet."""
        return [f"{indent}n += _colons({var})"] if self._claim(var, "all") else []

    def _counted(self, counts: bool, schema: Any, var: str, indent: str) -> list[str]:
        """`block`, counting only when `counts` (the counting root's first look at `var`)."""
        if counts:
            return self.block(schema, var, indent)
        return self._not_counting(lambda: self.block(schema, var, indent))

    def _all_of(self, schemas: list[Any], var: str, indent: str) -> list[str]:
        """The schemas in turn; `if`s that test one member's string value (the discriminator)
        share one lookup of it."""
        member = self._shared_discriminator(schemas)
        if member is None:
            return [line for sub in schemas for line in self.block(sub, var, indent)]
        found = self._name("d")
        lookup = f"{var}.get({member!r}, _ABSENT)"
        mapping = self._is(var, "dict")
        lines = [
            f"{indent}{found} = {lookup if mapping == 'True' else f'{lookup} if {mapping} else _ABSENT'}",
            f"{indent}if {found} is not _ABSENT and not isinstance({found}, str): {found} = _OTHER",
        ]
        choices = [self._if_choices(sub) for sub in schemas]
        disjoint = sum(map(len, choices)) == len(frozenset().union(*choices))
        if not disjoint or any("else" in sub for sub in schemas):
            for sub in schemas:
                lines += self._if(sub, var, indent, found)
            return lines
        # At most one `if` holds for a string: one chain (all of them when the member is absent).
        every = self._isolated(
            lambda: [line for sub in schemas for line in self._then(sub, var, indent + "    ")]
        )  # (a then is a branch: it never counts)
        chain = [f"{indent}if {found} is _ABSENT:", *(every or [f"{indent}    pass"])]
        for sub, allowed in zip(schemas, choices, strict=True):
            then = self._isolated(partial(self._then, sub, var, indent + "    "))
            if then:
                chain += [f"{indent}elif {found} in {self._name('enum', allowed)}:", *then]
        return lines + chain

    @staticmethod
    def _if_choices(schema: dict[str, Any]) -> frozenset[str]:
        """The strings a discriminator `if` (see _Compiler._discriminator) accepts."""
        ((sub,),) = [schema["if"]["properties"].values()]
        return frozenset(sub.get("enum", [sub.get("const")]))

    def _then(self, schema: dict[str, Any], var: str, indent: str) -> list[str]:
        self._closures.compile(schema)
        return self._counted(False, schema.get("then", True), var, indent)

    def _shared_discriminator(self, schemas: list[Any]) -> str | None:
        """The member every schema's `if` tests (each schema only if/then/else), else None."""
        members = set()
        for sub in schemas:
            if not isinstance(sub, dict) or "if" not in sub:
                return None
            if set(sub) - _ANNOTATIONS - {"if", "then", "else"}:
                return None
            if self._closures._discriminator(sub["if"]) is None:
                return None
            members.add(next(iter(sub["if"]["properties"])))
        return members.pop() if len(schemas) > 1 and len(members) == 1 else None

    def _if(self, schema: dict[str, Any], var: str, indent: str, found: str | None) -> list[str]:
        """if/then/else; `found` holds the discriminator member already looked up."""
        self._closures.compile(schema)
        condition = schema["if"]
        test = self._discriminator(condition, var, found)
        if test is None:
            closure = self._closures.compile(condition)
            test = f"{self._name('if', closure)}({var}) is None"
        then = self._isolated(
            lambda: self._counted(False, schema.get("then", True), var, indent + "    ")
        )
        otherwise = self._isolated(
            lambda: self._counted(False, schema.get("else", True), var, indent + "    ")
        )
        if not then and not otherwise:
            return []
        return [
            f"{indent}if {test}:",
            *(then or [f"{indent}    pass"]),
            f"{indent}else:",
            *(otherwise or [f"{indent}    pass"]),
        ]

    def _discriminator(self, condition: Any, var: str, found: str | None) -> str | None:
        """`_Compiler._discriminator` as an inline expression (None: not of that form)."""
        if self._closures._discriminator(condition) is None:
            return None
        ((name, sub),) = condition["properties"].items()
        allowed = self._name("enum", frozenset(sub.get("enum", [sub.get("const")])))
        if found is not None:  # _ABSENT: true; _OTHER (not a string): in no string set
            return f"({found} is _ABSENT or {found} in {allowed})"
        item = f"{var}[{name!r}]"
        mapping = self._is(var, "dict")
        absent = (
            f"{name!r} not in {var}"
            if mapping == "True"
            else f"not {mapping} or {name!r} not in {var}"
        )
        return f"({absent} or (isinstance({item}, str) and {item} in {allowed}))"

    def _object(self, schema: dict[str, Any], var: str, indent: str) -> list[str]:
        """properties, required and additionalProperties, inline."""
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        additional = schema.get("additionalProperties", True)
        lines = [f"{indent}if {self._is(var, 'dict')}:"]
        inner = indent + "    "
        if additional is False and set(required) == set(properties):
            names = self._name("names", frozenset(properties))
            lines.append(f"{inner}if {var}.keys() != {names}: return {self._fail}")
        else:
            if 0 < len(required) <= 3:  # a few `in` tests cost less than a subset test
                missing = " or ".join(f"{name!r} not in {var}" for name in required)
                lines.append(f"{inner}if {missing}: return {self._fail}")
            elif required:
                names = self._name("required", frozenset(required))
                lines.append(f"{inner}if not {names} <= {var}.keys(): return {self._fail}")
            if additional is False:
                known = self._name("known", frozenset(properties))
                lines.append(f"{inner}if not {var}.keys() <= {known}: return {self._fail}")
            elif additional is not True:
                check = self._closures._keyword("additionalProperties", schema)
                lines.append(f"{inner}if {self._name('keyword', check)}({var}) is not None:")
                lines.append(f"{inner}    return {self._fail}")
        if self._claim(var, "own"):  # members, and the ':' of names not fixed by the schema
            named = additional is False and not any(":" in name for name in properties)
            names_count = "" if named else f" + ''.join({var}).count(':')"
            lines.append(f"{inner}n += len({var}){names_count}")
        for name, sub in properties.items():
            value_var = self._name("v")
            present = name in required  # tested above: read without looking first
            counts = self._claim(var, ("member", name))
            body = self._counted(counts, sub, value_var, inner + ("" if present else "    "))
            if not body:
                continue
            if present:
                lines += [f"{inner}{value_var} = {var}[{name!r}]", *body]
            else:
                lines += [
                    f"{inner}if {name!r} in {var}:",
                    f"{inner}    {value_var} = {var}[{name!r}]",
                    *body,
                ]
        return lines if len(lines) > 1 else []


def compile_accept(schema: dict[str, Any]) -> Accept:
    """Whether a value is valid against `schema`: the same answer as `compile_schema(schema)`
    (None or not), from generated code (see above)."""
    generator = _Generator(schema)
    root = generator.function(schema, "_root")
    source = "\n".join(line for lines in generator.functions.values() for line in lines)
    exec(compile(source, "<structural accept>", "exec"), generator.namespace)
    accept: Accept = generator.namespace[root]
    return accept


def compile_accept_counting(schema: dict[str, Any]) -> Callable[[Any], int]:
    """-1 when a value is not valid against `schema` (the answer of `compile_accept`), else a
    count of the ':' its JSON text holds, at most `colons(value)` and equal to it wherever the
    schema fixes the value's shape: strict_json.py compares it with the reply's text to find a
    member given twice without a Python call per object."""
    generator = _Generator(schema)
    root = generator.counting_root(schema, "_root_counting")
    source = "\n".join(line for lines in generator.functions.values() for line in lines)
    exec(compile(source, "<structural accept counting>", "exec"), generator.namespace)
    count: Callable[[Any], int] = generator.namespace[root]
    return count
