"""Desired states for the host tests: the guaranteed-encryption expansion from
plugin_utils/scenario.py, and a "rich" variant that also exercises every marshalling path
(pre-shared key, certificate roots, extended mode, every value type, 64-bit weights,
non-ASCII text)."""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model, scenario

# The option layer has no default port: the tests name theirs.
GE_DECLARATION: dict[str, Any] = {
    "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}
}
PSK = "s3cr3t-ключ-🔑"
G = catalogue.GUIDS


def guaranteed_encryption(**declaration: Any) -> tuple[str, dict[str, Any]]:
    """(provider key, desired state) of the default guaranteed-encryption declaration."""
    full = copy.deepcopy(GE_DECLARATION)
    full.update(declaration)
    return scenario.provider_key_of(full), scenario.expand(full)


def _context(state: dict[str, Any], context_type: str) -> dict[str, Any]:
    return next(c for c in state["provider_contexts"] if c["type"] == context_type)


def rich() -> tuple[str, dict[str, Any]]:
    """The guaranteed-encryption state plus objects that use every supported field."""
    provider_key, state = guaranteed_encryption()
    state = copy.deepcopy(state)
    state["providers"][0]["name"] = "wfp.ipsec — Überprüfung ✓"
    state["providers"][0]["provider_data"] = "00ff10"
    ike_mm = _context(state, "FWPM_IPSEC_IKE_MM_CONTEXT")
    ike_mm["policy"]["authentication_methods"] = [
        {"type": "IKEEXT_PRESHARED_KEY", "key": PSK},
        {
            "type": "IKEEXT_CERTIFICATE",
            "inbound_config": "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST",
            "outbound_config": "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST",
            "root_subjects": ["CN=Corp Root CA, O=Corp"],
            "flags": ["IKEEXT_CERT_AUTH_FLAG_DISABLE_CRL_CHECK"],
        },
        {"type": "IKEEXT_KERBEROS", "flags": []},
    ]
    ike_mm["policy"]["retransmit_duration_seconds"] = 60
    authip_qm = _context(state, "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT")
    authip_qm["policy"]["em_policy"] = {
        "authentication_methods": [
            {"type": "IKEEXT_KERBEROS", "flags": []},
            {"type": "IKEEXT_NTLM_V2", "flags": []},
            {
                "type": "IKEEXT_SSL",
                "inbound_config": "IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE",
                "outbound_config": "IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE",
                "root_subjects": [],
                "flags": [],
            },
            {"type": "IKEEXT_ANONYMOUS"},
        ],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL",
    }
    sha256 = {"type": "IPSEC_AUTH_SHA_256", "config": "IPSEC_AUTH_CONFIG_HMAC_SHA_256_128"}
    aes256 = {"type": "IPSEC_CIPHER_TYPE_AES_256", "config": "IPSEC_CIPHER_CONFIG_CBC_AES_256"}
    authip_qm["policy"]["proposals"][0]["transforms"] = [
        {"type": "IPSEC_TRANSFORM_AH", "auth": sha256},
        {"type": "IPSEC_TRANSFORM_ESP_CIPHER", "cipher": aes256},
    ]
    sublayer_key = state["sublayers"][0]["key"]

    def value(value_type: str, raw: Any) -> dict[str, Any]:
        return {"type": value_type, "value": raw}

    conditions = [
        (
            "FWPM_CONDITION_IP_REMOTE_ADDRESS",
            "FWP_MATCH_EQUAL",
            value("FWP_BYTE_ARRAY16_TYPE", "fe80::1:0:0:2"),
        ),
        (
            "FWPM_CONDITION_IP_REMOTE_ADDRESS",
            "FWP_MATCH_EQUAL",
            value("FWP_BYTE_ARRAY16_TYPE", "::ffff:10.1.2.3"),
        ),
        (
            "FWPM_CONDITION_IP_REMOTE_ADDRESS",
            "FWP_MATCH_EQUAL",
            value("FWP_V4_ADDR_MASK", "10.0.0.0/8"),
        ),
        (
            "FWPM_CONDITION_IP_REMOTE_ADDRESS",
            "FWP_MATCH_EQUAL",
            value("FWP_V6_ADDR_MASK", "fd00:1234::/32"),
        ),
        ("FWPM_CONDITION_IP_REMOTE_ADDRESS", "FWP_MATCH_EQUAL", value("FWP_UINT32", 0xC0A80001)),
        (
            "FWPM_CONDITION_IP_LOCAL_PORT",
            "FWP_MATCH_RANGE",
            {
                "type": "FWP_RANGE_TYPE",
                "low": value("FWP_UINT16", 1000),
                "high": value("FWP_UINT16", 2000),
            },
        ),
        (
            "FWPM_CONDITION_ALE_APP_ID",
            "FWP_MATCH_EQUAL",
            value("FWP_BYTE_BLOB_TYPE", "5c00640065007600"),
        ),
        (
            "FWPM_CONDITION_ALE_USER_ID",
            "FWP_MATCH_EQUAL",
            value("FWP_SECURITY_DESCRIPTOR_TYPE", "O:SYG:SYD:(A;;CC;;;WD)"),
        ),
        ("FWPM_CONDITION_ALE_PACKAGE_ID", "FWP_MATCH_EQUAL", value("FWP_SID", "S-1-5-18")),
        (
            "FWPM_CONDITION_IP_LOCAL_INTERFACE",
            "FWP_MATCH_EQUAL",
            value("FWP_UINT64", (1 << 64) - 2),
        ),
        ("FWPM_CONDITION_INTERFACE_TYPE", "FWP_MATCH_EQUAL", value("FWP_INT64", -(1 << 62))),
        (
            "FWPM_CONDITION_MAC_LOCAL_ADDRESS",
            "FWP_MATCH_EQUAL",
            value("FWP_BYTE_ARRAY6_TYPE", "00-11-22-aa-bb-cc"),
        ),
        (
            "FWPM_CONDITION_ALE_EFFECTIVE_NAME",
            "FWP_MATCH_EQUAL",
            value("FWP_UNICODE_STRING_TYPE", "dienst-ä"),
        ),
        ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_EQUAL", value("FWP_UINT8", 6)),
        ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_NOT_EQUAL", value("FWP_INT8", -5)),
        ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_NOT_EQUAL", value("FWP_INT16", -300)),
        ("FWPM_CONDITION_IP_PROTOCOL", "FWP_MATCH_NOT_EQUAL", value("FWP_INT32", -70000)),
    ]
    state["filters"].append(
        {
            "key": scenario.derived_key(provider_key, "test/value-zoo"),
            "name": "value zoo — 値",
            "description": "every FWP value type the collection writes",
            "flags": ["FWPM_FILTER_FLAG_PERSISTENT"],
            "provider_key": provider_key,
            "provider_data": None,
            "layer_key": G["FWPM_LAYER_ALE_AUTH_CONNECT_V4"],
            "sublayer_key": sublayer_key,
            "weight": {"type": "FWP_UINT64", "value": (1 << 64) - 1},
            "conditions": [
                {"field_key": G[field], "match_type": match, "value": val}
                for field, match, val in conditions
            ],
            "action": {"type": "FWP_ACTION_BLOCK", "callout_key": None},
            "raw_context": (1 << 63) + 5,
            "provider_context_key": None,
        }
    )
    return provider_key, model.canonical_state(state)
