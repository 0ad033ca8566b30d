"""Guard against locking the controller out of a host with its own policy.

If a declaration makes the management connection (WinRM 5985/5986, SSH 22...) depend on IPsec,
or blocks it, and the controller cannot negotiate IPsec, the apply succeeds and every later
task fails. `management_lockout_findings` finds the filters that would do that so the runner can
refuse unless `allow_management_lockout: true`.

Both directions count: the management flow is inbound TCP to the management port, and its
replies leave the host with that port as their *local* port (outbound transport, ALE connect).
The guard errs on the safe side: an enforcing filter counts when it *may* match management
traffic (conditions it cannot evaluate are assumed to match), and a permit counts as an
exemption only when every one of its conditions is understood and matches *all* management
traffic (a permit narrowed to one remote address, one using a flags match type, or a disabled
permit is no exemption).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, Final

from ._catalogue_data import GUIDS
from .catalogue import symbol_of, value_of


def _layers(*names: str) -> frozenset[str]:
    return frozenset(GUIDS[f"FWPM_LAYER_{name}_{v}"] for name in names for v in ("V4", "V6"))


# Layers where a filter can hold the management flow, by direction (IP packet layers have no
# port condition: a filter there matches every port).
_INBOUND_LAYERS: Final = _layers(
    "INBOUND_IPPACKET", "INBOUND_TRANSPORT", "ALE_AUTH_RECV_ACCEPT", "ALE_AUTH_LISTEN"
)
_OUTBOUND_LAYERS: Final = _layers("OUTBOUND_IPPACKET", "OUTBOUND_TRANSPORT", "ALE_AUTH_CONNECT")
_GUARDED_LAYERS: Final = _INBOUND_LAYERS | _OUTBOUND_LAYERS

_LOCAL_PORT: Final = GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]
_PROTOCOL: Final = GUIDS["FWPM_CONDITION_IP_PROTOCOL"]
_ADDRESS_TYPE: Final = GUIDS["FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE"]
_TCP: Final = value_of("IPPROTO_TCP")
_UNICAST: Final = value_of("NlatUnicast")
_DISABLED: Final = "FWPM_FILTER_FLAG_DISABLED"
_CALLOUT_ACTIONS: Final = frozenset(
    {
        "FWP_ACTION_CALLOUT_TERMINATING",
        "FWP_ACTION_CALLOUT_INSPECTION",
        "FWP_ACTION_CALLOUT_UNKNOWN",
    }
)
_AUTO_WEIGHT_LIMIT: Final = 1 << 60  # BFE-assigned weights stay below 2^60
_WEIGHT_MAX: Final = (1 << 64) - 1


def _value_matches(match_type: str, value: dict[str, Any], wanted: int) -> bool | None:
    """Does a condition (match type, value) match the integer `wanted`? None: cannot tell."""
    if value.get("type") == "FWP_RANGE_TYPE":
        low, high = value.get("low", {}).get("value"), value.get("high", {}).get("value")
        if not isinstance(low, int) or not isinstance(high, int):
            return None
        inside = low <= wanted <= high
        return inside if match_type in ("FWP_MATCH_RANGE", "FWP_MATCH_EQUAL") else None
    number = value.get("value")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    checks = {
        "FWP_MATCH_EQUAL": wanted == number,
        "FWP_MATCH_NOT_EQUAL": wanted != number,
        "FWP_MATCH_GREATER": wanted > number,
        "FWP_MATCH_LESS": wanted < number,
        "FWP_MATCH_GREATER_OR_EQUAL": wanted >= number,
        "FWP_MATCH_LESS_OR_EQUAL": wanted <= number,
    }
    return checks.get(match_type)


def _management_values(port: int) -> dict[str, int]:
    """The value every management packet has for each condition field the guard understands."""
    return {_PROTOCOL: _TCP, _LOCAL_PORT: port, _ADDRESS_TYPE: _UNICAST}


def _by_field(obj: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    fields: dict[str, list[dict[str, Any]]] = {}
    for condition in obj.get("conditions") or []:
        if isinstance(condition, dict):
            fields.setdefault(str(condition.get("field_key")), []).append(condition)
    return fields


def _field_result(conditions: list[dict[str, Any]], wanted: int) -> bool | None:
    """WFP ORs the conditions on one field: True if one surely matches, False if none can."""
    results = [
        _value_matches(str(c.get("match_type")), c.get("value") or {}, wanted) for c in conditions
    ]
    if True in results:
        return True
    return None if None in results else False


def may_match(obj: dict[str, Any], port: int) -> bool:
    """Whether the filter may match some management traffic on `port` (unknown conditions and
    fields the guard does not know are assumed to match)."""
    values = _management_values(port)
    for field, conditions in _by_field(obj).items():
        if field in values and _field_result(conditions, values[field]) is False:
            return False
    return True


def matches_all(obj: dict[str, Any], port: int) -> bool:
    """Whether the filter surely matches all management traffic on `port`: every condition field
    is one the guard understands and one of its conditions matches the management value."""
    values = _management_values(port)
    return all(
        field in values and _field_result(conditions, values[field]) is True
        for field, conditions in _by_field(obj).items()
    )


def _weight_bounds(weight: dict[str, Any] | None) -> tuple[int, int]:
    """The range the effective weight of a filter can take (FWP_EMPTY: BFE picks it)."""
    weight = weight or {"type": "FWP_EMPTY"}
    value = weight.get("value")
    if weight.get("type") == "FWP_UINT64" and isinstance(value, int):
        return value, value
    if weight.get("type") == "FWP_UINT8" and isinstance(value, int):
        return value << 60, ((value + 1) << 60) - 1
    if weight.get("type") == "FWP_EMPTY":
        return 0, _AUTO_WEIGHT_LIMIT - 1
    return 0, _WEIGHT_MAX


def _disabled(obj: dict[str, Any]) -> bool:
    return _DISABLED in (obj.get("flags") or ())


def _cutting_reason(obj: dict[str, Any]) -> str | None:
    """Why a filter can stop traffic it matches: an IPsec callout (needs a security
    association), a block, or a terminating callout the guard cannot evaluate. None: cannot."""
    if _disabled(obj):
        return None
    action = obj.get("action") or {}
    action_type = action.get("type")
    callout = action.get("callout_key")
    if action_type == "FWP_ACTION_BLOCK":
        return "blocks"
    if action_type in _CALLOUT_ACTIONS:
        name = symbol_of(callout) if isinstance(callout, str) else None
        if name and name.startswith("FWPM_CALLOUT_IPSEC_"):
            return "sends it to an IPsec callout"
        if action_type != "FWP_ACTION_CALLOUT_INSPECTION":
            return f"sends it to callout {name or callout} (the guard cannot evaluate it)"
        return None
    if action_type == "FWP_ACTION_PERMIT":
        return None
    return f"has action {action_type!r} (the guard cannot evaluate it)"


def _exempted(enforcing: dict[str, Any], filters: list[dict[str, Any]], port: int) -> bool:
    """An enabled permit filter in the same sublayer and layer that surely outranks `enforcing`
    and matches all management traffic stops the filter from ever seeing that traffic."""
    enforcing_high = _weight_bounds(enforcing.get("weight"))[1]
    for other in filters:
        if (
            other is not enforcing
            and (other.get("action") or {}).get("type") == "FWP_ACTION_PERMIT"
            and not _disabled(other)
            and other.get("layer_key") == enforcing.get("layer_key")
            and other.get("sublayer_key") == enforcing.get("sublayer_key")
            and _weight_bounds(other.get("weight"))[0] > enforcing_high
            and matches_all(other, port)
        ):
            return True
    return False


def management_lockout_findings(
    desired_state: dict[str, Any], management_ports: list[int]
) -> list[str]:
    """One message per (management port, filter) where the desired state could stop TCP
    traffic to or from that local port (inbound requests, outbound replies) with no exemption
    in front of the filter."""
    filters = [f for f in desired_state.get("filters") or [] if isinstance(f, dict)]
    findings = []
    for port in sorted(set(management_ports)):
        for obj in filters:
            layer_key = obj.get("layer_key")
            reason = _cutting_reason(obj) if layer_key in _GUARDED_LAYERS else None
            if reason and may_match(obj, port) and not _exempted(obj, filters, port):
                layer = symbol_of(str(layer_key)) or layer_key
                direction = "inbound" if layer_key in _INBOUND_LAYERS else "outbound (replies)"
                findings.append(
                    f"TCP port {port}: filter '{obj.get('name')}' ({obj.get('key')}) at {layer} "
                    f"{reason} for {direction} TCP/{port}"
                )
    return findings


# A refusal names this many findings and counts the rest; the result's details keep this many.
# (A declared port range such as 1-65535 meets every filter on every port: millions of findings.)
MAX_SHOWN_FINDINGS: Final = 20
MAX_DETAIL_FINDINGS: Final = 1000


def lockout_check(
    desired_state: dict[str, Any], ports: list[int]
) -> tuple[str, dict[str, Any]] | None:
    """(refusal message, details for the task result: the first findings and how many there
    are) when the desired state could cut the management connection on one of `ports`; the
    findings are computed once for both."""
    by_port = {port: management_lockout_findings(desired_state, [port]) for port in set(ports)}
    cut = sorted(port for port, findings in by_port.items() if findings)
    if not cut:
        return None
    findings = [finding for port in cut for finding in by_port[port]]
    shown = "; ".join(findings[:MAX_SHOWN_FINDINGS])
    if len(findings) > MAX_SHOWN_FINDINGS:
        more = len(findings) - MAX_SHOWN_FINDINGS
        shown += f"; and {more} more findings on {len(cut)} ports in all (the result's lockout)"
    exempt = ", ".join(f"{{port: {span}}}" for span in _port_spans(cut))
    message = (
        "refusing a policy that could cut the management connection: "
        + shown
        + "; if the controller cannot negotiate IPsec the host becomes unreachable. Exempt "
        f"the port (scenario option exempt_ports: [{exempt}]; a raw permit counts only when it "
        "is enabled, in the same sublayer and layer, outweighs the filter and has no conditions "
        "beyond protocol TCP, this local port and unicast), or set allow_management_lockout: "
        "true if the controller negotiates IPsec with the host"
    )
    return message, {"lockout": findings[:MAX_DETAIL_FINDINGS], "lockout_findings": len(findings)}


def _port_spans(ports: list[int]) -> list[str]:
    """Sorted ports as exempt_ports entries: a run of three or more as one range (`7000-7002`)."""
    spans: list[str] = []
    for _offset, group in groupby(enumerate(ports), key=lambda item: item[1] - item[0]):
        run = [port for _index, port in group]
        spans.extend([f"{run[0]}-{run[-1]}"] if len(run) >= 3 else [str(port) for port in run])
    return spans
