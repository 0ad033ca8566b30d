"""Golden object sets of every scenario, written from Microsoft's pages, not from the code.

Each table below restates one page of Microsoft's "IPsec Configuration" family (the URL is on
the table) in the vocabulary of the page: layer, filtering conditions, action, callout,
rawContext, provider-context type, plus the collection's documented weights (docs/scenario-*.md)
and the IKE/AuthIP exemptions (Microsoft's "IKE/AuthIP Exemptions": IPv4 UDP 500 and 4500,
IPv6 UDP 500; at ALE layers restricted to local system). The expansion is compared with it
filter by filter and context by context.
"""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import validate
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import (
    expand,
    sublayer_key_of,
)

C = catalogue.CONSTANTS
UNICAST = ("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE", "FWP_MATCH_EQUAL", ("FWP_UINT8", 1))
TCP = ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_EQUAL", ("FWP_UINT8", 6))
UDP = ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_EQUAL", ("FWP_UINT8", 17))
LOCAL_SYSTEM = (
    "FWPM_CONDITION_ALE_USER_ID",
    "FWP_MATCH_EQUAL",
    ("FWP_SECURITY_DESCRIPTOR_TYPE", "O:SYG:SYD:(A;;CCRC;;;SY)"),
)
SD1 = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-515)"  # e.g. Domain Computers
SD2 = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-513)"  # e.g. Domain Users
EXEMPTION_WEIGHT = ("FWP_UINT8", 0xC)  # FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS
PERSIST = C["FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"]
DISCOVER = C["FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER"]


def local_port(port: int) -> tuple[str, str, tuple[str, int]]:
    return ("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_MATCH_EQUAL", ("FWP_UINT16", port))


def row(layer: str, conditions: list[Any], action: str, **rest: Any) -> dict[str, Any]:
    return {
        "layer": layer,
        "conditions": sorted(conditions),
        "action": action,
        "callout": rest.get("callout"),
        "raw": rest.get("raw"),
        "context": rest.get("context"),
        "weight": rest.get("weight"),
    }


# Per page: QM flag, rawContexts of the transport callouts, whether the page has the ALE
# receive/accept "secure all unicast" filter, and the keying-module context types.
PAGES: dict[str, dict[str, Any]] = {
    # https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode-in-boundary-mode
    "nd_boundary": {
        "qm_flags": ["IPSEC_POLICY_FLAG_ND_BOUNDARY"],
        "raw": {"INBOUND_TRANSPORT": PERSIST, "OUTBOUND_TRANSPORT": DISCOVER},
        "recv_accept": False,
    },
    # https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode
    "nd_transport": {
        "qm_flags": ["IPSEC_POLICY_FLAG_ND_SECURE"],
        "raw": {"INBOUND_TRANSPORT": PERSIST, "OUTBOUND_TRANSPORT": DISCOVER},
        "recv_accept": True,
    },
    # https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode
    "transport_mode": {
        "qm_flags": [],
        "raw": {"INBOUND_TRANSPORT": None, "OUTBOUND_TRANSPORT": None},
        "recv_accept": False,
    },
    # https://learn.microsoft.com/windows/win32/fwp/remote-identity-authorization
    "remote_identity_authorization": {
        "qm_flags": ["IPSEC_POLICY_FLAG_ND_SECURE"],
        "raw": {"INBOUND_TRANSPORT": PERSIST, "OUTBOUND_TRANSPORT": DISCOVER},
        "recv_accept": True,
    },
    # Transport Mode page with IKEv2 contexts (FWPM_PROVIDER_CONTEXT_TYPE)
    "ikev2_transport": {
        "qm_flags": [],
        "raw": {"INBOUND_TRANSPORT": None, "OUTBOUND_TRANSPORT": None},
        "recv_accept": False,
        "modules": {"IKEV2": 0x100},
    },
}
CERTIFICATE = {"method": "certificate", "root_subjects": ["CN=Example Root CA"]}
DECLARATIONS: dict[str, dict[str, Any]] = {
    "nd_boundary": {},
    "nd_transport": {},
    "transport_mode": {},
    "remote_identity_authorization": {
        "remote_machine_sddl": SD1,
        "remote_user_sddl": SD2,
        "extended_mode": {"authentication": [{"method": "kerberos"}]},
    },
    "ikev2_transport": {"main_mode": {"authentication": [CERTIFICATE]}},
}


def page_rows(name: str, version: int) -> list[dict[str, Any]]:
    page = PAGES[name]
    v = f"V{version}"
    icmp = (
        "FWPM_CONDITION_IP_PROTOCOL",
        "FWP_MATCH_EQUAL",
        ("FWP_UINT8", 1 if version == 4 else 58),
    )
    rows = []
    for module, weight in page.get("modules", {"AUTHIP": 0x200, "IKE": 0x100}).items():
        rows.append(
            row(
                f"FWPM_LAYER_IKEEXT_{v}",
                [],
                "FWP_ACTION_PERMIT",
                context=f"FWPM_IPSEC_{module}_MM_CONTEXT",
                weight=("FWP_UINT64", weight),
            )
        )
        rows.append(
            row(
                f"FWPM_LAYER_IPSEC_{v}",
                [],
                "FWP_ACTION_PERMIT",
                context=f"FWPM_IPSEC_{module}_QM_TRANSPORT_CONTEXT",
                weight=("FWP_UINT64", weight),
            )
        )
    callout_layers = {
        "INBOUND_TRANSPORT": ("INBOUND_TRANSPORT", page["raw"]["INBOUND_TRANSPORT"]),
        "OUTBOUND_TRANSPORT": ("OUTBOUND_TRANSPORT", page["raw"]["OUTBOUND_TRANSPORT"]),
    }
    if page["recv_accept"]:
        callout_layers["ALE_AUTH_RECV_ACCEPT"] = ("INBOUND_INITIATE_SECURE", None)
    for layer, (callout, raw) in callout_layers.items():
        rows.append(
            row(
                f"FWPM_LAYER_{layer}_{v}",
                [UNICAST],
                "FWP_ACTION_CALLOUT_TERMINATING",
                callout=f"FWPM_CALLOUT_IPSEC_{callout}_{v}",
                raw=raw,
                weight=("FWP_UINT64", 0x100),
            )
        )
        rows.append(
            row(
                f"FWPM_LAYER_{layer}_{v}",
                [UNICAST, icmp],
                "FWP_ACTION_PERMIT",
                weight=EXEMPTION_WEIGHT,
            )
        )
        for port in (500, 4500) if version == 4 else (500,):
            ale = [LOCAL_SYSTEM] if layer.startswith("ALE") else []
            rows.append(
                row(
                    f"FWPM_LAYER_{layer}_{v}",
                    [UDP, local_port(port), *ale],
                    "FWP_ACTION_PERMIT",
                    weight=EXEMPTION_WEIGHT,
                )
            )
    if name == "remote_identity_authorization":
        port = [UNICAST, TCP, local_port(5555)]
        sd = [
            (
                "FWPM_CONDITION_ALE_REMOTE_MACHINE_ID",
                "FWP_MATCH_EQUAL",
                ("FWP_SECURITY_DESCRIPTOR_TYPE", SD1),
            ),
            (
                "FWPM_CONDITION_ALE_REMOTE_USER_ID",
                "FWP_MATCH_EQUAL",
                ("FWP_SECURITY_DESCRIPTOR_TYPE", SD2),
            ),
        ]
        rows.append(
            row(
                f"FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_{v}",
                port + sd,
                "FWP_ACTION_CALLOUT_TERMINATING",
                callout=f"FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_{v}",
                weight=("FWP_UINT64", 0x300),
            )
        )
        rows.append(
            row(
                f"FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_{v}",
                port,
                "FWP_ACTION_BLOCK",
                weight=("FWP_UINT64", 0x200),
            )
        )
    return rows


def value_of(value: dict[str, Any]) -> tuple[Any, ...]:
    if value["type"] == "FWP_RANGE_TYPE":
        return (value["type"], value["low"]["value"], value["high"]["value"])
    return (value["type"], value["value"])


def signature(filter_obj: dict[str, Any], contexts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    context = filter_obj["provider_context_key"]
    callout = filter_obj["action"]["callout_key"]
    return row(
        catalogue.symbol_of(filter_obj["layer_key"]),
        [
            (catalogue.symbol_of(c["field_key"]), c["match_type"], value_of(c["value"]))
            for c in filter_obj["conditions"]
        ],
        filter_obj["action"]["type"],
        callout=catalogue.symbol_of(callout) if callout else None,
        raw=filter_obj["raw_context"],
        context=contexts[context]["type"] if context else None,
        weight=(filter_obj["weight"]["type"], filter_obj["weight"]["value"]),
    )


def declaration(name: str, **options: Any) -> dict[str, Any]:
    return {"scenario": {name: {**DECLARATIONS[name], **options}}}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_filter_matches_the_page(name: str) -> None:
    state = validate(declaration(name)).desired
    contexts = {c["key"]: c for c in state["provider_contexts"]}
    expected = [r for v in (4, 6) for r in page_rows(name, v)]
    actual = [signature(f, contexts) for f in state["filters"]]
    assert sorted(actual, key=repr) == sorted(expected, key=repr)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_contexts_carry_the_page_flags(name: str) -> None:
    state = expand(declaration(name))
    modules = PAGES[name].get("modules", {"AUTHIP": 0, "IKE": 0})
    assert sorted(c["type"] for c in state["provider_contexts"]) == sorted(
        f"FWPM_IPSEC_{m}_{kind}_CONTEXT" for m in modules for kind in ("MM", "QM_TRANSPORT")
    )
    for context in state["provider_contexts"]:
        if "_QM_" in context["type"]:
            assert context["policy"]["flags"] == PAGES[name]["qm_flags"]
    em = {
        c["type"]: c["policy"]["em_policy"]
        for c in state["provider_contexts"]
        if "_QM_" in c["type"]
    }
    if name == "remote_identity_authorization":
        # "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT that contains the AuthIP Extended Mode policy"
        assert em["FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT"] is not None
        assert em["FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT"] is None


def test_ikev2_uses_certificates() -> None:
    state = expand(declaration("ikev2_transport"))
    mm = next(c for c in state["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKEV2_MM_CONTEXT")
    assert [m["type"] for m in mm["policy"]["authentication_methods"]] == ["IKEEXT_CERTIFICATE"]
    # IKEEXT_POLICY2.retransmitDurationSecs: "The caller must set this to at least 120 seconds"
    # (IKEv2 SA negotiation packets); IKE and AuthIP keep 0.
    assert mm["policy"]["retransmit_duration_seconds"] == 120
    qm = next(c for c in state["provider_contexts"] if c["type"].endswith("_QM_TRANSPORT_CONTEXT"))
    assert qm["type"] == "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT"
    assert qm["policy"]["em_policy"] is None and qm["policy"]["flags"] == []
    transport = expand(declaration("transport_mode"))
    assert {
        c["policy"]["retransmit_duration_seconds"]
        for c in transport["provider_contexts"]
        if c["type"].endswith("_MM_CONTEXT")
    } == {0}


@pytest.mark.parametrize("name", [*sorted(PAGES), "guaranteed_encryption"])
def test_universal_sublayer_option_moves_every_scenario_filter(name: str) -> None:
    options = DECLARATIONS.get(name, {})
    ours = expand({"scenario": {name: options}})
    universal = expand({"scenario": {name: {**options, "filter_sublayer": "universal"}}})
    assert {f["sublayer_key"] for f in ours["filters"]} == {sublayer_key_of({})}
    assert {catalogue.symbol_of(f["sublayer_key"]) for f in universal["filters"]} == {
        "FWPM_SUBLAYER_UNIVERSAL"
    }
    # Same objects otherwise, same keys: moving between sublayers is a replace of the filters.
    assert [f["key"] for f in ours["filters"]] == [f["key"] for f in universal["filters"]]


def test_the_staged_family_shares_keys_so_a_stage_change_touches_only_what_changes() -> None:
    boundary = expand(declaration("nd_boundary"))
    isolation = expand(declaration("nd_transport"))
    same = {f["key"] for f in boundary["filters"]} & {f["key"] for f in isolation["filters"]}
    assert len(same) == len(boundary["filters"])  # isolation only adds filters
    assert {c["key"] for c in boundary["provider_contexts"]} == {
        c["key"] for c in isolation["provider_contexts"]
    }


EXEMPTION_CASES = [
    ({"dhcp_exemption": True}, [UDP, local_port(68)], [UDP, local_port(546)]),
    (
        {"dns_exemption": True},
        [UDP, TCP, ("FWPM_CONDITION_IP_REMOTE_PORT", "FWP_MATCH_EQUAL", ("FWP_UINT16", 53))],
        [UDP, TCP, ("FWPM_CONDITION_IP_REMOTE_PORT", "FWP_MATCH_EQUAL", ("FWP_UINT16", 53))],
    ),
    (
        {"exempt_addresses": ["10.0.0.10", "fd00::/64"]},
        [
            (
                "FWPM_CONDITION_IP_REMOTE_ADDRESS",
                "FWP_MATCH_EQUAL",
                ("FWP_V4_ADDR_MASK", "10.0.0.10/32"),
            )
        ],
        [
            (
                "FWPM_CONDITION_IP_REMOTE_ADDRESS",
                "FWP_MATCH_EQUAL",
                ("FWP_V6_ADDR_MASK", "fd00::/64"),
            )
        ],
    ),
    (
        {"exempt_ports": [{"port": 5985, "port_end": 5986, "protocol": "tcp"}]},
        [
            UNICAST,
            TCP,
            ("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_MATCH_RANGE", ("FWP_RANGE_TYPE", 5985, 5986)),
        ],
        [
            UNICAST,
            TCP,
            ("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_MATCH_RANGE", ("FWP_RANGE_TYPE", 5985, 5986)),
        ],
    ),
]


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize(("options", "v4", "v6"), EXEMPTION_CASES)
def test_exemption_sets_sit_on_every_secure_all_layer(
    name: str, options: dict[str, Any], v4: list[Any], v6: list[Any]
) -> None:
    before = expand(declaration(name))
    after = expand(declaration(name, **options))
    known = {f["key"] for f in before["filters"]}
    added = [signature(f, {}) for f in after["filters"] if f["key"] not in known]
    layers = ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"] + (
        ["ALE_AUTH_RECV_ACCEPT"] if PAGES[name]["recv_accept"] else []
    )
    expected = [
        row(f"FWPM_LAYER_{layer}_V{v}", conditions, "FWP_ACTION_PERMIT", weight=EXEMPTION_WEIGHT)
        for v, conditions in ((4, v4), (6, v6))
        for layer in layers
    ]
    assert sorted(added, key=repr) == sorted(expected, key=repr)


DEFAULT_DECLARATIONS = {
    **DECLARATIONS,
    "guaranteed_encryption": {"required_ports": [{"port": 5555}]},
}


@pytest.mark.parametrize("name", sorted(DEFAULT_DECLARATIONS))
def test_every_scenario_has_its_page_with_the_right_counts(name: str) -> None:
    """docs/scenario-<name>.md cites Microsoft's page and states the default object counts."""
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import REGISTRY

    from tests.unit.conftest import REPO

    text = (REPO / "docs" / f"scenario-{name.replace('_', '-')}.md").read_text()
    assert REGISTRY[name].page.removeprefix("https://learn.microsoft.com/") in text
    state = validate({"scenario": {name: DEFAULT_DECLARATIONS[name]}}).desired
    contexts, filters = len(state["provider_contexts"]), len(state["filters"])
    assert f"{contexts} provider contexts and {filters} filters" in text


def test_every_registered_scenario_is_documented_in_the_module() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.options import module_options
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import REGISTRY

    assert set(module_options("policy")["scenario"]["suboptions"]) == set(REGISTRY)
