"""Golden test: the guaranteed-encryption expansion against the scenario's specification table.

The expected table is written out here from Microsoft's "Guaranteed Encryption" page, its
"IKE/AuthIP Exemptions" page (issue 9: the same exemptions in our sublayer, at every layer with
a callout, ALE ones restricted to local system) and the collection's documented weights,
independently of the expansion code.
"""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import (
    expand,
    provider_key_of,
    sublayer_key_of,
)

G = catalogue.GUIDS
C = catalogue.CONSTANTS
UNICAST = ("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", 1)  # NlatUnicast
LOCAL_SYSTEM = (
    "FWPM_CONDITION_ALE_USER_ID",
    "FWP_SECURITY_DESCRIPTOR_TYPE",
    "O:SYG:SYD:(A;;CCRC;;;SY)",
)


def _spec(version: int) -> list[dict[str, Any]]:
    """One row per filter: what the specification says for IP version `version`."""
    icmp = ("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", 1 if version == 4 else 58)
    tcp_5555 = [
        UNICAST,
        ("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", 6),
        ("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_UINT16", 5555),
    ]
    v = f"V{version}"
    rows: list[dict[str, Any]] = []
    for layer, context_type, weight in (
        ("IKEEXT", "FWPM_IPSEC_IKE_MM_CONTEXT", 0x100),
        ("IKEEXT", "FWPM_IPSEC_AUTHIP_MM_CONTEXT", 0x200),
        ("IPSEC", "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", 0x100),
        ("IPSEC", "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT", 0x200),
    ):
        rows.append(
            dict(
                layer=f"FWPM_LAYER_{layer}_{v}",
                conditions=[],
                action="FWP_ACTION_PERMIT",
                callout=None,
                raw=None,
                context=context_type,
                weight=("FWP_UINT64", weight),
            )
        )
    for layer, callout, raw in (
        (
            "INBOUND_TRANSPORT",
            "INBOUND_TRANSPORT",
            "FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY",
        ),
        (
            "OUTBOUND_TRANSPORT",
            "OUTBOUND_TRANSPORT",
            "FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER",
        ),
        ("ALE_AUTH_RECV_ACCEPT", "INBOUND_INITIATE_SECURE", None),  # the page: no rawContext
    ):
        rows.append(
            dict(
                layer=f"FWPM_LAYER_{layer}_{v}",
                conditions=[UNICAST],
                action="FWP_ACTION_CALLOUT_TERMINATING",
                callout=f"FWPM_CALLOUT_IPSEC_{callout}_{v}",
                raw=C[raw] if raw else None,
                context=None,
                weight=("FWP_UINT64", 0x100),
            )
        )
        rows.append(
            dict(
                layer=f"FWPM_LAYER_{layer}_{v}",
                conditions=[UNICAST, icmp],
                action="FWP_ACTION_PERMIT",
                callout=None,
                raw=None,
                context=None,
                weight=("FWP_UINT8", C["FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS"]),
            )
        )
    for layer, callout in (
        ("ALE_AUTH_RECV_ACCEPT", "INBOUND_INITIATE_SECURE"),
        ("ALE_AUTH_CONNECT", "ALE_CONNECT"),
    ):
        rows.append(
            dict(
                layer=f"FWPM_LAYER_{layer}_{v}",
                conditions=tcp_5555,
                action="FWP_ACTION_CALLOUT_TERMINATING",
                callout=f"FWPM_CALLOUT_IPSEC_{callout}_{v}",
                raw=C["FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION"],
                context=None,
                weight=("FWP_UINT64", 0x200),
            )
        )
    # IKE/AuthIP Exemptions: IPv4 UDP 500 and 4500, IPv6 UDP 500, on every layer with a callout.
    for layer in (
        "INBOUND_TRANSPORT",
        "OUTBOUND_TRANSPORT",
        "ALE_AUTH_RECV_ACCEPT",
        "ALE_AUTH_CONNECT",
    ):
        for port in (500, 4500) if version == 4 else (500,):
            ike = [
                ("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", 17),
                ("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_UINT16", port),
            ]
            rows.append(
                dict(
                    layer=f"FWPM_LAYER_{layer}_{v}",
                    conditions=ike + ([LOCAL_SYSTEM] if layer.startswith("ALE") else []),
                    action="FWP_ACTION_PERMIT",
                    callout=None,
                    raw=None,
                    context=None,
                    weight=("FWP_UINT8", C["FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS"]),
                )
            )
    return rows


def _signature(filter_obj: dict[str, Any], contexts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The filter's properties in the vocabulary of the spec table."""
    context = filter_obj["provider_context_key"]
    return dict(
        layer=catalogue.symbol_of(filter_obj["layer_key"]),
        conditions=sorted(
            (catalogue.symbol_of(c["field_key"]), c["value"]["type"], c["value"]["value"])
            for c in filter_obj["conditions"]
            if c["match_type"] == "FWP_MATCH_EQUAL"
        ),
        action=filter_obj["action"]["type"],
        callout=catalogue.symbol_of(filter_obj["action"]["callout_key"])
        if filter_obj["action"]["callout_key"]
        else None,
        raw=filter_obj["raw_context"],
        context=contexts[context]["type"] if context else None,
        weight=(filter_obj["weight"]["type"], filter_obj["weight"]["value"]),
    )


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    return expand({"scenario": {"guaranteed_encryption": {}}})


def test_counts(state: dict[str, Any]) -> None:
    assert [len(state[n]) for n in ("providers", "sublayers", "provider_contexts", "filters")] == [
        1,
        1,
        4,
        36,
    ]


def test_every_filter_matches_the_spec_table(state: dict[str, Any]) -> None:
    contexts = {c["key"]: c for c in state["provider_contexts"]}
    expected = [dict(row, conditions=sorted(row["conditions"])) for v in (4, 6) for row in _spec(v)]
    actual = [_signature(f, contexts) for f in state["filters"]]
    key = repr
    assert sorted(actual, key=key) == sorted(expected, key=key)


def test_every_filter_is_ours_persistent_and_in_our_sublayer(state: dict[str, Any]) -> None:
    provider, sublayer = provider_key_of({}), sublayer_key_of({})
    for filter_obj in state["filters"]:
        assert filter_obj["provider_key"] == provider
        assert filter_obj["sublayer_key"] == sublayer
        assert filter_obj["conditions"] == sorted(
            filter_obj["conditions"],
            key=lambda c: (c["field_key"], c["match_type"], repr(c["value"])),
        )
        assert all(c["match_type"] == "FWP_MATCH_EQUAL" for c in filter_obj["conditions"])
        has_context = filter_obj["provider_context_key"] is not None
        expected_flags = {"FWPM_FILTER_FLAG_PERSISTENT"} | (
            {"FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"} if has_context else set()
        )
        assert set(filter_obj["flags"]) == expected_flags
        assert not (has_context and filter_obj["raw_context"] is not None)


def test_policy_filters_reference_contexts_of_the_right_layer(state: dict[str, Any]) -> None:
    contexts = {c["key"]: c for c in state["provider_contexts"]}
    for filter_obj in state["filters"]:
        if filter_obj["provider_context_key"]:
            context_type = contexts[filter_obj["provider_context_key"]]["type"]
            assert context_type in catalogue.context_types_for_layer(filter_obj["layer_key"])


def test_contexts(state: dict[str, Any]) -> None:
    by_type = {c["type"]: c for c in state["provider_contexts"]}
    assert set(by_type) == {
        "FWPM_IPSEC_IKE_MM_CONTEXT",
        "FWPM_IPSEC_AUTHIP_MM_CONTEXT",
        "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
    }
    for context in state["provider_contexts"]:
        assert context["flags"] == ["FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT"]
        assert context["provider_key"] == provider_key_of({})
    for mm in (by_type["FWPM_IPSEC_IKE_MM_CONTEXT"], by_type["FWPM_IPSEC_AUTHIP_MM_CONTEXT"]):
        policy = mm["policy"]
        assert [m["type"] for m in policy["authentication_methods"]] == ["IKEEXT_KERBEROS"]
        assert [
            (p["cipher"], p["integrity"], p["dh_group"], p["max_lifetime_seconds"])
            for p in policy["proposals"]
        ] == [
            ("IKEEXT_CIPHER_AES_256", "IKEEXT_INTEGRITY_SHA_256", "IKEEXT_DH_GROUP_14", 28800),
            ("IKEEXT_CIPHER_AES_128", "IKEEXT_INTEGRITY_SHA_256", "IKEEXT_DH_ECP_256", 28800),
        ]
    for qm in (
        by_type["FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT"],
        by_type["FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT"],
    ):
        policy = qm["policy"]
        assert policy["flags"] == ["IPSEC_POLICY_FLAG_ND_SECURE"]
        assert policy["em_policy"] is None
        assert (
            policy["nd_allow_clear_timeout_seconds"],
            policy["idle_timeout_seconds"],
            policy["idle_timeout_fail_over_seconds"],
        ) == (10, 300, 60)
        for proposal in policy["proposals"]:
            assert proposal["lifetime"] == {
                "seconds": 3600,
                "kilobytes": 100000,
                "packets": 2147483647,
            }
            assert proposal["pfs_group"] == "IPSEC_PFS_NONE"
            assert all(
                t["type"] == "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER" and t["cipher"]
                for t in proposal["transforms"]
            )
        assert policy["proposals"][0]["transforms"][0] == {
            "type": "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER",
            "auth": {"type": "IPSEC_AUTH_AES_256", "config": "IPSEC_AUTH_CONFIG_GCM_AES_256"},
            "cipher": {
                "type": "IPSEC_CIPHER_TYPE_AES_256",
                "config": "IPSEC_CIPHER_CONFIG_GCM_AES_256",
            },
        }


def test_keys_are_deterministic_and_scoped_by_provider() -> None:
    first = expand({"scenario": {"guaranteed_encryption": {}}})
    again = expand({"scenario": {"guaranteed_encryption": {}}})
    other = expand({"provider": {"name": "other"}, "scenario": {"guaranteed_encryption": {}}})

    def keys(s: dict[str, Any]) -> set[str]:
        return {
            o["key"]
            for n in ("providers", "sublayers", "provider_contexts", "filters")
            for o in s[n]
        }

    assert keys(first) == keys(again)
    assert len(keys(first)) == 42
    assert not keys(first) & keys(other)


def test_explicit_provider_and_sublayer_keys_are_used() -> None:
    declaration = {
        "provider": {"key": "{11111111-2222-3333-4444-555555555555}"},
        "sublayer": {"key": "11111111-2222-3333-4444-666666666666", "weight": 4242},
        "scenario": {"guaranteed_encryption": {}},
    }
    state = expand(declaration)
    assert state["providers"][0]["key"] == "11111111-2222-3333-4444-555555555555"
    assert state["sublayers"][0] == {
        **state["sublayers"][0],
        "key": "11111111-2222-3333-4444-666666666666",
        "weight": 4242,
    }
    assert {f["sublayer_key"] for f in state["filters"]} == {"11111111-2222-3333-4444-666666666666"}


@pytest.mark.parametrize(
    ("options", "contexts", "filters"),
    [
        ({"keying_modules": ["ike"]}, 2, 32),
        ({"ip_versions": [4]}, 4, 20),
        ({"icmp_exemption": False}, 4, 30),
        ({"ike_exemption": False}, 4, 24),
        ({"required_ports": []}, 4, 29),
        ({"required_ports": [{"port": 5555}, {"port": 53, "protocol": "udp"}]}, 4, 40),
        ({"exempt_ports": [{"port": 5985}, {"port": 5986}]}, 4, 48),
        (
            {
                "keying_modules": ["authip"],
                "ip_versions": [6],
                "icmp_exemption": False,
                "ike_exemption": False,
                "required_ports": [],
            },
            2,
            5,
        ),
    ],
)
def test_option_combinations(options: dict[str, Any], contexts: int, filters: int) -> None:
    state = expand({"scenario": {"guaranteed_encryption": options}})
    assert (len(state["provider_contexts"]), len(state["filters"])) == (contexts, filters)


def test_not_persistent_means_no_persistent_flags() -> None:
    state = expand({"persistent": False, "scenario": {"guaranteed_encryption": {}}})
    for list_name in ("providers", "sublayers", "provider_contexts", "filters"):
        for obj in state[list_name]:
            assert not any(flag.endswith("_FLAG_PERSISTENT") for flag in obj["flags"])


def test_extended_mode_only_on_authip_quick_mode() -> None:
    state = expand(
        {
            "scenario": {
                "guaranteed_encryption": {
                    "extended_mode": {
                        "authentication": [{"method": "kerberos"}, {"method": "ntlm_v2"}]
                    }
                }
            }
        }
    )
    by_type = {c["type"]: c["policy"] for c in state["provider_contexts"]}
    assert by_type["FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT"]["em_policy"] is None
    em = by_type["FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT"]["em_policy"]
    assert em == {
        "authentication_methods": [
            {"type": "IKEEXT_KERBEROS", "flags": []},
            {"type": "IKEEXT_NTLM_V2", "flags": []},
        ],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL",
    }


def _key(logical: str) -> str:
    """A key as the first release derived it: UUIDv5(provider key, logical name)."""
    import uuid

    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "ansible-collection:wfp.ipsec")
    provider = uuid.uuid5(namespace, "provider/wfp.ipsec")
    return str(uuid.uuid5(provider, logical))


def test_keys_of_the_first_release_are_kept() -> None:
    """Hosts converged by the first release stay idempotent: same keys for the same objects."""
    state = expand({"scenario": {"guaranteed_encryption": {}}})
    by_key = {f["key"]: f["name"] for f in state["filters"]}
    by_key.update({c["key"]: c["name"] for c in state["provider_contexts"]})
    logical = [
        f"guaranteed_encryption/{mode}/{m}" for mode in ("mm", "qm") for m in ("authip", "ike")
    ]
    for v in (4, 6):
        logical += [
            f"guaranteed_encryption/v{v}/{layer}/{m}"
            for layer in ("ikeext", "ipsec")
            for m in ("authip", "ike")
        ]
        for layer in ("inbound_transport", "outbound_transport", "recv_accept"):
            logical += [
                f"guaranteed_encryption/v{v}/{layer}/unicast",
                f"guaranteed_encryption/v{v}/{layer}/icmp_exemption",
            ]
        logical += [
            f"guaranteed_encryption/v{v}/{layer}/require_encryption/tcp_5555"
            for layer in ("recv_accept", "connect")
        ]
    assert len(logical) == 28
    for name in logical:
        assert _key(name) in by_key, name
    assert by_key[_key("guaranteed_encryption/v4/recv_accept/unicast")] == (
        "wfp.ipsec guaranteed encryption: IPv4 inbound connections: secure unicast"
    )


def test_sample_raw_context_is_an_option_off_by_default() -> None:
    """The page gives the receive/accept "secure all unicast" filter no rawContext; Microsoft's
    sample sets INBOUND_PERSIST_CONNECTION_SECURITY on it: only with recv_accept_raw_context."""

    def raw(options: dict[str, Any]) -> set[Any]:
        state = expand({"scenario": {"guaranteed_encryption": options}})
        return {
            f["raw_context"]
            for f in state["filters"]
            if f["key"]
            in (
                _key("guaranteed_encryption/v4/recv_accept/unicast"),
                _key("guaranteed_encryption/v6/recv_accept/unicast"),
            )
        }

    assert raw({}) == {None}
    assert raw({"recv_accept_raw_context": True}) == {
        C["FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"]
    }
