"""Guard against locking the controller out of a host with its own IPsec policy.

If a declaration requires IPsec for inbound traffic to the port the controller uses to reach
the host (WinRM 5985/5986, SSH 22...), and the controller cannot negotiate IPsec, the apply
succeeds and every later task fails. `management_lockout_findings` finds the filters that
would do that so the action plugin can refuse unless `allow_management_lockout: true`.
"""

from __future__ import annotations

from typing import Any, Final

from ._catalogue_data import GUIDS
from .catalogue import symbol_of, value_of

_INBOUND_LAYERS: Final = frozenset(
    GUIDS[name]
    for name in (
        "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
        "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6",
        "FWPM_LAYER_INBOUND_TRANSPORT_V4",
        "FWPM_LAYER_INBOUND_TRANSPORT_V6",
    )
)
_LOCAL_PORT: Final = GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]
_PROTOCOL: Final = GUIDS["FWPM_CONDITION_IP_PROTOCOL"]
_ADDRESS_TYPE: Final = GUIDS["FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE"]
_TCP: Final = value_of("IPPROTO_TCP")
_UNICAST: Final = value_of("NlatUnicast")
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
    if not isinstance(number, int):
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


def _field_matches(conditions: list[dict[str, Any]], field: str, wanted: int) -> bool:
    """WFP ORs conditions on one field; a field without conditions matches everything.
    Conditions we cannot evaluate count as matching (the guard errs on the safe side)."""
    relevant = [c for c in conditions if c.get("field_key") == field]
    if not relevant:
        return True
    return any(
        _value_matches(str(c.get("match_type")), c.get("value") or {}, wanted) is not False
        for c in relevant
    )


def _matches_tcp_port(obj: dict[str, Any], port: int) -> bool:
    conditions = list(obj.get("conditions") or [])
    return (
        _field_matches(conditions, _PROTOCOL, _TCP)
        and _field_matches(conditions, _LOCAL_PORT, port)
        and _field_matches(conditions, _ADDRESS_TYPE, _UNICAST)
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


def _requires_ipsec(obj: dict[str, Any]) -> bool:
    action = obj.get("action") or {}
    callout = action.get("callout_key")
    return (
        action.get("type") in _CALLOUT_ACTIONS
        and isinstance(callout, str)
        and (symbol_of(callout) or "").startswith("FWPM_CALLOUT_IPSEC_")
    )


def _exempted(enforcing: dict[str, Any], filters: list[dict[str, Any]], port: int) -> bool:
    """A permit filter in the same sublayer and layer that surely outranks `enforcing` and
    matches the port stops the IPsec callout from ever seeing that traffic."""
    enforcing_high = _weight_bounds(enforcing.get("weight"))[1]
    for other in filters:
        if (
            other is not enforcing
            and (other.get("action") or {}).get("type") == "FWP_ACTION_PERMIT"
            and other.get("layer_key") == enforcing.get("layer_key")
            and other.get("sublayer_key") == enforcing.get("sublayer_key")
            and _weight_bounds(other.get("weight"))[0] > enforcing_high
            and _matches_tcp_port(other, port)
        ):
            return True
    return False


def management_lockout_findings(
    desired_state: dict[str, Any], management_ports: list[int]
) -> list[str]:
    """One message per (management port, filter) where the desired state would require IPsec
    for inbound TCP to that port with no exemption in front of it."""
    filters = [f for f in desired_state.get("filters") or [] if isinstance(f, dict)]
    findings = []
    for port in sorted(set(management_ports)):
        for obj in filters:
            if (
                obj.get("layer_key") in _INBOUND_LAYERS
                and _requires_ipsec(obj)
                and _matches_tcp_port(obj, port)
                and not _exempted(obj, filters, port)
            ):
                layer = symbol_of(str(obj.get("layer_key"))) or obj.get("layer_key")
                findings.append(
                    f"TCP port {port} (used to manage this host) would require IPsec: filter "
                    f"'{obj.get('name')}' ({obj.get('key')}) at {layer} sends inbound TCP/{port} "
                    "to an IPsec callout with no exemption; if the controller cannot negotiate "
                    "IPsec the host becomes unreachable. Exempt the port (scenario option "
                    f"exempt_ports: [{{port: {port}}}]), or set allow_management_lockout: true "
                    "to accept the risk."
                )
    return findings
