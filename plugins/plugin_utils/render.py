"""Readable views of canonical objects for diffs, check-mode summaries and policy_info.

GUIDs of layers, callouts, conditions and built-in sublayers become their symbols; GUIDs of
objects in the same state become their names; weights, raw contexts, protocols, address types
and application ids are shown by name and readable value. Pre-shared keys are masked.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any, Final

import yaml

from ._catalogue_data import CONSTANTS
from .catalogue import display, symbol_of, value_of
from .frozen import FrozenDict, FrozenList
from .model import LIST_NAMES, Obj, State, all_objects, redacted

_MATCH_WORDS: Final = {
    "FWP_MATCH_EQUAL": "=",
    "FWP_MATCH_NOT_EQUAL": "!=",
    "FWP_MATCH_GREATER": ">",
    "FWP_MATCH_LESS": "<",
    "FWP_MATCH_GREATER_OR_EQUAL": ">=",
    "FWP_MATCH_LESS_OR_EQUAL": "<=",
    "FWP_MATCH_RANGE": "in",
    "FWP_MATCH_FLAGS_ALL_SET": "has all of",
    "FWP_MATCH_FLAGS_ANY_SET": "has any of",
    "FWP_MATCH_FLAGS_NONE_SET": "has none of",
    "FWP_MATCH_EQUAL_CASE_INSENSITIVE": "= (any case)",
    "FWP_MATCH_PREFIX": "starts with",
    "FWP_MATCH_NOT_PREFIX": "does not start with",
}
# Condition fields whose integer values have names (family prefix in the catalogue).
_VALUE_NAMES: Final = {
    "FWPM_CONDITION_IP_PROTOCOL": "IPPROTO_",
    "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE": "Nlat",
}
# Raw-context bits by the layer family of the filter (FWPM_CONTEXT_* in fwpmu.h).
_RAW_CONTEXT_PREFIXES: Final = (
    ("INBOUND", "FWPM_CONTEXT_IPSEC_INBOUND_"),
    ("OUTBOUND", "FWPM_CONTEXT_IPSEC_OUTBOUND"),
    ("ALE_", "FWPM_CONTEXT_ALE_"),
)
_INDIRECT: Final = re.compile(r"@([^,]+),\s*-?(\d+)")
_TYPE_TITLES: Final = {
    "provider": ("provider", "providers"),
    "sublayer": ("sublayer", "sublayers"),
    "provider_context": ("provider context", "provider contexts"),
    "filter": ("filter", "filters"),
}
_TYPE_ORDER: Final = ("filter", "provider_context", "sublayer", "provider")


def value_text(value: Obj, field_symbol: str | None = None) -> str:
    """An FWP value as one short string: names for protocols and address types, text for
    application ids, `low-high` for ranges."""
    value_type = value.get("type")
    if value_type == "FWP_EMPTY":
        return "empty"
    if value_type == "FWP_RANGE_TYPE":
        return f"{value_text(value['low'], field_symbol)}-{value_text(value['high'], field_symbol)}"
    raw = value.get("value")
    prefix = _VALUE_NAMES.get(field_symbol or "")
    if prefix and isinstance(raw, int):
        name = _value_names(prefix).get(raw)
        if name is not None:
            return name.removeprefix("IPPROTO_") if prefix == "IPPROTO_" else name
    if value_type == "FWP_BYTE_BLOB_TYPE" and isinstance(raw, str):
        text = utf16_text(raw)
        if text is not None:
            return f"'{text}'"
    if isinstance(raw, int):
        return str(raw)
    return str(raw)


@cache
def _value_names(prefix: str) -> dict[int, str]:
    """The first catalogue name of each value of a family (`IPPROTO_`), once per process."""
    names: dict[int, str] = {}
    for name, value in CONSTANTS.items():
        if name.startswith(prefix):
            names.setdefault(value, name)
    return names


@cache
def _context_bits(prefix: str) -> tuple[tuple[str, int], ...]:
    """The FWPM_CONTEXT_* bits of a layer family, in catalogue order, once per process."""
    return tuple(
        (name, bit)
        for name, bit in CONSTANTS.items()
        if name.startswith(prefix) and bit and bit < 1 << 56
    )


def utf16_text(hex_bytes: str) -> str | None:
    """The text of a NUL-terminated UTF-16LE blob (an application id), or None."""
    try:
        data = bytes.fromhex(hex_bytes)
        text = data.decode("utf-16-le")
    except (ValueError, UnicodeDecodeError):
        return None
    text = text.rstrip("\x00")
    if not text or len(data) % 2 or not text.isprintable():
        return None
    return text


def raw_context_text(raw_context: int | None, layer_key: str | None) -> str | None:
    """A filter's raw context as FWPM_CONTEXT_* names for its layer."""
    if raw_context is None:
        return None
    layer = symbol_of(layer_key or "") or ""
    prefix = next((p for marker, p in _RAW_CONTEXT_PREFIXES if marker in layer), None)
    if prefix is None:
        return hex(raw_context)
    names = [name for name, bit in _context_bits(prefix) if raw_context & bit == bit]
    covered = 0
    for name in names:
        covered |= CONSTANTS[name]
    rest = raw_context & ~covered
    return " | ".join(names + ([hex(rest)] if rest else [])) or "0"


def indirect_text(text: str | None) -> str | None:
    """An indirect string (`@bfe.dll,-1217`) with what it is; other text unchanged."""
    if text is None:
        return None
    match = _INDIRECT.fullmatch(text.strip())
    if not match:
        return text
    return f"{text} (indirect string: text resource {match.group(2)} of {match.group(1)})"


def condition_text(condition: Obj) -> str:
    field_symbol = symbol_of(condition["field_key"])
    field_name = (field_symbol or condition["field_key"]).removeprefix("FWPM_CONDITION_")
    match = _MATCH_WORDS.get(condition["match_type"], condition["match_type"])
    return f"{field_name} {match} {value_text(condition['value'], field_symbol)}"


def conditions_text(conditions: list[Obj]) -> str:
    """WFP's logic in words: conditions on one field are ORed, different fields ANDed."""
    by_field: dict[str, list[str]] = {}
    for condition in conditions:
        by_field.setdefault(condition["field_key"], []).append(condition_text(condition))
    groups = [
        texts[0] if len(texts) == 1 else "(" + " or ".join(texts) + ")"
        for texts in by_field.values()
    ]
    return " and ".join(groups)


def shadowing_summary(findings: list[dict[str, Any]], limit: int = 3) -> list[str]:
    """The foreign filters that most affect our traffic, one line each (certain and covering
    findings first), and how many more there are."""
    rank = {"certain": 0, "possible": 1}
    by_foreign: dict[str, list[dict[str, Any]]] = {}
    ordered = sorted(
        findings,
        key=lambda f: (rank.get(f.get("certainty", ""), 2), f.get("coverage") != "all"),
    )
    for finding in ordered:
        by_foreign.setdefault(finding["theirs"]["key"], []).append(finding)
    lines = []
    for group in list(by_foreign.values())[:limit]:
        first = group[0]
        theirs = first["theirs"]
        ours = sorted({f["ours"]["name"] for f in group})
        layers = sorted({f["layer"] for f in group})
        provider = indirect_text(theirs.get("provider")) or "no provider"
        lines.append(
            f"shadowing ({first['certainty']}, {first['rule']}): {theirs['name']!r} of "
            f"{provider} at {', '.join(layers)} decides traffic of {len(ours)} of our filters "
            f"({ours[0]!r}{' and others' if len(ours) > 1 else ''}) before they do"
        )
    rest = len(by_foreign) - len(lines)
    if rest > 0:
        lines.append(f"shadowing: {rest} more foreign filters; see the task result's shadowing")
    return lines


def count_words(counts: Counter[str]) -> str:
    """`24 filters, 4 provider contexts, 1 sublayer, 1 provider`."""
    parts = []
    for object_type in _TYPE_ORDER:
        count = counts.get(object_type, 0)
        if count:
            singular, plural = _TYPE_TITLES[object_type]
            parts.append(f"{count} {singular if count == 1 else plural}")
    return ", ".join(parts)


# ---- weights by name (shared by diffs and reports) ---------------------------------------------

_AUTO_BITS = value_of("FWPM_AUTO_WEIGHT_BITS")  # the low bits BFE fills in within a range
_WEIGHT_RANGES = {
    value_of(symbol): symbol
    for symbol in ("FWPM_WEIGHT_RANGE_IPSEC", "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS")
}


def weight_range_text(weight_range: int) -> str:
    """A weight range (the top 4 bits of a filter weight), by its SDK name when it has one."""
    name = _WEIGHT_RANGES.get(weight_range)
    return f"{name} (range {weight_range})" if name else f"range {weight_range}"


def weight_text(weight: int) -> str:
    """A 64-bit filter weight as people read it: small weights as numbers, others by range.

    0xC000000000000000 -> "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)";
    0x3000000000000012 -> "range 3 + 0x12"; 512 -> "512".
    """
    if weight >> _AUTO_BITS == 0:
        return str(weight)
    if weight == (1 << 64) - 1:
        return "maximum (range 15, all bits set)"
    low = weight & ((1 << _AUTO_BITS) - 1)
    return weight_range_text(weight >> _AUTO_BITS) + (f" + {low:#x}" if low else "")


def fwp_weight_text(value: Obj | None) -> str:
    """A filter's declared weight (an FWP value): automatic, a range, or a 64-bit weight."""
    if not value or value.get("type") == "FWP_EMPTY":
        return "automatic"
    if value["type"] == "FWP_UINT8":
        return weight_range_text(int(value["value"]))
    return weight_text(int(value["value"]))


class Renderer:
    """Renders objects, resolving references against the objects it was given."""

    def __init__(self, *states: State) -> None:
        self.names: dict[str, str] = {}
        for state in states:
            for obj in all_objects(state):
                self.names.setdefault(obj["key"], indirect_text(obj.get("name")) or obj["key"])

    def ref(self, key: str | None) -> str:
        if key is None:
            return "-"
        return self.names.get(key) or display(key)

    def label(self, obj: Obj) -> str:
        return f"{obj.get('name') or '(unnamed)'} [{obj['key']}]"

    def readable(self, object_type: str, obj: Obj) -> dict[str, Any]:
        """All fields of an object, references and values by name (field-level diffs)."""
        view = redacted(object_type, obj)
        view.pop("key", None)
        view.pop("name", None)
        view.pop("runtime", None)
        if "provider_key" in view:
            view["provider_key"] = self.ref(view["provider_key"])
        if "description" in view:
            view["description"] = indirect_text(view["description"])
        if object_type == "filter":
            view["raw_context"] = raw_context_text(view.get("raw_context"), view["layer_key"])
            view["layer_key"] = display(view["layer_key"])
            view["sublayer_key"] = self.ref(view["sublayer_key"])
            view["weight"] = fwp_weight_text(view["weight"])
            view["conditions"] = [condition_text(c) for c in view["conditions"]]
            view["action"] = self.action_text(view["action"])
            view["provider_context_key"] = (
                None
                if view["provider_context_key"] is None
                else self.ref(view["provider_context_key"])
            )
        return view

    @staticmethod
    def action_text(action: Obj) -> str:
        text = str(action["type"]).removeprefix("FWP_ACTION_")
        callout = action.get("callout_key")
        return text + (f" -> {display(callout)}" if callout else "")

    def line(self, object_type: str, obj: Obj) -> str:
        """One line per object: what it is and what it does."""
        title = _TYPE_TITLES[object_type][0]
        name = indirect_text(obj.get("name")) or obj["key"]
        head = f"{title} {name!r}"
        if object_type == "sublayer":
            return f"{head}: weight {obj.get('weight')}"
        if object_type == "provider_context":
            return f"{head}: {obj.get('type')}"
        if object_type != "filter":
            return head
        parts = [display(obj["layer_key"]), self.action_text(obj["action"])]
        raw = raw_context_text(obj.get("raw_context"), obj["layer_key"])
        if raw:
            parts[-1] += f" ({raw})"
        if obj.get("provider_context_key"):
            parts[-1] += f" with {self.ref(obj['provider_context_key'])!r}"
        conditions = conditions_text(obj.get("conditions") or [])
        parts.append(f"when {conditions}" if conditions else "all traffic")
        parts.append("weight " + fwp_weight_text(obj.get("weight")))
        return f"{head}: " + ", ".join(parts)


class _Dumper(yaml.SafeDumper):
    """YAML's safe dumper, which also writes the shared parts of canonical objects."""


_Dumper.add_representer(FrozenDict, yaml.SafeDumper.represent_dict)
_Dumper.add_representer(FrozenList, yaml.SafeDumper.represent_list)


def _yaml(view: dict[str, Any]) -> str:
    return yaml.dump(view, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=1000)


def readable_state(state: State) -> dict[str, list[str]]:
    """One line per object of a state document, everything by name (policy_info)."""
    renderer = Renderer(state)
    lines: dict[str, list[str]] = {}
    for object_type in reversed(_TYPE_ORDER):
        list_name = LIST_NAMES[object_type]
        lines[list_name] = []
        for obj in state.get(list_name) or []:
            line = renderer.line(object_type, obj)
            symbol = symbol_of(obj["key"])
            if symbol:
                line += f" [{symbol}]"
            if object_type != "provider" and obj.get("provider_key"):
                line += f", provider {renderer.ref(obj['provider_key'])!r}"
            lines[list_name].append(line)
    return lines


def plan_diff(plan: dict[str, Any], desired: State, actual: State) -> list[dict[str, Any]]:
    """Ansible's diff (a list): one compact line per object added, removed or re-added, then a
    field-level before/after for each changed object."""
    renderer = Renderer(desired, actual)
    have = {obj["key"]: obj for obj in all_objects(actual)}
    sections: dict[str, list[str]] = {"add": [], "remove": [], "re-add": []}
    changed: list[dict[str, Any]] = []
    for operation in plan["operations"]:
        object_type, reason = operation["type"], operation["reason"]
        if operation["op"] == "delete":
            if reason == "unexpected":
                sections["remove"].append("- " + renderer.line(object_type, have[operation["key"]]))
            continue
        obj = operation["object"]
        if reason == "missing":
            sections["add"].append("+ " + renderer.line(object_type, obj))
        elif reason == "dependency":
            sections["re-add"].append("~ " + renderer.line(object_type, obj))
        else:
            label = f"{_TYPE_TITLES[object_type][0]} {obj.get('name')!r}"
            changed.append(
                {
                    "before": _yaml(renderer.readable(object_type, have[operation["key"]])),
                    "after": _yaml(renderer.readable(object_type, obj)),
                    "before_header": f"host: {label}",
                    "after_header": f"declaration: {label}",
                }
            )
    titles = {
        "add": "objects to add",
        "remove": "objects to remove (ours, not declared)",
        "re-add": "objects deleted and added again unchanged (they depend on a changed object)",
    }
    text = "".join(
        f"{titles[name]} ({len(lines)}):\n" + "".join(f"  {line}\n" for line in lines)
        for name, lines in sections.items()
        if lines
    )
    return ([{"prepared": text}] if text else []) + changed


def change_summary(plan: dict[str, Any], absent: bool = False) -> str:
    """What a plan does, in words: `add 24 filters, 4 provider contexts, 1 sublayer, 1 provider`."""
    operations = plan["operations"]
    if not operations:
        return "in sync: nothing to change"
    by_reason: dict[str, Counter[str]] = {}
    for operation in operations:
        if operation["op"] == "add" or operation["reason"] == "unexpected":
            by_reason.setdefault(operation["reason"], Counter())[operation["type"]] += 1
    if absent:
        removed = by_reason.get("unexpected", Counter())
        total = sum(removed.values())
        return f"remove {total} object{'s' if total != 1 else ''} ({count_words(removed)})"
    phrases = []
    for reason, verb in (
        ("missing", "add"),
        ("unexpected", "remove"),
        ("changed", "replace (delete and add again)"),
    ):
        if reason in by_reason:
            phrases.append(f"{verb} {count_words(by_reason[reason])}")
    text = "; ".join(phrases)
    dependants = by_reason.get("dependency")
    if dependants:
        text += (
            f"; re-add {count_words(dependants)} unchanged, because they depend on a replaced "
            "object (WFP cannot update an object in place)"
        )
    drifted = sum(
        sum(by_reason.get(r, Counter()).values()) for r in ("missing", "unexpected", "changed")
    )
    if drifted == len(operations):
        return text
    return f"{text} ({len(operations)} operations for {drifted} drifted objects)"
