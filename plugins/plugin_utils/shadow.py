"""Shadow/override analysis: which other providers' filters stop ours from deciding traffic.

`find_shadowing(state, provider_key)` looks at every filter `provider_key` owns and reports the
filters of other providers that, under WFP filter arbitration (Microsoft's "Filter Arbitration"
page; docs/netsh-import.md, "Shadow rules"), would decide overlapping traffic instead of it or
override its decision:

* `same-sublayer-shadow` (a): another provider's filter in our sublayer with a higher effective
  weight and a terminating action (permit, block, terminating or unknown callout) on
  overlapping traffic. Inside a sublayer the first terminating match wins: ours is never reached.
* `cross-sublayer-block` (b): a block in another sublayer on overlapping traffic. Filter blocks
  are hard by default and block wins across sublayers, whatever the sublayer order, so our
  permits and the permits our callouts return are overridden (unless ours is a hard permit in a
  higher sublayer).
* `cross-sublayer-callout` (b): a terminating callout of another provider in another sublayer on
  overlapping traffic. When it blocks, the block wins over ours; reported as possible.
* `hard-permit-veto` (c): a hard permit (`FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT`) in another
  sublayer on traffic our callout may block. From a higher sublayer the callout's block becomes a
  veto (traffic blocked, audit event, conflict notification); from a lower one it may override a
  block that leaves the write right set.

Condition overlap is computed per field (WFP ORs conditions on one field and ANDs fields); a
field only one filter constrains does not limit the overlap. When the overlap cannot be decided
(security descriptors, prefixes, flag tests over wide ranges, ...) it is "may overlap".
Disabled and boot-time filters are ignored (boot-time filters only apply before BFE starts), as
are inspection callouts (they never decide).

Stock Windows filters (the Windows Firewall's providers and sublayers, service hardening, app
isolation, quarantine, edge traversal: `is_stock`) are the host's own firewall policy, which an
IPsec policy complements rather than replaces. Their blocks are `certain` only when they really
cut traffic the policy names: they block *all* of the traffic of one of our filters that names
a port (a required port, an exempted management port). Every other stock finding (a block for
one application, service or package, loopback, quarantined or tunnel interfaces, the firewall's
default block against our catch-all filters) is `possible` and marked `stock`.

Effective weights come from `runtime.effective_weight` when the host reported it (netsh dumps,
live hosts). Otherwise: FWP_UINT64 is the weight; FWP_UINT8 r lies in [r << 60, (r + 1) << 60);
FWP_EMPTY lies in [0, 1 << 60). Comparisons use these bounds and answer "possible" when the
bounds overlap; the point estimate shown is `arbitration.effective_weight` (BFE's automatic
part approximated from the number of conditions).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any, Final

from ._catalogue_data import GUIDS
from .arbitration import AUTO_WEIGHT_BITS, TERMINATING, effective_weight
from .catalogue import display, symbol_of
from .model import INTEGER_TYPES, Obj, State, bit_domain
from .netsh import EXTRA_SYMBOLS, STOCK_SUBLAYERS

RULE_SAME_SUBLAYER: Final = "same-sublayer-shadow"
RULE_BLOCK: Final = "cross-sublayer-block"
RULE_CALLOUT: Final = "cross-sublayer-callout"
RULE_HARD_PERMIT: Final = "hard-permit-veto"
RULES: Final = (RULE_SAME_SUBLAYER, RULE_BLOCK, RULE_CALLOUT, RULE_HARD_PERMIT)

CLEAR_ACTION_RIGHT: Final = "FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"
WINDOWS_FIREWALL_PROVIDER: Final = EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"]
IGNORED_FLAGS: Final = frozenset({"FWPM_FILTER_FLAG_DISABLED", "FWPM_FILTER_FLAG_BOOTTIME"})
CALLOUTS: Final = frozenset({"FWP_ACTION_CALLOUT_TERMINATING", "FWP_ACTION_CALLOUT_UNKNOWN"})
_ENUMERATION_LIMIT: Final = 256

_SYMBOLS: Final = {**GUIDS, **EXTRA_SYMBOLS}
#: providers and sublayers of stock Windows: the firewall service (MPSSVC) and WFP's built-ins
STOCK_PROVIDERS: Final = frozenset(
    guid for symbol, guid in EXTRA_SYMBOLS.items() if symbol.startswith("FWPM_PROVIDER_MPSSVC_")
)
#: The edge-traversal socket-option authorisation sublayer ("Edge traversal Teredo Authorization
#: Sublayer") is not in the SDK headers; its key is the same on every real dump we have.
TEREDO_AUTHORIZATION_SUBLAYER: Final = "7b6b11f6-cbb5-433c-ae06-6a4f0076e49e"
STOCK_SUBLAYER_KEYS: Final = frozenset(
    {_SYMBOLS[symbol] for symbol in STOCK_SUBLAYERS} | {TEREDO_AUTHORIZATION_SUBLAYER}
)
#: conditions by which a filter names the traffic it is about (a declared port)
_PORT_FIELDS: Final = frozenset(
    {GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"], GUIDS["FWPM_CONDITION_IP_REMOTE_PORT"]}
)


class Overlap(IntEnum):
    NO = 0
    MAYBE = 1
    YES = 2


# ---- condition overlap ------------------------------------------------------------------------

# Value types whose values are numbers (addresses as integers): (signed, bits).
_BITS: Final = {
    **INTEGER_TYPES,
    "FWP_BYTE_ARRAY16_TYPE": (False, 128),
    "FWP_V4_ADDR_MASK": (False, 32),
    "FWP_V6_ADDR_MASK": (False, 128),
}
_OPAQUE: Final = frozenset(
    {"FWP_BYTE_BLOB_TYPE", "FWP_SID", "FWP_UNICODE_STRING_TYPE", "FWP_BYTE_ARRAY6_TYPE"}
)
_FLAG_TESTS: Final = {
    "FWP_MATCH_FLAGS_ALL_SET": "all",
    "FWP_MATCH_FLAGS_ANY_SET": "any",
    "FWP_MATCH_FLAGS_NONE_SET": "none",
}

Intervals = list[tuple[int, int]]


@dataclass(frozen=True)
class _Constraint:
    """One condition as a set of values: intervals, a flag test, an opaque (in)equality, or
    unknown (`kind` "unknown": cannot be reasoned about)."""

    kind: str  # "intervals" | "flags" | "opaque" | "unknown"
    intervals: tuple[tuple[int, int], ...] = ()
    test: str = ""  # flags: all | any | none; opaque: eq | ne
    mask: int = 0
    opaque: str = ""


def _domain(value_type: str) -> tuple[int, int]:
    return bit_domain(*_BITS[value_type])


def _number(value: Obj) -> int | None:
    raw = value.get("value")
    value_type = value["type"]
    if value_type == "FWP_BYTE_ARRAY16_TYPE":
        return int(ipaddress.IPv6Address(str(raw)))
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    return None


def _complement(intervals: Intervals, low: int, high: int) -> Intervals:
    result: Intervals = []
    cursor = low
    for start, end in sorted(intervals):
        if start > cursor:
            result.append((cursor, start - 1))
        cursor = max(cursor, end + 1)
    if cursor <= high:
        result.append((cursor, high))
    return result


def _constraint(condition: Obj) -> _Constraint:
    match = condition["match_type"]
    value = condition["value"]
    value_type = value["type"]
    if value_type == "FWP_RANGE_TYPE":
        low_value, high_value = value["low"], value["high"]
        if low_value["type"] not in _BITS:
            return _Constraint("unknown")
        low, high = _number(low_value), _number(high_value)
        if low is None or high is None:
            return _Constraint("unknown")
        span: Intervals = [(low, high)] if low <= high else []
        if match == "FWP_MATCH_RANGE":
            return _Constraint("intervals", tuple(span))
        if match == "FWP_MATCH_NOT_EQUAL":
            return _Constraint("intervals", tuple(_complement(span, *_domain(low_value["type"]))))
        return _Constraint("unknown")
    if value_type in ("FWP_V4_ADDR_MASK", "FWP_V6_ADDR_MASK"):
        network = ipaddress.ip_network(str(value["value"]), strict=False)
        span = [(int(network.network_address), int(network.broadcast_address))]
        if match == "FWP_MATCH_EQUAL":
            return _Constraint("intervals", tuple(span))
        if match == "FWP_MATCH_NOT_EQUAL":
            return _Constraint("intervals", tuple(_complement(span, *_domain(value_type))))
        return _Constraint("unknown")
    if value_type in _BITS:
        number = _number(value)
        if number is None:
            return _Constraint("unknown")
        if match in _FLAG_TESTS:
            return _Constraint("flags", test=_FLAG_TESTS[match], mask=number)
        low, high = _domain(value_type)
        by_match: dict[str, Intervals] = {
            "FWP_MATCH_EQUAL": [(number, number)],
            "FWP_MATCH_NOT_EQUAL": _complement([(number, number)], low, high),
            "FWP_MATCH_GREATER": [(number + 1, high)],
            "FWP_MATCH_LESS": [(low, number - 1)],
            "FWP_MATCH_GREATER_OR_EQUAL": [(number, high)],
            "FWP_MATCH_LESS_OR_EQUAL": [(low, number)],
        }
        if match not in by_match:
            return _Constraint("unknown")
        return _Constraint("intervals", tuple((a, b) for a, b in by_match[match] if a <= b))
    if value_type in _OPAQUE and match in ("FWP_MATCH_EQUAL", "FWP_MATCH_NOT_EQUAL"):
        text = str(value.get("value"))
        if value_type == "FWP_SID":
            text = text.upper()
        test = "eq" if match == "FWP_MATCH_EQUAL" else "ne"
        return _Constraint("opaque", test=test, opaque=f"{value_type}:{text}")
    return _Constraint("unknown")


def _flag_holds(test: str, mask: int, number: int) -> bool:
    if test == "all":
        return number & mask == mask
    if test == "any":
        return number & mask != 0
    return number & mask == 0


def _flags_overlap(a: _Constraint, b: _Constraint) -> Overlap:
    tests = {a.test: a.mask, b.test: b.mask} if a.test != b.test else {}
    if a.test == b.test:
        if a.test == "any":
            return Overlap.YES if a.mask and b.mask else Overlap.NO
        return Overlap.YES  # all/all: set every bit; none/none: zero
    if set(tests) == {"all", "none"}:
        return Overlap.YES if tests["all"] & tests["none"] == 0 else Overlap.NO
    if set(tests) == {"all", "any"}:
        return Overlap.YES if tests["any"] else Overlap.NO
    # any / none
    return Overlap.YES if tests["any"] & ~tests["none"] else Overlap.NO


def _count(intervals: Iterable[tuple[int, int]]) -> int:
    return sum(end - start + 1 for start, end in intervals)


def _constraints_overlap(a: _Constraint, b: _Constraint) -> Overlap:
    if "unknown" in (a.kind, b.kind):
        return Overlap.MAYBE
    if a.kind == b.kind == "intervals":
        for a_start, a_end in a.intervals:
            for b_start, b_end in b.intervals:
                if a_start <= b_end and b_start <= a_end:
                    return Overlap.YES
        return Overlap.NO
    if a.kind == b.kind == "flags":
        return _flags_overlap(a, b)
    if {a.kind, b.kind} == {"intervals", "flags"}:
        span, flags = (a, b) if a.kind == "intervals" else (b, a)
        if _count(span.intervals) > _ENUMERATION_LIMIT:
            return Overlap.MAYBE
        for start, end in span.intervals:
            for number in range(start, end + 1):
                if _flag_holds(flags.test, flags.mask, number):
                    return Overlap.YES
        return Overlap.NO
    if a.kind == b.kind == "opaque":
        same = a.opaque == b.opaque
        if a.test == b.test == "eq":
            return Overlap.YES if same else Overlap.NO
        if a.test == b.test == "ne":
            return Overlap.YES
        return Overlap.NO if same else Overlap.YES
    return Overlap.MAYBE


def _by_field(filter_obj: Obj) -> dict[str, list[Obj]]:
    groups: dict[str, list[Obj]] = {}
    for condition in filter_obj.get("conditions") or []:
        groups.setdefault(condition["field_key"], []).append(condition)
    return groups


def _group_overlap(ours: list[Obj], theirs: list[Obj]) -> Overlap:
    """Two OR-groups of conditions on one field."""
    best = Overlap.NO
    for a in ours:
        for b in theirs:
            best = max(best, _constraints_overlap(_constraint(a), _constraint(b)))
            if best is Overlap.YES:
                break
    # Several NOT_EQUAL conditions on one field: whether WFP ORs or ANDs them is not certain.
    not_equal = sum(c["match_type"] == "FWP_MATCH_NOT_EQUAL" for c in ours + theirs)
    if best is Overlap.YES and not_equal >= 2 and (len(ours) > 1 or len(theirs) > 1):
        return Overlap.MAYBE
    return best


def conditions_overlap(ours: Obj, theirs: Obj) -> Overlap:
    """Whether traffic exists that both filters match (an empty condition list matches all)."""
    our_fields, their_fields = _by_field(ours), _by_field(theirs)
    result = Overlap.YES
    for field_key in our_fields.keys() & their_fields.keys():
        result = min(result, _group_overlap(our_fields[field_key], their_fields[field_key]))
        if result is Overlap.NO:
            break
    return result


def _within(inner: _Constraint, outer: list[_Constraint]) -> bool:
    """Whether every value `inner` admits is admitted by one of `outer` (provable cases only)."""
    if inner.kind == "intervals":
        spans = sorted(span for c in outer if c.kind == "intervals" for span in c.intervals)
        return all(_interval_covered(interval, spans) for interval in inner.intervals)
    if inner.kind == "opaque" and inner.test == "eq":
        return any(
            c.kind == "opaque" and c.test == "eq" and c.opaque == inner.opaque for c in outer
        )
    return any(c == inner for c in outer)


def _interval_covered(interval: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    cursor, end = interval
    for span_start, span_end in spans:
        if span_start <= cursor <= span_end:
            cursor = span_end + 1
            if cursor > end:
                return True
    return cursor > end


def conditions_cover(ours: Obj, theirs: Obj) -> bool:
    """Whether every packet our filter matches also matches theirs (only when provable).

    True when each field they constrain is constrained by us too, to values inside theirs.
    A foreign filter narrower on any field (an application, a remote address) covers only
    part of our traffic.
    """
    our_fields, their_fields = _by_field(ours), _by_field(theirs)
    for field_key, their_group in their_fields.items():
        our_group = our_fields.get(field_key)
        if not our_group:
            return False
        outer = [_constraint(c) for c in their_group]
        if not all(_within(_constraint(c), outer) for c in our_group):
            return False
    return True


# ---- weights ---------------------------------------------------------------------------------


def weight_bounds(filter_obj: Obj) -> tuple[int, int]:
    """The interval the filter's effective weight lies in (one point when known exactly)."""
    reported = (filter_obj.get("runtime") or {}).get("effective_weight")
    if isinstance(reported, dict) and reported.get("type") == "FWP_UINT64":
        return int(reported["value"]), int(reported["value"])
    weight = filter_obj.get("weight") or {"type": "FWP_EMPTY"}
    if weight["type"] == "FWP_UINT64":
        return int(weight["value"]), int(weight["value"])
    auto = (1 << AUTO_WEIGHT_BITS) - 1
    if weight["type"] == "FWP_UINT8":
        top = int(weight["value"]) << AUTO_WEIGHT_BITS
        return top, top | auto
    return 0, auto


def weighs_more(theirs: Obj, ours: Obj) -> Overlap:
    """YES when `theirs` is evaluated before `ours` in one sublayer, MAYBE when unknown."""
    their_low, their_high = weight_bounds(theirs)
    our_low, our_high = weight_bounds(ours)
    if their_low > our_high:
        return Overlap.YES
    if their_high < our_low:
        return Overlap.NO
    if their_low == their_high == our_low == our_high:
        return Overlap.MAYBE  # equal weights: BFE's order is not specified
    return Overlap.MAYBE


# ---- findings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterRef:
    """One side of a finding."""

    key: str
    name: str
    provider_key: str | None
    provider: str | None
    action: str
    callout: str | None
    hard: bool | None
    sublayer_key: str
    sublayer: str
    sublayer_weight: int | None
    weight: Obj
    effective_weight: int
    effective_weight_exact: bool


@dataclass(frozen=True)
class Finding:
    rule: str
    #: "certain" or "possible"
    certainty: str
    #: "overlaps" or "may overlap"
    overlap: str
    #: "all": every packet our filter matches is affected; "some": only part of it
    coverage: str
    layer: str
    layer_key: str
    ours: FilterRef
    theirs: FilterRef
    why: str
    #: the foreign filter is stock Windows (firewall, service hardening, built-in sublayers)
    stock: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hardness(filter_obj: Obj) -> bool | None:
    action = filter_obj["action"]["type"]
    if action == "FWP_ACTION_BLOCK":
        return True
    if CLEAR_ACTION_RIGHT in filter_obj.get("flags", []):
        return True
    if action == "FWP_ACTION_PERMIT":
        return False
    return None  # a callout sets its rights at run time


_EXTRA_SYMBOL_BY_GUID: Final = {guid: symbol for symbol, guid in EXTRA_SYMBOLS.items()}


def _provider_label(provider_key: str | None, provider: Obj | None) -> str | None:
    """The provider's well-known symbol (the same on every host, where names such as "Microsoft
    Corporation" are shared by several providers), else its name."""
    name = (provider or {}).get("name") or ""
    if provider_key:
        symbol = symbol_of(provider_key) or _EXTRA_SYMBOL_BY_GUID.get(provider_key)
        if symbol:
            return symbol
    return name or None


class _Context:
    def __init__(self, state: State) -> None:
        self.sublayers = {s["key"]: s for s in state.get("sublayers") or []}
        self.providers = {p["key"]: p for p in state.get("providers") or []}
        self.by_sublayer: dict[tuple[str, str], list[Obj]] = {}
        for filter_obj in state.get("filters") or []:
            if _active(filter_obj) and filter_obj["action"]["type"] in TERMINATING:
                place = (filter_obj["layer_key"], filter_obj["sublayer_key"])
                self.by_sublayer.setdefault(place, []).append(filter_obj)

    def preempted(self, ours: Obj, theirs: Obj) -> bool:
        """Whether, in their own sublayer, a heavier terminating filter decides all of our
        filter's traffic before `theirs` is reached (so `theirs` never acts on it)."""
        place = (theirs["layer_key"], theirs["sublayer_key"])
        return any(
            other is not theirs
            and weighs_more(other, theirs) is Overlap.YES
            and conditions_cover(ours, other)
            for other in self.by_sublayer.get(place, [])
        )

    def sublayer_weight(self, key: str) -> int | None:
        sublayer = self.sublayers.get(key)
        return None if sublayer is None else int(sublayer["weight"])

    def ref(self, filter_obj: Obj) -> FilterRef:
        provider_key = filter_obj.get("provider_key")
        provider = self.providers.get(provider_key) if provider_key else None
        sublayer_key = filter_obj["sublayer_key"]
        sublayer = self.sublayers.get(sublayer_key)
        low, high = weight_bounds(filter_obj)
        return FilterRef(
            key=filter_obj["key"],
            name=filter_obj.get("name") or "",
            provider_key=provider_key,
            provider=_provider_label(provider_key, provider),
            action=filter_obj["action"]["type"],
            callout=display(filter_obj["action"].get("callout_key"))
            if filter_obj["action"].get("callout_key")
            else None,
            hard=_hardness(filter_obj),
            sublayer_key=sublayer_key,
            sublayer=(sublayer.get("name") if sublayer else None) or display(sublayer_key),
            sublayer_weight=self.sublayer_weight(sublayer_key),
            weight=filter_obj.get("weight") or {"type": "FWP_EMPTY"},
            effective_weight=low if low == high else effective_weight(filter_obj),
            effective_weight_exact=low == high,
        )

    def order(self, ours: Obj, theirs: Obj) -> str:
        """'higher', 'lower', 'equal' or 'unknown': their sublayer relative to ours."""
        our_weight = self.sublayer_weight(ours["sublayer_key"])
        their_weight = self.sublayer_weight(theirs["sublayer_key"])
        if our_weight is None or their_weight is None:
            return "unknown"
        if their_weight > our_weight:
            return "higher"
        return "lower" if their_weight < our_weight else "equal"


def is_stock(filter_obj: Obj) -> bool:
    """Whether a filter belongs to stock Windows (by well-known provider or sublayer key)."""
    return (
        filter_obj.get("provider_key") in STOCK_PROVIDERS
        or filter_obj["sublayer_key"] in STOCK_SUBLAYER_KEYS
    )


def names_ports(filter_obj: Obj) -> bool:
    """Whether a filter is about declared traffic: it has a condition on a port."""
    return any(c["field_key"] in _PORT_FIELDS for c in filter_obj.get("conditions") or [])


_STOCK_NOTE: Final = (
    "; it is stock Windows and blocks only traffic our policy does not name (or that Windows "
    "blocks by design), so it is listed as possible, not as a conflict"
)


def _describe(ref: FilterRef) -> str:
    owner = ref.provider or ref.provider_key or "no provider"
    return f"'{ref.name}' ({owner})"


def _analyse_pair(context: _Context, ours: Obj, theirs: Obj) -> Finding | None:
    their_action = theirs["action"]["type"]
    our_action = ours["action"]["type"]
    if their_action not in TERMINATING:
        return None
    overlap = conditions_overlap(ours, theirs)
    if overlap is Overlap.NO:
        return None
    our_ref, their_ref = context.ref(ours), context.ref(theirs)
    may = "" if overlap is Overlap.YES else "may "
    certain = overlap is Overlap.YES
    rule: str
    why: str
    if ours["sublayer_key"] == theirs["sublayer_key"]:
        heavier = weighs_more(theirs, ours)
        if heavier is Overlap.NO:
            return None
        certain = (
            certain and heavier is Overlap.YES and their_action != "FWP_ACTION_CALLOUT_UNKNOWN"
        )
        rule = RULE_SAME_SUBLAYER
        order = "has a higher" if heavier is Overlap.YES else "may have a higher"
        why = (
            f"{_describe(their_ref)} is in the same sublayer, {order} effective weight and a "
            f"terminating action ({their_action}); traffic it {may}matches is decided by it, "
            f"so our filter {ours.get('name')!r} is never reached for that traffic"
        )
    else:
        order = context.order(ours, theirs)
        if their_action == "FWP_ACTION_BLOCK":
            our_hard = CLEAR_ACTION_RIGHT in ours.get("flags", [])
            if our_action == "FWP_ACTION_PERMIT" and our_hard and order == "lower":
                return None  # our hard permit decides first and cannot be overridden
            rule = RULE_BLOCK
            where = {
                "higher": "a higher-priority sublayer (it decides first, and a block is final)",
                "lower": "a lower-priority sublayer (block overrides permit across sublayers)",
                "equal": "a sublayer of the same weight (block wins across sublayers)",
                "unknown": "another sublayer (block wins across sublayers)",
            }[order]
            why = (
                f"{_describe(their_ref)} is a hard block in {where}; traffic it {may}matches is "
                f"blocked whatever our filter decides ({our_action})"
            )
        elif their_action in CALLOUTS:
            if their_ref.hard is False:
                return None
            rule = RULE_CALLOUT
            certain = False
            why = (
                f"{_describe(their_ref)} calls out ({their_ref.callout}) on the same layer in a "
                f"{order}-priority sublayer on traffic it {may}matches; whenever that callout "
                "blocks, the block overrides our decision"
            )
        elif their_ref.hard and our_action in CALLOUTS:
            rule = RULE_HARD_PERMIT
            if order == "higher":
                why = (
                    f"{_describe(their_ref)} is a hard permit (CLEAR_ACTION_RIGHT) in a "
                    f"higher-priority sublayer on traffic it {may}matches; when our callout "
                    "blocks (no IPsec protection), the block becomes a veto: traffic is blocked "
                    "and Windows logs an audit event and a conflict notification"
                )
            else:
                certain = False
                why = (
                    f"{_describe(their_ref)} is a hard permit (CLEAR_ACTION_RIGHT) in a "
                    f"{order}-priority sublayer on traffic it {may}matches; if our callout's "
                    "block leaves the write right set, this permit overrides it and the traffic "
                    "passes without IPsec, otherwise the block is a veto"
                )
        else:
            return None  # soft permits elsewhere never change our outcome
    if rule != RULE_SAME_SUBLAYER and context.preempted(ours, theirs):
        return None  # a heavier filter in their own sublayer decides our traffic first
    covers = overlap is Overlap.YES and conditions_cover(ours, theirs)
    stock = is_stock(theirs)
    if certain and stock and not (covers and names_ports(ours)):
        certain = False
        why += _STOCK_NOTE
    elif rule == RULE_BLOCK and theirs.get("provider_key") == WINDOWS_FIREWALL_PROVIDER:
        why += (
            "; it is a Windows Firewall rule: allow the traffic in Windows Firewall (for "
            "example an inbound rule for the port) so that it reaches the IPsec filters"
        )
    return Finding(
        rule=rule,
        certainty="certain" if certain else "possible",
        overlap="overlaps" if overlap is Overlap.YES else "may overlap",
        coverage="all" if covers else "some",
        layer=display(ours["layer_key"]),
        layer_key=ours["layer_key"],
        ours=our_ref,
        theirs=their_ref,
        why=why,
        stock=stock,
    )


def _active(filter_obj: Obj) -> bool:
    return not IGNORED_FLAGS.intersection(filter_obj.get("flags") or [])


def find_shadowing(state: State, provider_key: str) -> list[Finding]:
    """Findings for every filter `provider_key` owns in `state`, sorted for stable reports."""
    ours = [f for f in state.get("filters") or [] if f.get("provider_key") == provider_key]
    by_layer: dict[str, list[Obj]] = {}
    for filter_obj in state.get("filters") or []:
        if filter_obj.get("provider_key") != provider_key and _active(filter_obj):
            by_layer.setdefault(filter_obj["layer_key"], []).append(filter_obj)
    context = _Context(state)
    findings = []
    for our_filter in ours:
        if not _active(our_filter):
            continue
        for their_filter in by_layer.get(our_filter["layer_key"], []):
            finding = _analyse_pair(context, our_filter, their_filter)
            if finding is not None:
                findings.append(finding)
    findings.sort(key=lambda f: (f.layer, f.ours.name, RULES.index(f.rule), f.theirs.key))
    return findings


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by rule (every rule present, zero when none)."""
    counts = dict.fromkeys(RULES, 0)
    for finding in findings:
        counts[finding.rule] += 1
    return counts
