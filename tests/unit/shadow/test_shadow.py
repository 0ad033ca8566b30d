"""Shadow/override analysis: hand-made cases for every rule, and the real dumps."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model, scenario
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import EXTRA_SYMBOLS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import (
    RULE_BLOCK,
    RULE_CALLOUT,
    RULE_HARD_PERMIT,
    RULE_SAME_SUBLAYER,
    Overlap,
    conditions_overlap,
    find_shadowing,
    summarise,
)

from tests.unit.netsh.dumps import load

G = catalogue.GUIDS
OURS = "aaaaaaaa-0000-0000-0000-000000000001"
THEIRS = "bbbbbbbb-0000-0000-0000-000000000002"
OUR_SUBLAYER = "aaaaaaaa-0000-0000-0000-0000000000aa"
THEIR_SUBLAYER = "bbbbbbbb-0000-0000-0000-0000000000bb"
LAYER = "FWPM_LAYER_ALE_AUTH_CONNECT_V4"
CALLOUT = {
    "type": "FWP_ACTION_CALLOUT_TERMINATING",
    "callout_key": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4",
}
PERMIT = {"type": "FWP_ACTION_PERMIT"}
BLOCK = {"type": "FWP_ACTION_BLOCK"}


def cond(field: str, value_type: str, value: Any, match: str = "FWP_MATCH_EQUAL") -> dict[str, Any]:
    return {
        "field_key": f"FWPM_CONDITION_{field}",
        "match_type": match,
        "value": {"type": value_type, "value": value},
    }


TCP_5555 = [cond("IP_PROTOCOL", "FWP_UINT8", 6), cond("IP_LOCAL_PORT", "FWP_UINT16", 5555)]


def filt(
    key: int,
    provider: str,
    sublayer: str,
    action: dict[str, Any],
    conditions: list[Any],
    *,
    weight: int = 100,
    flags: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "key": f"00000000-0000-0000-0000-{key:012d}",
        "name": f"filter {key}",
        "provider_key": provider,
        "layer_key": LAYER,
        "sublayer_key": sublayer,
        "weight": {"type": "FWP_UINT64", "value": weight},
        "conditions": conditions,
        "action": action,
        "flags": flags or [],
    }


def state(
    *filters: dict[str, Any], their_weight: int = 100, our_weight: int = 0x8001
) -> model.State:
    return model.canonical_state(
        {
            "providers": [{"key": OURS, "name": "ours"}, {"key": THEIRS, "name": "theirs"}],
            "sublayers": [
                {
                    "key": OUR_SUBLAYER,
                    "name": "our sublayer",
                    "provider_key": OURS,
                    "weight": our_weight,
                },
                {
                    "key": THEIR_SUBLAYER,
                    "name": "their sublayer",
                    "provider_key": THEIRS,
                    "weight": their_weight,
                },
            ],
            "filters": list(filters),
        }
    )


def rules(doc: model.State) -> list[tuple[str, str]]:
    return [(f.rule, f.certainty) for f in find_shadowing(doc, OURS)]


OUR_CALLOUT = filt(1, OURS, OUR_SUBLAYER, CALLOUT, TCP_5555, weight=0x200)


# ---- rule (a): same sublayer ------------------------------------------------------------------


def test_a_heavier_terminating_filter_in_our_sublayer_shadows_ours() -> None:
    theirs = filt(
        2, THEIRS, OUR_SUBLAYER, PERMIT, [cond("IP_PROTOCOL", "FWP_UINT8", 6)], weight=0x300
    )
    (finding,) = find_shadowing(state(OUR_CALLOUT, theirs), OURS)
    assert (finding.rule, finding.certainty, finding.overlap) == (
        RULE_SAME_SUBLAYER,
        "certain",
        "overlaps",
    )
    assert finding.layer == LAYER
    assert finding.ours.name == "filter 1" and finding.theirs.provider == "theirs"
    assert finding.ours.sublayer_weight == finding.theirs.sublayer_weight == 0x8001
    assert (finding.ours.effective_weight, finding.theirs.effective_weight) == (0x200, 0x300)
    assert "never reached" in finding.why
    assert finding.to_dict()["theirs"]["key"] == theirs["key"]


@pytest.mark.parametrize(
    "conditions",
    [
        [cond("IP_LOCAL_PORT", "FWP_UINT16", 80)],  # different port
        [cond("IP_PROTOCOL", "FWP_UINT8", 17)],  # different protocol
        [
            cond(
                "IP_LOCAL_PORT",
                "FWP_RANGE_TYPE",
                None,
                "FWP_MATCH_RANGE",
            )
            | {
                "value": {
                    "type": "FWP_RANGE_TYPE",
                    "low": {"type": "FWP_UINT16", "value": 1},
                    "high": {"type": "FWP_UINT16", "value": 1024},
                }
            }
        ],  # a port range without 5555
        [cond("IP_LOCAL_PORT", "FWP_UINT16", 5555, "FWP_MATCH_NOT_EQUAL")],
    ],
)
def test_no_finding_without_overlap(conditions: list[Any]) -> None:
    theirs = filt(2, THEIRS, OUR_SUBLAYER, BLOCK, conditions, weight=0x300)
    assert find_shadowing(state(OUR_CALLOUT, theirs), OURS) == []
    elsewhere = filt(3, THEIRS, THEIR_SUBLAYER, BLOCK, conditions)
    assert find_shadowing(state(OUR_CALLOUT, elsewhere), OURS) == []


def test_a_lighter_filter_in_our_sublayer_is_no_finding() -> None:
    theirs = filt(2, THEIRS, OUR_SUBLAYER, BLOCK, [], weight=0x100)
    assert find_shadowing(state(OUR_CALLOUT, theirs), OURS) == []


def test_an_inspection_callout_never_shadows() -> None:
    action = {
        "type": "FWP_ACTION_CALLOUT_INSPECTION",
        "callout_key": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4",
    }
    theirs = filt(2, THEIRS, OUR_SUBLAYER, action, [], weight=0x300)
    assert find_shadowing(state(OUR_CALLOUT, theirs), OURS) == []


def test_a_weight_range_against_an_exact_weight_is_possible() -> None:
    ours = {**OUR_CALLOUT, "weight": {"type": "FWP_UINT8", "value": 12}}
    theirs = filt(2, THEIRS, OUR_SUBLAYER, PERMIT, [], weight=(12 << 60) + 5)
    assert rules(state(ours, theirs)) == [(RULE_SAME_SUBLAYER, "possible")]
    heavier = filt(3, THEIRS, OUR_SUBLAYER, PERMIT, [], weight=13 << 60)
    assert rules(state(ours, heavier)) == [(RULE_SAME_SUBLAYER, "certain")]


# ---- rule (b): blocks and callouts elsewhere --------------------------------------------------


@pytest.mark.parametrize("their_weight", [10, 0x8001, 0xFFFF])
def test_a_block_in_any_other_sublayer_overrides_ours(their_weight: int) -> None:
    theirs = filt(2, THEIRS, THEIR_SUBLAYER, BLOCK, [])
    (finding,) = find_shadowing(state(OUR_CALLOUT, theirs, their_weight=their_weight), OURS)
    assert (finding.rule, finding.certainty) == (RULE_BLOCK, "certain")
    assert finding.theirs.hard is True and finding.theirs.sublayer_weight == their_weight


def test_a_block_preempted_in_its_own_sublayer_is_no_finding() -> None:
    """A firewall's default block under its own heavier allow rule for our traffic never acts."""
    default_block = filt(2, THEIRS, THEIR_SUBLAYER, BLOCK, [], weight=10)
    allow_5555 = filt(3, THEIRS, THEIR_SUBLAYER, PERMIT, TCP_5555, weight=500)
    allow_other = filt(
        4, THEIRS, THEIR_SUBLAYER, PERMIT, [cond("IP_LOCAL_PORT", "FWP_UINT16", 80)], weight=500
    )
    assert find_shadowing(state(OUR_CALLOUT, default_block, allow_5555), OURS) == []
    # An allow rule for other traffic, or a lighter one, leaves the block in charge.
    assert rules(state(OUR_CALLOUT, default_block, allow_other)) == [(RULE_BLOCK, "certain")]
    lighter = filt(3, THEIRS, THEIR_SUBLAYER, PERMIT, TCP_5555, weight=5)
    assert rules(state(OUR_CALLOUT, default_block, lighter)) == [(RULE_BLOCK, "certain")]
    # Our general unicast filter still meets the block for every other port.
    general = filt(1, OURS, OUR_SUBLAYER, CALLOUT, [])
    assert rules(state(general, default_block, allow_5555)) == [(RULE_BLOCK, "certain")]


def test_our_hard_permit_above_a_block_is_no_finding() -> None:
    ours = filt(
        1, OURS, OUR_SUBLAYER, PERMIT, TCP_5555, flags=["FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"]
    )
    theirs = filt(2, THEIRS, THEIR_SUBLAYER, BLOCK, [])
    assert find_shadowing(state(ours, theirs, their_weight=10), OURS) == []
    assert rules(state(ours, theirs, their_weight=0xFFFF)) == [(RULE_BLOCK, "certain")]


def test_a_soft_permit_elsewhere_is_no_finding() -> None:
    theirs = filt(2, THEIRS, THEIR_SUBLAYER, PERMIT, [])
    assert find_shadowing(state(OUR_CALLOUT, theirs, their_weight=0xFFFF), OURS) == []


def test_a_terminating_callout_elsewhere_is_a_possible_override() -> None:
    theirs = filt(
        2,
        THEIRS,
        THEIR_SUBLAYER,
        {"type": "FWP_ACTION_CALLOUT_TERMINATING", "callout_key": THEIRS},
        [],
    )
    assert rules(state(OUR_CALLOUT, theirs, their_weight=0xFFFF)) == [(RULE_CALLOUT, "possible")]


def test_disabled_and_boot_time_filters_are_ignored() -> None:
    for flag in ("FWPM_FILTER_FLAG_DISABLED", "FWPM_FILTER_FLAG_BOOTTIME"):
        theirs = filt(2, THEIRS, THEIR_SUBLAYER, BLOCK, [], flags=[flag])
        assert find_shadowing(state(OUR_CALLOUT, theirs), OURS) == []


# ---- rule (c): hard permits ------------------------------------------------------------------


def test_a_hard_permit_above_our_callout_is_a_veto() -> None:
    theirs = filt(
        2, THEIRS, THEIR_SUBLAYER, PERMIT, [], flags=["FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"]
    )
    (finding,) = find_shadowing(state(OUR_CALLOUT, theirs, their_weight=0xFFFF), OURS)
    assert (finding.rule, finding.certainty) == (RULE_HARD_PERMIT, "certain")
    assert "veto" in finding.why
    assert rules(state(OUR_CALLOUT, theirs, their_weight=10)) == [(RULE_HARD_PERMIT, "possible")]


def test_a_hard_permit_does_not_concern_our_permits() -> None:
    ours = filt(1, OURS, OUR_SUBLAYER, PERMIT, TCP_5555)
    theirs = filt(
        2, THEIRS, THEIR_SUBLAYER, PERMIT, [], flags=["FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"]
    )
    assert find_shadowing(state(ours, theirs, their_weight=0xFFFF), OURS) == []


# ---- condition overlap per field -------------------------------------------------------------


def overlap(ours: list[Any], theirs: list[Any]) -> Overlap:
    doc = state(
        filt(1, OURS, OUR_SUBLAYER, PERMIT, ours), filt(2, THEIRS, THEIR_SUBLAYER, BLOCK, theirs)
    )
    by_key = {f["provider_key"]: f for f in doc["filters"]}
    return conditions_overlap(by_key[OURS], by_key[THEIRS])


def v4(text: str) -> dict[str, Any]:
    return cond("IP_REMOTE_ADDRESS", "FWP_V4_ADDR_MASK", text)


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        ([], [], Overlap.YES),
        (TCP_5555, [], Overlap.YES),
        ([v4("10.0.0.0/8")], [v4("10.1.0.0/16")], Overlap.YES),
        ([v4("10.0.0.0/8")], [v4("192.168.0.0/16")], Overlap.NO),
        ([v4("10.0.0.0/8")], [cond("IP_REMOTE_ADDRESS", "FWP_UINT32", "10.2.3.4")], Overlap.YES),
        ([v4("10.0.0.0/8")], [cond("IP_REMOTE_ADDRESS", "FWP_UINT32", "11.2.3.4")], Overlap.NO),
        (
            [cond("IP_REMOTE_ADDRESS", "FWP_V6_ADDR_MASK", "fe80::/10")],
            [cond("IP_REMOTE_ADDRESS", "FWP_BYTE_ARRAY16_TYPE", "fe80::1")],
            Overlap.YES,
        ),
        (
            [cond("IP_REMOTE_ADDRESS", "FWP_V6_ADDR_MASK", "fe80::/10")],
            [cond("IP_REMOTE_ADDRESS", "FWP_BYTE_ARRAY16_TYPE", "2001:db8::1")],
            Overlap.NO,
        ),
        # NlatUnicast vs another address type
        (
            [cond("IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", 1)],
            [cond("IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", 3)],
            Overlap.NO,
        ),
        # same field ORs: one of the values matches
        (
            [cond("IP_PROTOCOL", "FWP_UINT8", 6)],
            [cond("IP_PROTOCOL", "FWP_UINT8", 17), cond("IP_PROTOCOL", "FWP_UINT8", 6)],
            Overlap.YES,
        ),
        # flags
        (
            [cond("FLAGS", "FWP_UINT32", 1, "FWP_MATCH_FLAGS_ALL_SET")],
            [cond("FLAGS", "FWP_UINT32", 1, "FWP_MATCH_FLAGS_NONE_SET")],
            Overlap.NO,
        ),
        (
            [cond("FLAGS", "FWP_UINT32", 1, "FWP_MATCH_FLAGS_ALL_SET")],
            [cond("FLAGS", "FWP_UINT32", 2, "FWP_MATCH_FLAGS_NONE_SET")],
            Overlap.YES,
        ),
        # opaque values
        (
            [cond("ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "aa")],
            [cond("ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "bb")],
            Overlap.NO,
        ),
        (
            [cond("ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "aa")],
            [cond("ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "aa", "FWP_MATCH_NOT_EQUAL")],
            Overlap.NO,
        ),
        # security descriptors cannot be compared: may overlap
        (
            [cond("ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:LSD:(A;;CC;;;WD)")],
            [cond("ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:LSD:(A;;CC;;;S-1-5-18)")],
            Overlap.MAYBE,
        ),
    ],
)
def test_condition_overlap(ours: list[Any], theirs: list[Any], expected: Overlap) -> None:
    assert overlap(ours, theirs) is expected


def test_a_may_overlap_finding_is_possible() -> None:
    sd = [cond("ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:LSD:(A;;CC;;;WD)")]
    ours = filt(1, OURS, OUR_SUBLAYER, CALLOUT, sd)
    theirs = filt(
        2,
        THEIRS,
        THEIR_SUBLAYER,
        BLOCK,
        [cond("ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:SYD:")],
    )
    (finding,) = find_shadowing(state(ours, theirs), OURS)
    assert (finding.certainty, finding.overlap) == ("possible", "may overlap")


# ---- the real dumps with the guaranteed-encryption objects overlaid ---------------------------


def overlaid(
    dump: str, sublayer_weight: int = scenario.DEFAULT_SUBLAYER_WEIGHT
) -> tuple[model.State, str]:
    declaration = {
        "scenario": {"guaranteed_encryption": {}},
        "sublayer": {"weight": sublayer_weight},
    }
    desired = scenario.expand(declaration)
    assert len(desired["filters"]) == 24
    doc = copy.deepcopy(load(dump).state)
    for name in ("providers", "sublayers", "provider_contexts", "filters"):
        doc[name] += desired[name]
    return doc, scenario.provider_key_of(declaration)


def test_jenincare_protonvpn_blocks_and_hard_permits_are_found() -> None:
    doc, provider = overlaid("jenincare__wfpstate.xml.gz")
    findings = find_shadowing(doc, provider)
    proton = [f for f in findings if (f.theirs.provider or "").startswith("ProtonVPN")]
    blocks = {
        (f.layer, f.theirs.name)
        for f in proton
        if f.rule == RULE_BLOCK and f.certainty == "certain"
    }
    assert ("FWPM_LAYER_ALE_AUTH_CONNECT_V4", "ProtonVPN block IPv4") in blocks
    assert ("FWPM_LAYER_ALE_AUTH_CONNECT_V6", "ProtonVPN block IPv6") in blocks
    permits = {f.theirs.name for f in proton if f.rule == RULE_HARD_PERMIT}
    assert {"ProtonVPN permit IPv4 loopback", "ProtonVPN permit OpenVPN server"} <= permits
    assert all(f.theirs.hard for f in proton if f.rule == RULE_HARD_PERMIT)
    # our sublayer (0x8001) is above ProtonVPN's (1000/1001): the veto is only possible
    assert {f.certainty for f in proton if f.rule == RULE_HARD_PERMIT} == {"possible"}
    below, provider = overlaid("jenincare__wfpstate.xml.gz", sublayer_weight=0x10)
    vetoes = [f for f in find_shadowing(below, provider) if f.rule == RULE_HARD_PERMIT]
    assert vetoes and {f.certainty for f in vetoes} == {"certain"}


def test_python_pi_burner_sophos_transport_callouts_are_found() -> None:
    doc, provider = overlaid("python_pi_burner__wfpstate.xml.gz")
    findings = find_shadowing(doc, provider)
    sophos = {
        (f.layer, f.theirs.name, f.theirs.sublayer_weight)
        for f in findings
        if f.rule == RULE_CALLOUT and f.theirs.action == "FWP_ACTION_CALLOUT_TERMINATING"
    }
    assert ("FWPM_LAYER_OUTBOUND_TRANSPORT_V4", "Outbound Transport V4", 32770) in sophos
    assert ("FWPM_LAYER_OUTBOUND_TRANSPORT_V6", "Outbound Transport V6", 32770) in sophos
    ours = {f.ours.name for f in findings if f.layer == "FWPM_LAYER_OUTBOUND_TRANSPORT_V4"}
    assert ours == {
        "wfp.ipsec guaranteed encryption: IPv4 outbound transport: secure unicast",
        "wfp.ipsec guaranteed encryption: IPv4 outbound transport: exempt ICMP",
    }


MPSSVC = {EXTRA_SYMBOLS[s] for s in EXTRA_SYMBOLS if s.startswith("FWPM_PROVIDER_MPSSVC_")}


@pytest.mark.parametrize("dump", ["VPNWindows__filters.xml", "le_voile__filters.xml"])
def test_stock_dumps_raise_no_false_alarm(dump: str) -> None:
    """ "No false alarm" on a stock host means: nothing shadows us inside our own sublayer, no
    soft permit of any provider (the firewall's allow rules) is reported, and every finding is
    a hard block, a hard permit or a terminating callout of another provider that overlaps."""
    doc, provider = overlaid(dump)
    findings = find_shadowing(doc, provider)
    assert summarise(findings)[RULE_SAME_SUBLAYER] == 0
    for finding in findings:
        assert finding.theirs.provider_key != provider
        assert finding.theirs.sublayer_key != finding.ours.sublayer_key
        assert not (finding.theirs.action == "FWP_ACTION_PERMIT" and not finding.theirs.hard)
        assert finding.rule in (RULE_BLOCK, RULE_CALLOUT, RULE_HARD_PERMIT)
    # A stock Windows host: every finding comes from the Windows Firewall's own providers.
    if dump == "VPNWindows__filters.xml":
        assert findings and {f.theirs.provider_key for f in findings} <= MPSSVC
    # The firewall's permits are never findings, and its blocks for other ports are not either.
    names = {f.theirs.name for f in findings}
    assert not any(name.startswith(("Core Networking", "Réseau de base")) for name in names)


def test_findings_of_a_dump_are_deterministic() -> None:
    doc, provider = overlaid("python_pi_burner__wfpstate.xml.gz")
    first = [f.to_dict() for f in find_shadowing(doc, provider)]
    assert first == [f.to_dict() for f in find_shadowing(copy.deepcopy(doc), provider)]
    assert G["FWPM_LAYER_OUTBOUND_TRANSPORT_V4"] in {f["layer_key"] for f in first}


def test_a_windows_firewall_block_says_how_to_let_the_traffic_through() -> None:
    firewall = EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"]
    doc = model.canonical_state(
        {
            **state(OUR_CALLOUT),
            "providers": [
                {"key": OURS, "name": "ours"},
                {"key": firewall, "name": "Microsoft Corporation"},
            ],
            "filters": [
                *state(OUR_CALLOUT)["filters"],
                {**filt(2, firewall, THEIR_SUBLAYER, BLOCK, []), "name": "Query User"},
            ],
        }
    )
    (finding,) = find_shadowing(doc, OURS)
    assert finding.rule == RULE_BLOCK and "allow the traffic in Windows Firewall" in finding.why


# ---- stock Windows filters --------------------------------------------------------------------

FIREWALL = EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"]
FIREWALL_SUBLAYER = EXTRA_SYMBOLS["FWPM_SUBLAYER_MPSSVC_WF"]
APP = cond("ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "5c0064006d00")
OUR_CATCH_ALL = filt(
    3, OURS, OUR_SUBLAYER, CALLOUT, [cond("IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", 1)]
)


def with_block(ours: dict[str, Any], provider: str, sublayer: str, conditions: list[Any]) -> Any:
    doc = state(ours)
    doc["providers"].append({"key": FIREWALL, "name": "Microsoft Corporation"})
    doc["sublayers"].append({"key": FIREWALL_SUBLAYER, "name": "firewall", "weight": 2})
    block = {**filt(9, provider, sublayer, BLOCK, conditions), "name": "Query User"}
    return model.canonical_state({**doc, "filters": [*doc["filters"], block]})


@pytest.mark.parametrize(
    ("ours", "conditions", "certainty"),
    [
        (OUR_CALLOUT, [], "certain"),  # the firewall's default block on our required port
        (OUR_CALLOUT, [APP], "possible"),  # a block for one application
        (OUR_CATCH_ALL, [], "possible"),  # the default block against our catch-all filter
        (OUR_CATCH_ALL, [APP], "possible"),
    ],
)
def test_a_stock_block_is_certain_only_when_it_cuts_a_declared_port(
    ours: dict[str, Any], conditions: list[Any], certainty: str
) -> None:
    for provider, sublayer in ((FIREWALL, THEIR_SUBLAYER), (THEIRS, FIREWALL_SUBLAYER)):
        (finding,) = find_shadowing(with_block(ours, provider, sublayer, conditions), OURS)
        assert finding.stock and finding.rule == RULE_BLOCK
        assert finding.certainty == certainty
        assert ("stock Windows" in finding.why) is (certainty == "possible")


@pytest.mark.parametrize("ours", [OUR_CALLOUT, OUR_CATCH_ALL])
def test_the_same_block_from_a_third_party_stays_certain(ours: dict[str, Any]) -> None:
    (finding,) = find_shadowing(with_block(ours, THEIRS, THEIR_SUBLAYER, [APP]), OURS)
    assert (finding.stock, finding.certainty, finding.coverage) == (False, "certain", "some")


ALL_DUMPS = [
    "VPNWindows__filters.xml",
    "le_voile__filters.xml",
    "DuGuud__wfpstate.xml.gz",
    "jenincare__wfpstate.xml.gz",
    "python_pi_burner__wfpstate.xml.gz",
]


@pytest.mark.parametrize("dump", ALL_DUMPS)
def test_real_dumps_stock_findings_are_certain_only_for_the_required_port(dump: str) -> None:
    """On the real machines, the only certain stock finding is the Windows Firewall's default
    inbound block ("Query User") on the required port TCP/5555 when no allow rule opens it:
    that really cuts the declared traffic. Service hardening, app isolation, quarantine,
    boot-time and edge-traversal blocks are possible."""
    doc, provider = overlaid(dump)
    findings = find_shadowing(doc, provider)
    stock = [f for f in findings if f.stock]
    assert stock, "every real Windows host has stock findings"
    certain = {
        (f.theirs.name, f.ours.name.split(": ", 1)[1]) for f in stock if f.certainty == "certain"
    }
    for name, ours in certain:
        assert name == "Query User" and "inbound TCP/5555: require encryption" in ours
    for finding in stock:
        if finding.certainty == "certain":
            assert finding.coverage == "all" and finding.rule == RULE_BLOCK
            assert finding.theirs.sublayer_key == FIREWALL_SUBLAYER
    demoted = [f for f in stock if f.rule == RULE_BLOCK and f.certainty == "possible"]
    assert all("stock Windows" in f.why for f in demoted if f.overlap == "overlaps")
    if dump in ("VPNWindows__filters.xml", "le_voile__filters.xml"):
        assert not certain  # outbound-only stock filters: nothing cuts the declared port
    if dump in ("DuGuud__wfpstate.xml.gz", "python_pi_burner__wfpstate.xml.gz"):
        assert len(certain) == 2  # IPv4 and IPv6 inbound TCP/5555


def test_real_third_party_positives_stay() -> None:
    proton = find_shadowing(*overlaid("jenincare__wfpstate.xml.gz"))
    kill_switch = {
        f.theirs.name
        for f in proton
        if f.certainty == "certain" and f.coverage == "all" and not f.stock
    }
    assert kill_switch == {"ProtonVPN block IPv4", "ProtonVPN block IPv6"}
    sophos = find_shadowing(*overlaid("python_pi_burner__wfpstate.xml.gz"))
    assert {f.theirs.sublayer for f in sophos if not f.stock} >= {"Sophos Web Protection"}
