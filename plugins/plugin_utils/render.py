"""Readable views of canonical objects for diffs and reports.

GUIDs of layers, callouts, conditions and built-in sublayers become their symbols; GUIDs of
objects in the same state become their names. Pre-shared keys are masked.
"""

from __future__ import annotations

from typing import Any

from .catalogue import display, value_of
from .model import LIST_NAMES, Obj, State, all_objects, redacted


def value_text(value: Obj) -> str:
    """An FWP value as one short string."""
    if value["type"] == "FWP_EMPTY":
        return "empty"
    if value["type"] == "FWP_RANGE_TYPE":
        return f"{value_text(value['low'])}..{value_text(value['high'])}"
    return f"{value['value']} ({value['type']})"


class Renderer:
    """Renders objects, resolving references against the objects it was given."""

    def __init__(self, *states: State) -> None:
        self.names: dict[str, str] = {}
        for state in states:
            for obj in all_objects(state):
                self.names.setdefault(obj["key"], obj.get("name") or obj["key"])

    def ref(self, key: str | None) -> str:
        if key is None:
            return "-"
        return self.names.get(key) or display(key)

    def label(self, obj: Obj) -> str:
        return f"{obj.get('name') or '(unnamed)'} [{obj['key']}]"

    def readable(self, object_type: str, obj: Obj) -> dict[str, Any]:
        view = redacted(object_type, obj)
        view.pop("key", None)
        view.pop("name", None)
        if "provider_key" in view:
            view["provider_key"] = self.ref(view["provider_key"])
        if object_type == "filter":
            view["layer_key"] = display(view["layer_key"])
            view["sublayer_key"] = self.ref(view["sublayer_key"])
            view["weight"] = value_text(view["weight"])
            view["conditions"] = [
                f"{display(c['field_key'])} {c['match_type'].removeprefix('FWP_MATCH_')} {value_text(c['value'])}"
                for c in view["conditions"]
            ]
            action = view["action"]
            view["action"] = action["type"] + (
                f" -> {display(action['callout_key'])}" if action["callout_key"] else ""
            )
            view["provider_context_key"] = (
                None
                if view["provider_context_key"] is None
                else self.ref(view["provider_context_key"])
            )
        return view


def plan_diff(plan: dict[str, Any], desired: State, actual: State) -> dict[str, Any]:
    """Ansible's diff dict: before/after views of every object the plan deletes or adds."""
    renderer = Renderer(desired, actual)
    have = {obj["key"]: obj for obj in all_objects(actual)}
    before: dict[str, dict[str, Any]] = {}
    after: dict[str, dict[str, Any]] = {}
    for operation in plan["operations"]:
        list_name = LIST_NAMES[operation["type"]]
        if operation["op"] == "delete":
            obj = have[operation["key"]]
            before.setdefault(list_name, {})[renderer.label(obj)] = renderer.readable(
                operation["type"], obj
            )
        else:
            obj = operation["object"]
            after.setdefault(list_name, {})[renderer.label(obj)] = renderer.readable(
                operation["type"], obj
            )
    return {
        "before": before,
        "after": after,
        "before_header": "host",
        "after_header": "declaration",
    }


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
