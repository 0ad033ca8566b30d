"""Every scenario on the engine model and under arbitration: which filter decides what.

* apply on an empty engine, read back what was declared, and a second plan is empty;
* any stage to any other stage is one pre-flighted plan whose result is the new stage;
* arbitration: IKE/AuthIP (UDP 500/4500 IPv4, UDP 500 IPv6) is permitted in our sublayer on
  every layer with a callout (ALE: LocalSystem only), everything else is decided by the callouts;
* shadow analysis knows the exemptions (BFE's own beside ours in FWPM_SUBLAYER_UNIVERSAL);
* property tests over random declarations of every scenario.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import arbitration, catalogue, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import (
    DeclarationError,
    validate,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import apply_plan, preflight
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import (
    provider_key_of,
    sublayer_key_of,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import (
    RULE_SAME_SUBLAYER,
    find_shadowing,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SD1 = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-515)"
SD2 = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-513)"
CERTIFICATE = {"method": "certificate", "root_subjects": ["CN=Example Root CA"]}
BASE: dict[str, dict[str, Any]] = {
    "nd_boundary": {},
    "nd_transport": {},
    "transport_mode": {},
    "remote_identity_authorization": {
        "remote_machine_sddl": SD1,
        "remote_user_sddl": SD2,
        "extended_mode": {"authentication": [{"method": "kerberos"}]},
    },
    "guaranteed_encryption": {"required_ports": [{"port": 5555}]},
    "ikev2_transport": {"main_mode": {"authentication": [CERTIFICATE]}},
}
# Layers with callouts, per scenario (Microsoft's pages; GE's connect filters for its port).
CALLOUT_LAYERS = {
    "nd_boundary": ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"],
    "nd_transport": ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT", "ALE_AUTH_RECV_ACCEPT"],
    "transport_mode": ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"],
    "remote_identity_authorization": [
        "INBOUND_TRANSPORT",
        "OUTBOUND_TRANSPORT",
        "ALE_AUTH_RECV_ACCEPT",
    ],
    "guaranteed_encryption": [
        "INBOUND_TRANSPORT",
        "OUTBOUND_TRANSPORT",
        "ALE_AUTH_RECV_ACCEPT",
        "ALE_AUTH_CONNECT",
    ],
    "ikev2_transport": ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"],
}
SYSTEM = "SY"
SOME_USER = "S-1-5-21-1-2-3-1001"


def desired(name: str, **options: Any) -> dict[str, Any]:
    return validate({"scenario": {name: {**copy.deepcopy(BASE[name]), **options}}}).desired


def packet(version: int, layer: str, protocol: int, port: int, **extra: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE": 1,  # NlatUnicast
        "FWPM_CONDITION_IP_PROTOCOL": protocol,
        "FWPM_CONDITION_IP_LOCAL_PORT": port,
        "FWPM_CONDITION_IP_REMOTE_PORT": extra.pop("remote_port", 49152),
        "FWPM_CONDITION_IP_REMOTE_ADDRESS": extra.pop(
            "remote", "192.0.2.7" if version == 4 else "2001:db8::7"
        ),
    }
    if layer.startswith("ALE"):
        fields["FWPM_CONDITION_ALE_USER_ID"] = extra.pop("user", SYSTEM)
    fields.update(extra)
    return fields


def decided(
    state: dict[str, Any],
    layer: str,
    version: int,
    fields: dict[str, Any],
    sublayer: str | None = None,
) -> dict[str, Any]:
    found = arbitration.deciding_filter(
        state, f"FWPM_LAYER_{layer}_V{version}", fields, sublayer or sublayer_key_of({})
    )
    assert found is not None
    return found


# ---- engine model -----------------------------------------------------------------------------


def assert_holds(after: dict[str, Any], state: dict[str, Any], key: str) -> None:
    """The engine holds exactly the declared objects (runtime fields aside) and nothing to do."""
    owned = model.owned_state(after, key)
    for list_name in ("providers", "sublayers", "provider_contexts", "filters"):
        assert [o["key"] for o in owned[list_name]] == [o["key"] for o in state[list_name]]
    assert make_plan(state, after, key)["operations"] == []


# Every scenario, IKEv2 transport included (its contexts are written through the ikeV2 arms).
APPLIED = sorted(BASE)


@pytest.mark.parametrize("name", APPLIED)
def test_apply_reads_back_and_is_idempotent(name: str) -> None:
    state = desired(name, dhcp_exemption=True, dns_exemption=True, exempt_addresses=["10.0.0.10"])
    key = provider_key_of({})
    plan = make_plan(state, model.empty_state(), key)
    preflight(model.empty_state(), plan)
    after, result = apply_plan(model.empty_state(), plan)
    assert result["applied"] == len(plan["operations"])
    assert_holds(after, state, key)


@pytest.mark.parametrize("first", APPLIED)
@pytest.mark.parametrize("second", APPLIED)
def test_any_stage_to_any_stage_is_one_clean_plan(first: str, second: str) -> None:
    key = provider_key_of({})
    host, _result = apply_plan(
        model.empty_state(), make_plan(desired(first), model.empty_state(), key)
    )
    target = desired(second)
    plan = make_plan(target, host, key)
    preflight(host, plan)
    after, _result = apply_plan(host, plan)
    assert_holds(after, target, key)


def test_boundary_to_isolation_touches_only_quick_mode_and_adds_receive_accept() -> None:
    key = provider_key_of({})
    host, _result = apply_plan(
        model.empty_state(), make_plan(desired("nd_boundary"), model.empty_state(), key)
    )
    plan = make_plan(desired("nd_transport"), host, key)
    contexts = {
        (o["op"], o["object"]["type"] if o["op"] == "add" else o["name"])
        for o in plan["operations"]
        if o["type"] == "provider_context"
    }
    assert {t for op, t in contexts if op == "add"} == {
        "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
    }
    added_layers = {
        catalogue.symbol_of(o["object"]["layer_key"])
        for o in plan["operations"]
        if o["type"] == "filter" and o["op"] == "add"
    }
    assert added_layers == {
        "FWPM_LAYER_IPSEC_V4",
        "FWPM_LAYER_IPSEC_V6",  # QM policy filters follow their re-added contexts
        "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
        "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6",
    }


# ---- arbitration ------------------------------------------------------------------------------


def _ike_ports(version: int) -> list[int]:
    return [500, 4500] if version == 4 else [500]


@pytest.mark.parametrize("name", sorted(BASE))
@pytest.mark.parametrize("version", [4, 6])
def test_ike_is_permitted_in_our_sublayer_and_everything_else_meets_the_callouts(
    name: str, version: int
) -> None:
    state = desired(name)
    for layer in CALLOUT_LAYERS[name]:
        for port in _ike_ports(version):
            filter_obj = decided(state, layer, version, packet(version, layer, 17, port))
            assert filter_obj["action"]["type"] == "FWP_ACTION_PERMIT", (layer, port)
            assert f"IKE/AuthIP UDP/{port}" in filter_obj["name"]
        if layer == "ALE_AUTH_CONNECT":
            continue  # only the required port has a callout there
        for protocol, port in ((6, 443), (17, 53), (17, 4500 if version == 6 else 501)):
            filter_obj = decided(state, layer, version, packet(version, layer, protocol, port))
            assert filter_obj["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING", (layer, port)
            assert filter_obj["action"]["callout_key"] in {
                catalogue.GUIDS[f"FWPM_CALLOUT_IPSEC_{c}_V{version}"]
                for c in ("INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT", "INBOUND_INITIATE_SECURE")
            }


@pytest.mark.parametrize(
    "name", ["nd_transport", "remote_identity_authorization", "guaranteed_encryption"]
)
def test_ale_ike_exemption_is_local_system_only(name: str) -> None:
    state = desired(name)
    for version in (4, 6):
        other = packet(version, "ALE_AUTH_RECV_ACCEPT", 17, 500, user=SOME_USER)
        filter_obj = decided(state, "ALE_AUTH_RECV_ACCEPT", version, other)
        assert filter_obj["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"


def test_without_ike_exemption_ike_meets_the_callout() -> None:
    state = desired("nd_transport", ike_exemption=False)
    filter_obj = decided(state, "INBOUND_TRANSPORT", 4, packet(4, "INBOUND_TRANSPORT", 17, 500))
    assert filter_obj["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"


def test_icmp_dhcp_dns_and_addresses_are_decided_by_their_exemptions() -> None:
    state = desired(
        "transport_mode",
        dhcp_exemption=True,
        dns_exemption=True,
        exempt_addresses=["10.0.0.10", "10.1.0.0/16", "fd00::/64"],
    )
    cases = [
        (4, packet(4, "INBOUND_TRANSPORT", 1, 0), "ICMP"),
        (6, packet(6, "INBOUND_TRANSPORT", 58, 0), "ICMP"),
        (4, packet(4, "OUTBOUND_TRANSPORT", 17, 68, remote_port=67), "DHCP"),
        (6, packet(6, "OUTBOUND_TRANSPORT", 17, 546, remote_port=547), "DHCP"),
        (4, packet(4, "OUTBOUND_TRANSPORT", 17, 50000, remote_port=53), "DNS"),
        (6, packet(6, "INBOUND_TRANSPORT", 6, 50000, remote_port=53), "DNS"),
        (4, packet(4, "INBOUND_TRANSPORT", 6, 445, remote="10.0.0.10"), "10.0.0.10/32"),
        (4, packet(4, "INBOUND_TRANSPORT", 6, 445, remote="10.1.2.3"), "10.1.0.0/16"),
        (6, packet(6, "INBOUND_TRANSPORT", 6, 445, remote="fd00::5"), "fd00::/64"),
    ]
    for version, fields, what in cases:
        for layer in ("INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"):
            filter_obj = decided(state, layer, version, fields)
            assert filter_obj["action"]["type"] == "FWP_ACTION_PERMIT", what
            assert filter_obj["name"].endswith(f"exempt {what}"), (what, filter_obj["name"])
    near_miss = packet(4, "INBOUND_TRANSPORT", 6, 445, remote="10.0.0.11")
    assert decided(state, "INBOUND_TRANSPORT", 4, near_miss)["action"]["type"] == (
        "FWP_ACTION_CALLOUT_TERMINATING"
    )


def test_exempt_port_range_is_one_range_condition_deciding_every_port_in_it() -> None:
    state = desired("nd_boundary", exempt_ports=[{"port": "5985-5986"}])
    for port, action in ((5985, "PERMIT"), (5986, "PERMIT"), (5987, "CALLOUT_TERMINATING")):
        fields = packet(4, "INBOUND_TRANSPORT", 6, port)
        assert (
            decided(state, "INBOUND_TRANSPORT", 4, fields)["action"]["type"]
            == f"FWP_ACTION_{action}"
        )


def test_remote_identity_authorization_decides_by_identity() -> None:
    state = desired("remote_identity_authorization")
    machine, user = "S-1-5-21-1-2-3-515", "S-1-5-21-1-2-3-513"
    allowed = packet(
        4,
        "ALE_AUTH_RECV_ACCEPT",
        6,
        5555,
        user=SOME_USER,
        FWPM_CONDITION_ALE_REMOTE_MACHINE_ID=machine,
        FWPM_CONDITION_ALE_REMOTE_USER_ID=user,
    )
    first = decided(state, "ALE_AUTH_RECV_ACCEPT", 4, allowed)
    assert first["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"
    assert "authorised remote identities" in first["name"]
    stranger = dict(allowed, FWPM_CONDITION_ALE_REMOTE_MACHINE_ID="S-1-5-21-9-9-9-515")
    blocked = decided(state, "ALE_AUTH_RECV_ACCEPT", 4, stranger)
    assert blocked["action"]["type"] == "FWP_ACTION_BLOCK"
    other_port = dict(allowed, FWPM_CONDITION_IP_LOCAL_PORT=8080)
    assert "secure unicast" in decided(state, "ALE_AUTH_RECV_ACCEPT", 4, other_port)["name"]


def test_universal_sublayer_option_puts_the_decisions_there() -> None:
    state = desired("nd_transport", filter_sublayer="universal")
    universal = catalogue.GUIDS["FWPM_SUBLAYER_UNIVERSAL"]
    fields = packet(4, "INBOUND_TRANSPORT", 17, 500)
    assert "IKE/AuthIP" in decided(state, "INBOUND_TRANSPORT", 4, fields, universal)["name"]
    assert (
        arbitration.deciding_filter(
            state, "FWPM_LAYER_INBOUND_TRANSPORT_V4", fields, sublayer_key_of({})
        )
        is None
    )


# ---- shadow analysis knows the exemptions --------------------------------------------------


def _bfe_ike_exemption(version: int, port: int) -> dict[str, Any]:
    """A filter like BFE's own IKE exemption: UDP/port, range 0xC, in FWPM_SUBLAYER_UNIVERSAL."""
    return model.canonical(
        "filter",
        {
            "key": f"00000000-0000-0000-0000-{version:06d}{port:06d}",
            "name": f"IKE exemption {port}",
            "provider_key": "FWPM_PROVIDER_IKEEXT",
            "layer_key": f"FWPM_LAYER_INBOUND_TRANSPORT_V{version}",
            "sublayer_key": "FWPM_SUBLAYER_UNIVERSAL",
            "weight": {"type": "FWP_UINT8", "value": 0xC},
            "conditions": [
                {
                    "field_key": "FWPM_CONDITION_IP_PROTOCOL",
                    "value": {"type": "FWP_UINT8", "value": 17},
                },
                {
                    "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                    "value": {"type": "FWP_UINT16", "value": port},
                },
            ],
            "action": {"type": "FWP_ACTION_PERMIT"},
        },
    )


@pytest.mark.parametrize(("ike_exemption", "findings"), [(True, 0), (False, 2)])
def test_bfe_exemptions_beside_ours_in_universal_are_no_finding(
    ike_exemption: bool, findings: int
) -> None:
    state = copy.deepcopy(
        desired("transport_mode", filter_sublayer="universal", ike_exemption=ike_exemption)
    )
    state["filters"] += [_bfe_ike_exemption(4, 500), _bfe_ike_exemption(4, 4500)]
    same_sublayer = [
        f
        for f in find_shadowing(state, provider_key_of({}))
        if f.rule == RULE_SAME_SUBLAYER and f.theirs.name.startswith("IKE exemption")
    ]
    # Without our own exemption BFE's shadows our callout for UDP 500/4500 (the traffic it takes
    # away is IKE's); with ours, the outcome for that traffic is ours already.
    assert len(same_sublayer) == findings
    assert all("secure unicast" in f.ours.name for f in same_sublayer)


# ---- validation -------------------------------------------------------------------------------


def _problems(arguments: dict[str, Any]) -> list[str]:
    with pytest.raises(DeclarationError) as caught:
        validate(arguments)
    return [str(p) for p in caught.value.problems]


def test_two_scenarios_are_refused() -> None:
    problems = _problems({"scenario": {"nd_boundary": {}, "nd_transport": {}}})
    assert problems == [
        "scenario: declares nd_boundary, nd_transport; only one scenario is active per provider: "
        "keep one (moving a fleet from one scenario to the next is a normal converge)"
    ]


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        (
            "remote_identity_authorization",
            {"remote_machine_sddl": None},
            "remote_machine_sddl: is required",
        ),
        (
            "remote_identity_authorization",
            {"remote_machine_sddl": "S-1-5-18"},
            "remote_machine_sddl: is not a security descriptor",
        ),
        (
            "remote_identity_authorization",
            {"keying_modules": ["ike"], "extended_mode": {}, "remote_user_sddl": SD2},
            "remote_user_sddl: the user identity (SD2) comes from AuthIP extended mode",
        ),
        ("ikev2_transport", {"main_mode": {"authentication": []}}, "main_mode.authentication"),
        (
            "ikev2_transport",
            {"main_mode": {"authentication": [{"method": "kerberos"}]}},
            "IKEv2 main mode does not support kerberos",
        ),
        (
            "ikev2_transport",
            {"main_mode": {"authentication": [{"method": "preshared_key", "key": "s3cret"}]}},
            "IKEv2 main mode does not support preshared_key",
        ),
        (
            "ikev2_transport",
            {"main_mode": {"authentication": [{"method": "certificate_ecdsa_p256"}]}},
            "authentication[0].root_subjects: is required with method certificate_ecdsa_p256",
        ),
        (
            "transport_mode",
            {
                "keying_modules": ["authip"],
                "main_mode": {
                    "authentication": [
                        {"method": "certificate_ecdsa_p384", "root_subjects": ["CN=R"]}
                    ]
                },
            },
            "AuthIP main mode does not support certificate_ecdsa_p384",
        ),
        ("nd_boundary", {"exempt_addresses": ["10.0.0.300"]}, "exempt_addresses[0]"),
        # A zone would be dropped silently: the exemption would hold on every interface.
        (
            "nd_boundary",
            {"exempt_addresses": ["10.0.0.1", "fe80::1%eth0/64"]},
            "exempt_addresses[1]: the address names a zone",
        ),
        (
            "nd_boundary",
            {"exempt_ports": [{"port": 80}, {"port": "70-90"}]},
            "is already declared at exempt_ports[0]",
        ),
        ("transport_mode", {"keying_modules": ["ikev2"]}, "keying_modules"),
    ],
)
def test_scenario_checks_name_the_option(name: str, options: dict[str, Any], expected: str) -> None:
    arguments = {"scenario": {name: {**BASE[name], **options}}}
    problems = _problems(arguments)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("certificate", "IKEEXT_CERTIFICATE"),
        ("certificate_ecdsa_p256", "IKEEXT_CERTIFICATE_ECDSA_P256"),
        ("certificate_ecdsa_p384", "IKEEXT_CERTIFICATE_ECDSA_P384"),
    ],
)
def test_ikev2_certificate_methods_are_the_documented_types(method: str, expected: str) -> None:
    # IKEEXT_AUTHENTICATION_METHOD_TYPE: the three are "available only for IKE and IKEv2".
    declared = {"method": method, "root_subjects": ["CN=Root"], "trust": "trusted_root_store"}
    state = desired("ikev2_transport", main_mode={"authentication": [declared]})
    mm = next(c for c in state["provider_contexts"] if c["type"].endswith("_MM_CONTEXT"))
    [written] = mm["policy"]["authentication_methods"]
    assert written["type"] == expected
    assert (
        written["inbound_config"]
        == written["outbound_config"]
        == ("IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE")
    )


def test_transport_family_accepts_non_encrypting_proposals_but_guaranteed_encryption_does_not() -> (
    None
):
    ah = {"quick_mode": {"proposals": [{"protocol": "ah", "integrity": "sha256"}]}}
    assert desired("transport_mode", **ah)["provider_contexts"]
    assert any(
        "does not encrypt" in p
        for p in _problems(
            {"scenario": {"guaranteed_encryption": {**BASE["guaranteed_encryption"], **ah}}}
        )
    )


# ---- properties over random declarations ---------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def declarations(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(APPLIED))
    options: dict[str, Any] = copy.deepcopy(BASE[name])
    options["ip_versions"] = draw(st.sampled_from([[4], [6], [4, 6]]))
    if name != "ikev2_transport":
        options["keying_modules"] = draw(st.sampled_from([["authip"], ["ike"], ["authip", "ike"]]))
        if name == "remote_identity_authorization" and "authip" not in options["keying_modules"]:
            options["remote_user_sddl"] = None
            options["extended_mode"] = {}
    for flag in ("icmp_exemption", "ike_exemption", "dhcp_exemption", "dns_exemption"):
        options[flag] = draw(st.booleans())
    options["filter_sublayer"] = draw(st.sampled_from(["ours", "universal"]))
    low = draw(st.integers(1000, 1100))
    options["exempt_ports"] = draw(
        st.sampled_from(
            [
                [],
                [{"port": low}],
                [{"port": f"{low}-{low + draw(st.integers(1, 50))}", "protocol": "udp"}],
            ]
        )
    )
    options["exempt_addresses"] = draw(
        st.lists(
            st.sampled_from(["10.0.0.10", "10.1.0.0/16", "fd00::/64", "2001:db8::1"]),
            unique=True,
            max_size=3,
        )
    )
    return name, {"scenario": {name: options}}


@PROPERTY_SETTINGS
@given(declarations())
def test_random_declarations_apply_once_and_stay_converged(
    case: tuple[str, dict[str, Any]],
) -> None:
    _name, arguments = case
    state = validate(copy.deepcopy(arguments)).desired
    assert validate(copy.deepcopy(arguments)).desired == state  # deterministic
    key = provider_key_of({})
    after, _result = apply_plan(model.empty_state(), make_plan(state, model.empty_state(), key))
    assert_holds(after, state, key)


@PROPERTY_SETTINGS
@given(declarations(), st.sampled_from([(17, 500), (17, 4500), (6, 80), (17, 53), (1, 0), (58, 0)]))
def test_random_declarations_keep_ike_out_of_the_callouts(
    case: tuple[str, dict[str, Any]], traffic: tuple[int, int]
) -> None:
    name, arguments = case
    options = arguments["scenario"][name]
    state = validate(copy.deepcopy(arguments)).desired
    sublayer = (
        catalogue.GUIDS["FWPM_SUBLAYER_UNIVERSAL"]
        if options["filter_sublayer"] == "universal"
        else sublayer_key_of({})
    )
    protocol, port = traffic
    for version in options["ip_versions"]:
        if protocol in (1, 58) and protocol != (1 if version == 4 else 58):
            continue
        for layer in CALLOUT_LAYERS[name]:
            if layer == "ALE_AUTH_CONNECT":
                continue
            fields = packet(
                version,
                layer,
                protocol,
                port,
                remote="203.0.113.9" if version == 4 else "2001:db8:ffff::9",
            )
            found = decided(state, layer, version, fields, sublayer)
            ike = protocol == 17 and port in _ike_ports(version) and options["ike_exemption"]
            icmp = protocol in (1, 58) and options["icmp_exemption"]
            dns = protocol == 17 and port == 53 and False  # local port 53 is not DNS client traffic
            expected = (
                "FWP_ACTION_PERMIT" if ike or icmp or dns else "FWP_ACTION_CALLOUT_TERMINATING"
            )
            assert found["action"]["type"] == expected, (layer, version, traffic, found["name"])


@pytest.mark.parametrize("name", ["nd_boundary", "remote_identity_authorization"])
def test_pre_shared_keys_never_reach_a_problem_text(name: str) -> None:
    """Every scenario's keys are no_log through the option layer's constraint table."""
    secret = "s3cr3t-psk-value"
    options = {
        **BASE[name],
        "keying_modules": ["authip"],
        "main_mode": {"authentication": [{"method": "preshared_key", "key": secret}]},
    }
    if name == "remote_identity_authorization":
        options["extended_mode"] = {"authentication": [{"method": "preshared_key", "key": secret}]}
    problems = _problems({"scenario": {name: options}})
    assert problems and not any(secret in p for p in problems)
