"""What a scenario is: its options, its checks and its expansion, plus the shared helpers.

A scenario module defines one `Scenario` and registers it in `scenarios/__init__.py`; nothing
else changes when a scenario is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from .._catalogue_data import GUIDS
from ..datacopy import copied
from ..model import Obj
from ..options import Problem
from . import conditions as cond
from .keys import Builder

UNIVERSAL_SUBLAYER: Final = GUIDS["FWPM_SUBLAYER_UNIVERSAL"]
PERMIT: Final[dict[str, Any]] = {"type": "FWP_ACTION_PERMIT", "callout_key": None}


@dataclass
class Findings:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))


@dataclass(frozen=True)
class Scenario:
    """One IPsec policy scenario of Microsoft's "IPsec Configuration" family."""

    name: str  # the option under `scenario`
    title: str  # what check mode and the docs call it
    page: str  # the Microsoft page the objects come from
    defaults: dict[str, Any]
    check: Callable[[dict[str, Any], str, Findings], None]  # semantic checks on merged options
    expand: Callable[[Builder, dict[str, Any]], None]
    # Option lists of ports ({port, port_end?, protocol}; the options layer parses `5000-5010`).
    port_lists: tuple[str, ...] = ("exempt_ports",)
    # Options an operator must give explicitly (no default), with the fix when missing.
    explicit: dict[str, str] = field(default_factory=dict)

    def merged(self, options: dict[str, Any] | None) -> dict[str, Any]:
        """Options with defaults filled in (one level deep for the nested sections)."""
        return merge_defaults(self.defaults, options)


def merge_defaults(defaults: dict[str, Any], options: dict[str, Any] | None) -> dict[str, Any]:
    result = copied(defaults)
    for name, value in (options or {}).items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name].update({k: v for k, v in value.items() if v is not None})
        else:
            result[name] = copied(value)
    return result


class Expansion:
    """One scenario's objects: keys under `key_prefix`, names under `title`, filters in the
    sublayer the options choose (ours, or FWPM_SUBLAYER_UNIVERSAL)."""

    def __init__(self, builder: Builder, options: dict[str, Any], key_prefix: str, title: str):
        self.builder = builder
        self.options = options
        self.key_prefix = key_prefix
        self.name_prefix = f"{builder.prefix}{title}: "
        universal = options.get("filter_sublayer") == "universal"
        self.sublayer_key = UNIVERSAL_SUBLAYER if universal else builder.sublayer_key

    def key(self, logical: str) -> str:
        return self.builder.key(f"{self.key_prefix}/{logical}")

    def add_context(self, logical: str, title: str, context_type: str, policy: Obj) -> str:
        key = self.key(logical)
        self.builder.add(
            "provider_context",
            {"key": key, "name": self.name_prefix + title, "type": context_type, "policy": policy},
        )
        return key

    def add_filter(self, version: int, logical: str, title: str, **fields: Any) -> None:
        has_context = fields.get("provider_context_key") is not None
        extra = ["FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"] if has_context else []
        fields.setdefault("raw_context", None)
        fields.setdefault("provider_context_key", None)
        fields.setdefault("conditions", [])
        self.builder.add(
            "filter",
            {
                "key": self.key(f"v{version}/{logical}"),
                "name": f"{self.name_prefix}IPv{version} {title}",
                "flags": self.builder.flags("filter", *extra),
                "sublayer_key": self.sublayer_key,
                **fields,
            },
        )

    def callout_filter(
        self,
        version: int,
        layer: str,
        logical: str,
        *,
        title: str,
        conditions: list[Obj],
        weight: int,
        raw_context: int | None = None,
    ) -> None:
        self.add_filter(
            version,
            f"{layer}/{logical}",
            f"{cond.LAYER_TITLES[layer]}{title}",
            layer_key=cond.layer_key(layer, version),
            weight=cond.weight(weight),
            conditions=conditions,
            action={
                "type": "FWP_ACTION_CALLOUT_TERMINATING",
                "callout_key": cond.callout_key(layer, version),
            },
            raw_context=raw_context,
        )
