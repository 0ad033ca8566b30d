"""Module options checked the way every Ansible module's are, from the module's DOCUMENTATION.

The argument spec is derived from the YAML `options` of a module's DOCUMENTATION (the text
ansible-doc and validate-modules read), parsed once per controller process. Values go through
ansible-core's own `ArgumentSpecValidator`, so strings from `-e`, AWX surveys and templates become
ints, bools, lists and dicts as in any module. Around it, this module adds what users of a
serious collection expect: every problem names the option path and the fix in plain words,
unknown options get a "did you mean", choices accept any case, and no input raises anything but
a list of problems.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import reprlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from .datacopy import copied
from .redaction import redact

# Deeper values are refused before anything walks them (real declarations nest about 10 deep).
MAX_DEPTH: Final = 32
_SPEC_KEYS: Final = ("type", "elements", "no_log")
_TYPE_WORDS: Final = {
    "int": ("a whole number", "write a number such as 8443"),
    "bool": ("true or false", "use true or false (yes/no also work)"),
    "str": ("a string", "write it as text, quoted if needed"),
    "list": ("a list", "give a list such as [a, b], or a single value"),
    "dict": ("a mapping of options", "indent its options under it (option: value)"),
    "raw": ("a value", "give a value"),
}
_INTEGER_TEXT: Final = re.compile(r"\s*[-+]?\d{1,30}(\.0*)?\s*")
_MODULES: Final = Path(__file__).resolve().parent.parent / "modules"
_SHOW = reprlib.Repr(maxstring=60, maxother=60, maxlevel=2, maxlist=4, maxdict=4)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class Constraint:
    """What DOCUMENTATION cannot say: integer ranges, non-empty and duplicate-free lists, a
    parser that checks and normalises a value (raises ValueError with the fix), a short form
    rewritten into the documented one before conversion (`shorthand`, ValueError likewise), and
    `no_log` (the argument-spec key the documentation schema does not allow)."""

    low: int | None = None
    high: int | None = None
    non_empty: bool = False
    unique: bool = False
    parse: Callable[[Any], Any] | None = None
    no_log: bool = False
    shorthand: Callable[[Any], Any] | None = None


@dataclass
class Checked:
    """Converted options (None when a problem was found) and every problem."""

    values: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


@cache
def module_options(module: str) -> dict[str, Any]:
    """The `options` of plugins/modules/<module>.py's DOCUMENTATION (parsed once per process)."""
    tree = ast.parse((_MODULES / f"{module}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "DOCUMENTATION"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            options: dict[str, Any] = yaml.load(node.value.value, Loader=loader)["options"]
            return options
    raise LookupError(f"plugins/modules/{module}.py has no DOCUMENTATION")


def argument_spec(options: Mapping[str, Any]) -> dict[str, Any]:
    """An Ansible argument spec from documented options (suboptions become options)."""
    spec: dict[str, Any] = {}
    for name, doc in options.items():
        option = {key: doc[key] for key in (*_SPEC_KEYS, "choices", "required") if key in doc}
        option.setdefault("type", "str")
        if "suboptions" in doc:
            option["options"] = argument_spec(doc["suboptions"])
        spec[name] = option
    return spec


# Values that are never containers, tested by concrete type: an abstract Mapping test of a type
# the process has not met yet (Ansible's tagged strings and numbers, in each forked worker)
# walks every registered mapping class.
_LEAVES: Final = (str, int, float, bytes, type(None))


def _is_mapping(value: Any) -> bool:
    return isinstance(value, (dict, Mapping))  # dict first: no abstract test for a dict


def _is_container(value: Any) -> bool:
    return isinstance(value, list | tuple | set) or _is_mapping(value)


def depth_problem(value: Any, path: str = "") -> Problem | None:
    """A problem when `value` nests deeper than MAX_DEPTH (checked without recursion)."""
    stack: list[tuple[Any, int, str]] = [(value, 0, path)]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            shown = where if len(where) <= 80 else where[:77] + "..."
            return Problem(
                shown, f"nested more than {MAX_DEPTH} levels deep; no option takes such a value"
            )
        if isinstance(item, _LEAVES):
            continue
        if _is_mapping(item):
            stack.extend((v, depth + 1, join(where, str(k))) for k, v in item.items())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(item))
    return None


def show(value: Any) -> str:
    """A short, safe rendering of a value for a message: authentication keys masked before the
    value is shortened (a shortened key could not be recognised and masked afterwards)."""
    try:
        return _SHOW.repr(redact(value))
    except Exception:  # a value whose repr fails is still reported
        return f"a {type(value).__name__}"


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def join_index(path: str, index: int | None) -> str:
    return path if index is None else f"{path}[{index}]"


class ShortFormError(ValueError):
    """A short form that means nothing; `index` names the list item at fault (None: all)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def pattern_of(path: str) -> str:
    """An option path with list indices as `[]` (the key of constraint tables)."""
    return re.sub(r"\[\d+\]", "[]", path)


class OptionChecker:
    """Checks and converts options against one argument spec."""

    def __init__(
        self, spec: Mapping[str, Any], constraints: Mapping[str, Constraint] | None = None
    ) -> None:
        self.spec = spec
        self.constraints = constraints or {}
        self._validators: dict[str, Any] = {}
        self._paths = dict(_all_paths(spec))

    def check(self, values: Any) -> Checked:
        problems: list[Problem] = []
        secrets: set[str] = set()
        deep = depth_problem(values)
        if deep:
            return Checked(None, [deep])
        if not _is_mapping(values):
            return Checked(None, [Problem("", f"options must be a mapping, got {show(values)}")])
        converted = self._mapping(self.spec, values, "", problems, secrets)
        return Checked(None if problems else converted, problems, secrets)

    # -- one mapping of options -------------------------------------------------------------
    def _mapping(
        self,
        spec: Mapping[str, Any],
        values: Mapping[Any, Any],
        path: str,
        problems: list[Problem],
        secrets: set[str],
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name in values:
            if not isinstance(name, str):
                problems.append(
                    Problem(path, f"option name {show(name)} is not text; quote it or remove it")
                )
            elif name not in spec:
                problems.append(Problem(join(path, name), self._unknown(name, spec, path)))
        for name, option in spec.items():
            value = values.get(name)
            option_path = join(path, name)
            if value is None:
                if option.get("required"):
                    problems.append(Problem(option_path, f"is required; set {name}"))
                elif name in values:
                    result[name] = None
                continue
            converted = self._value(option, value, option_path, problems, secrets)
            if converted is not _INVALID:
                result[name] = converted
        return result

    def _unknown(self, name: str, spec: Mapping[str, Any], path: str) -> str:
        valid = sorted(spec)
        text = f"unknown option {name!r}"
        elsewhere = [p for p, leaf in self._paths.items() if leaf == name and p != join(path, name)]
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
        if close:
            text += f"; did you mean {close[0]!r}?"
        elif elsewhere:
            text += f"; it belongs under {elsewhere[0].rsplit('.', 1)[0]} (check the indentation)"
        return text + f" (valid options here: {', '.join(valid)})"

    # -- one option value ---------------------------------------------------------------------
    def _value(
        self,
        option: Mapping[str, Any],
        value: Any,
        path: str,
        problems: list[Problem],
        secrets: set[str],
    ) -> Any:
        wanted = option.get("type", "str")
        constraint = self.constraints.get(pattern_of(path))
        secret = bool(option.get("no_log")) or bool(constraint and constraint.no_log)
        if constraint is not None and constraint.shorthand is not None:
            try:
                value = constraint.shorthand(value)
            except ValueError as error:  # a ShortFormError may name the list item at fault
                index = error.index if isinstance(error, ShortFormError) else None
                problems.append(Problem(join_index(path, index), str(error)))
                return _INVALID
        refusal = _precheck(wanted, value, secret)
        if refusal is None:
            converted = self._convert(option, value)
            if converted is _INVALID:
                refusal = _type_message(wanted, value, secret)
        if refusal is not None:
            problems.append(Problem(path, refusal))
            return _INVALID
        if wanted == "list":
            converted = self._elements(option, converted, path, problems, secrets)
            if converted is _INVALID:
                return _INVALID
        elif "choices" in option:
            converted = _choose(option["choices"], converted)
            if converted is _INVALID:
                problems.append(
                    Problem(path, f"{show(value)} is not valid; use one of {option['choices']}")
                )
                return _INVALID
        if secret and isinstance(converted, str):
            secrets.add(converted)
        deep = depth_problem(converted, path)
        if deep:
            problems.append(deep)
            return _INVALID
        converted = self._constrain(converted, path, problems)
        if converted is _INVALID or "options" not in option:
            return converted
        if wanted == "dict":
            return self._mapping(option["options"], converted, path, problems, secrets)
        return [
            self._mapping(option["options"], element, f"{path}[{index}]", problems, secrets)
            for index, element in enumerate(converted)
        ]

    def _convert(self, option: Mapping[str, Any], value: Any) -> Any:
        """Ansible's own conversion of one value (no elements: checked one by one after).

        A value that already has the wanted type is what ansible-core would return (its type
        checks return such a value unchanged, and its result holds a deep copy): it is copied
        here without building a validation result (`copied`).
        """
        wanted = option.get("type", "str")
        if isinstance(value, _ALREADY.get(wanted, ())) and not (
            isinstance(value, bool) and wanted in ("int", "float")
        ):
            return copied(value)
        validator = self._validators.get(wanted)
        if validator is None:
            validator = ArgumentSpecValidator({"value": {"type": wanted}})
            self._validators[wanted] = validator
        try:
            result = validator.validate({"value": value})
        except Exception:  # ansible-core raising on odd input is a type problem, not a crash
            return _INVALID
        if result.error_messages:
            return _INVALID
        return result.validated_parameters["value"]

    def _elements(
        self,
        option: Mapping[str, Any],
        values: list[Any],
        path: str,
        problems: list[Problem],
        secrets: set[str],
    ) -> Any:
        wanted = option.get("elements")
        if wanted is None:
            return values
        element_option = {"type": wanted, "no_log": option.get("no_log", False)}
        if "choices" in option:
            element_option["choices"] = option["choices"]
        converted: list[Any] = []
        failed = False
        for index, element in enumerate(values):
            if element is None:
                problems.append(
                    Problem(f"{path}[{index}]", "is an empty list item; give a value or remove it")
                )
                failed = True
                continue
            one: list[Problem] = []
            result = self._value(element_option, element, f"{path}[{index}]", one, secrets)
            if one:
                failed = True
                problems.extend(one)
            converted.append(result)
        return _INVALID if failed else converted

    def _constrain(self, value: Any, path: str, problems: list[Problem]) -> Any:
        constraint = self.constraints.get(pattern_of(path))
        if constraint is None:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = constraint.low, constraint.high
            if (low is not None and value < low) or (high is not None and value > high):
                problems.append(
                    Problem(path, f"{value} is out of range; use a value from {low} to {high}")
                )
                return _INVALID
        if isinstance(value, list):
            if constraint.non_empty and not value:
                problems.append(Problem(path, "must not be empty; list at least one item"))
                return _INVALID
            if constraint.unique and len({show(v) for v in value}) != len(value):
                problems.append(Problem(path, "contains duplicates; list each value once"))
                return _INVALID
        if constraint.parse is not None:
            try:
                return constraint.parse(value)
            except ValueError as error:
                problems.append(Problem(path, str(error)))
                return _INVALID
        return value


# The Python types each option type returns unchanged in ansible-core's type checks.
_ALREADY: Final[dict[str, type | tuple[type, ...]]] = {
    "str": str,
    "int": int,
    "bool": bool,
    "float": float,
    "list": list,
    "dict": dict,
}


class _Invalid:
    """Marks a value that failed; its problem is already recorded."""


_INVALID: Final = _Invalid()


def _precheck(wanted: str, value: Any, secret: bool) -> str | None:
    """Refuse what ansible-core would convert wrongly or crash on; None when it may try."""
    wrong = (
        (wanted == "str" and not isinstance(value, _LEAVES) and _is_container(value))
        or (wanted == "int" and isinstance(value, bool))
        or (
            wanted == "int"
            and isinstance(value, float)
            and not (math.isfinite(value) and value.is_integer())
        )
        or (wanted == "int" and isinstance(value, str) and not _INTEGER_TEXT.fullmatch(value))
    )
    return _type_message(wanted, value, secret) if wrong else None


def _type_message(wanted: str, value: Any, secret: bool) -> str:
    words, fix = _TYPE_WORDS.get(wanted, (f"of type {wanted}", f"give a {wanted}"))
    shown = "the value" if secret else show(value)
    return f"{shown} is not {words}; {fix}"


def _choose(choices: list[Any], value: Any) -> Any:
    """The choice `value` names, in any case."""
    if value in choices:
        return value
    if isinstance(value, str):
        folded = {str(choice).casefold(): choice for choice in choices}
        return folded.get(value.strip().casefold(), _INVALID)
    return _INVALID


def _all_paths(spec: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    """Every option path of a spec with its last name (for "it belongs under" hints)."""
    for name, option in spec.items():
        option_path = join(path, name)
        yield option_path, name
        if "options" in option:
            yield from _all_paths(option["options"], option_path)


def sanitise(problems: list[Problem], secrets: set[str]) -> list[Problem]:
    """Problems with every no_log value masked."""
    if not secrets:
        return problems
    masked = []
    for problem in problems:
        message = problem.message
        for secret in sorted(secrets, key=len, reverse=True):
            message = message.replace(secret, "********")
        masked.append(Problem(problem.path, message))
    return masked
