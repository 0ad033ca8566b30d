"""Port-list overlap findings: the indexed check equals its definition (each entry against
every earlier one), and does not grow with the square of the list."""

from __future__ import annotations

from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios.base import Findings
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios.common import check_ports
from hypothesis import given, settings
from hypothesis import strategies as st

LISTS = ("required_ports", "exempt_ports")


def by_definition(merged: dict[str, Any], path: str, lists: tuple[str, ...]) -> list[str]:
    """Each entry against every earlier entry: the first that overlaps is named."""
    found: list[str] = []
    seen: list[tuple[str, int, int, str, str]] = []
    for option in lists:
        for index, entry in enumerate(merged[option]):
            where = f"{option}[{index}]"
            low, high = entry["port"], entry.get("port_end") or entry["port"]
            if high < low:
                found.append(
                    f"{path}.{where}.port_end: {high} is below port {low}; use port_end >= port"
                )
                continue
            protocol = entry.get("protocol", "tcp")
            for other_protocol, other_low, other_high, other_where, other_option in seen:
                if protocol == other_protocol and low <= other_high and other_low <= high:
                    fix = (
                        "remove one"
                        if other_option == option
                        else "a port cannot be both; remove one"
                    )
                    shown = low if low == high else f"{low}-{high}"
                    found.append(
                        f"{path}.{where}: {protocol}/{shown} is already declared at {other_where}; {fix}"
                    )
                    break
            seen.append((protocol, low, high, where, option))
    return found


ENTRY = st.builds(
    lambda port, width, protocol, reversed_: {
        "port": port,
        **({"port_end": port - width if reversed_ else min(port + width, 65535)} if width else {}),
        "protocol": protocol,
    },
    st.integers(1, 65535) | st.integers(1, 40),
    st.integers(0, 30) | st.integers(0, 65534),
    st.sampled_from(["tcp", "udp"]),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ENTRY, max_size=12), st.lists(ENTRY, max_size=12))
def test_overlap_findings_equal_their_definition(
    required: list[dict[str, Any]], exempt: list[dict[str, Any]]
) -> None:
    merged = {"required_ports": required, "exempt_ports": exempt}
    findings = Findings()
    check_ports(merged, "scenario.x", findings, LISTS)
    assert [str(problem) for problem in findings.problems] == by_definition(
        merged, "scenario.x", LISTS
    )


def test_a_long_list_of_one_port_each_is_checked_once_per_entry() -> None:
    """40,000 entries (20,000 ports twice) and 600 ranges are named as defined (the check by its
    definition compares each entry with every earlier one: minutes for this list)."""
    required = [{"port": 1 + i % 20_000, "protocol": "tcp"} for i in range(40_000)]
    exempt = [
        {"port": 100 * i + 1, "port_end": 100 * i + 50, "protocol": "tcp"} for i in range(600)
    ]
    merged = {"required_ports": required, "exempt_ports": exempt}
    findings = Findings()
    check_ports(merged, "p", findings, LISTS)
    problems = [str(problem) for problem in findings.problems]
    assert len(problems) == 20_000 + 200  # exempt ranges up to port 20,000 overlap
    assert (
        problems[0]
        == "p.required_ports[20000]: tcp/1 is already declared at required_ports[0]; remove one"
    )
    assert problems[-1] == (
        "p.exempt_ports[199]: tcp/19901-19950 is already declared at required_ports[19900]; "
        "a port cannot be both; remove one"
    )
