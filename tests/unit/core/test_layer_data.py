"""The layer tables equal Microsoft's data: the real netsh dumps and the WFP documentation.

`_layer_data.py` is generated from three real `netsh wfp show state` dumps (what BFE itself
enumerates). These tests check that it is current, and that it agrees with what Microsoft's
documentation lists, transcribed below with the page each table comes from.
"""

from __future__ import annotations

import re
import sys

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils._layer_data import (
    CALLOUT_LAYERS,
    LAYER_FIELDS,
)

from tests.unit.conftest import REPO, shared_path

sys.path.insert(0, str(REPO / "tools"))
import gen_layer_data

# ---- Microsoft's documentation, transcribed ---------------------------------------------------
#
# "FWPS_FIELDS_<LAYER> enumeration (fwpsk.h)", learn.microsoft.com/windows-hardware/drivers/ddi/
# fwpsk/ne-fwpsk-fwps_fields_<layer>_: the data fields of each run-time layer, in order. The
# FWPS_FIELD_<LAYER>_<NAME> identifier is the field of condition FWPM_CONDITION_<NAME>, except
# PROFILE_ID, which is FWPM_CONDITION_CURRENT_PROFILE_ID (the "profile identifier (network
# category) of the network interface").
DOCS_FIELDS: dict[str, list[str]] = {
    "FWPM_LAYER_IKEEXT_V4": [
        "IP_LOCAL_ADDRESS",
        "IP_REMOTE_ADDRESS",
        "IP_LOCAL_INTERFACE",
        "PROFILE_ID",
        "IPSEC_SECURITY_REALM_ID",
    ],
    "FWPM_LAYER_IKEEXT_V6": [
        "IP_LOCAL_ADDRESS",
        "IP_REMOTE_ADDRESS",
        "IP_LOCAL_INTERFACE",
        "PROFILE_ID",
        "IPSEC_SECURITY_REALM_ID",
    ],
    "FWPM_LAYER_IPSEC_V4": [
        "IP_PROTOCOL",
        "IP_LOCAL_ADDRESS",
        "IP_REMOTE_ADDRESS",
        "IP_LOCAL_PORT",
        "IP_REMOTE_PORT",
        "IP_LOCAL_INTERFACE",
        "PROFILE_ID",
        "IPSEC_SECURITY_REALM_ID",
    ],
    "FWPM_LAYER_INBOUND_TRANSPORT_V4": [
        "IP_PROTOCOL",
        "IP_LOCAL_ADDRESS",
        "IP_REMOTE_ADDRESS",
        "IP_LOCAL_ADDRESS_TYPE",
        "IP_LOCAL_PORT",
        "IP_REMOTE_PORT",
        "IP_LOCAL_INTERFACE",
        "INTERFACE_INDEX",
        "SUB_INTERFACE_INDEX",
        "FLAGS",
        "INTERFACE_TYPE",
        "TUNNEL_TYPE",
        "PROFILE_ID",
        "IPSEC_SECURITY_REALM_ID",
        "COMPARTMENT_ID",
    ],
    "FWPM_LAYER_OUTBOUND_TRANSPORT_V4": [
        "IP_PROTOCOL",
        "IP_LOCAL_ADDRESS",
        "IP_LOCAL_ADDRESS_TYPE",
        "IP_REMOTE_ADDRESS",
        "IP_LOCAL_PORT",
        "IP_REMOTE_PORT",
        "IP_LOCAL_INTERFACE",
        "INTERFACE_INDEX",
        "SUB_INTERFACE_INDEX",
        "IP_DESTINATION_ADDRESS_TYPE",
        "FLAGS",
        "INTERFACE_TYPE",
        "TUNNEL_TYPE",
        "PROFILE_ID",
        "IPSEC_SECURITY_REALM_ID",
        "COMPARTMENT_ID",
    ],
}
# The first fields of FWPS_FIELDS_ALE_AUTH_CONNECT_V4 (the page lists more, up to newer
# reserved fields): a subset check.
DOCS_ALE_AUTH_CONNECT_V4_PREFIX = [
    "ALE_APP_ID",
    "ALE_USER_ID",
    "IP_LOCAL_ADDRESS",
    "IP_LOCAL_ADDRESS_TYPE",
    "IP_LOCAL_PORT",
    "IP_PROTOCOL",
    "IP_REMOTE_ADDRESS",
    "IP_REMOTE_PORT",
    "ALE_REMOTE_USER_ID",
    "ALE_REMOTE_MACHINE_ID",
    "IP_DESTINATION_ADDRESS_TYPE",
    "IP_LOCAL_INTERFACE",
    "FLAGS",
    "INTERFACE_TYPE",
    "TUNNEL_TYPE",
    "INTERFACE_INDEX",
    "SUB_INTERFACE_INDEX",
    "IP_ARRIVAL_INTERFACE",
    "ARRIVAL_INTERFACE_TYPE",
    "ARRIVAL_TUNNEL_TYPE",
    "ARRIVAL_INTERFACE_INDEX",
    "NEXTHOP_SUB_INTERFACE_INDEX",
    "IP_NEXTHOP_INTERFACE",
]

# "Filtering Condition Identifiers" (learn.microsoft.com/windows/win32/fwp/
# filtering-condition-identifiers-): the condition value's data type ("Data type:").
DOCS_CONDITION_TYPES: dict[str, set[str]] = {
    "FWPM_CONDITION_IP_PROTOCOL": {"FWP_UINT8"},
    "FWPM_CONDITION_IP_LOCAL_PORT": {"FWP_UINT16"},
    "FWPM_CONDITION_IP_REMOTE_PORT": {"FWP_UINT16"},
    "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE": {"FWP_UINT8"},
    "FWPM_CONDITION_IP_LOCAL_INTERFACE": {"FWP_UINT64"},
    "FWPM_CONDITION_FLAGS": {"FWP_UINT32"},
    "FWPM_CONDITION_CURRENT_PROFILE_ID": {"FWP_UINT32"},
    "FWPM_CONDITION_ALE_APP_ID": {"FWP_BYTE_BLOB_TYPE"},
    "FWPM_CONDITION_ALE_USER_ID": {"FWP_SECURITY_DESCRIPTOR_TYPE"},
    "FWPM_CONDITION_ALE_REMOTE_USER_ID": {"FWP_SECURITY_DESCRIPTOR_TYPE"},
    "FWPM_CONDITION_ALE_REMOTE_MACHINE_ID": {"FWP_SECURITY_DESCRIPTOR_TYPE"},
    "FWPM_CONDITION_ALE_PACKAGE_ID": {"FWP_SID"},
    # IPv4 layers: FWP_UINT32 or FWP_V4_ADDR_MASK; IPv6 layers: FWP_BYTE_ARRAY16_TYPE or mask.
    "FWPM_CONDITION_IP_LOCAL_ADDRESS": {
        "FWP_UINT32",
        "FWP_V4_ADDR_MASK",
        "FWP_BYTE_ARRAY16_TYPE",
        "FWP_V6_ADDR_MASK",
    },
    "FWPM_CONDITION_IP_REMOTE_ADDRESS": {
        "FWP_UINT32",
        "FWP_V4_ADDR_MASK",
        "FWP_BYTE_ARRAY16_TYPE",
        "FWP_V6_ADDR_MASK",
    },
}
# Where BFE's own field list differs from the documented condition type: (condition, layer) ->
# the field's data type. The name-resolution-cache layers hold the user as a SID, not a token.
DUMP_TYPE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("FWPM_CONDITION_ALE_USER_ID", "FWPM_LAYER_NAME_RESOLUTION_CACHE_V4"): "FWP_SID",
    ("FWPM_CONDITION_ALE_USER_ID", "FWPM_LAYER_NAME_RESOLUTION_CACHE_V6"): "FWP_SID",
}

# "Built-in Callout Identifiers" (learn.microsoft.com/windows/win32/fwp/
# built-in-callout-identifiers): "This callout is applicable at the transport layer" (transport
# and tunnel callouts), "... at the forward layer" (forward tunnel callouts), "... at the ALE
# accept layer" (inbound initiate secure); the ALE connect callout by its name.
DOCS_CALLOUT_LAYERS: dict[str, tuple[str, ...]] = {
    "FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V{}": ("FWPM_LAYER_INBOUND_TRANSPORT_V{}",),
    "FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V{}": ("FWPM_LAYER_OUTBOUND_TRANSPORT_V{}",),
    "FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V{}": ("FWPM_LAYER_INBOUND_TRANSPORT_V{}",),
    "FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V{}": ("FWPM_LAYER_OUTBOUND_TRANSPORT_V{}",),
    "FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V{}": ("FWPM_LAYER_IPFORWARD_V{}",),
    "FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V{}": ("FWPM_LAYER_IPFORWARD_V{}",),
    "FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V{}": ("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{}",),
    "FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V{}": ("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{}",),
    "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V{}": ("FWPM_LAYER_ALE_AUTH_CONNECT_V{}",),
}

# Layers the collection's scenario uses: each must have a field table.
SCENARIO_LAYERS = [
    f"FWPM_LAYER_{name}_V{version}"
    for name in (
        "IKEEXT",
        "IPSEC",
        "INBOUND_TRANSPORT",
        "OUTBOUND_TRANSPORT",
        "ALE_AUTH_RECV_ACCEPT",
        "ALE_AUTH_CONNECT",
    )
    for version in (4, 6)
]


def _fields(layer: str) -> dict[str, tuple[str, str]]:
    return {catalogue.display(field): entry for field, entry in LAYER_FIELDS[GUIDS[layer]].items()}


def _condition(docs_name: str) -> str:
    name = "CURRENT_PROFILE_ID" if docs_name == "PROFILE_ID" else docs_name
    return f"FWPM_CONDITION_{name}"


def test_generated_data_is_current() -> None:
    expected = gen_layer_data.render(shared_path())
    assert gen_layer_data.OUTPUT.read_text() == expected, "run tools/gen_layer_data.py"


def test_every_dump_field_is_in_the_table() -> None:
    """Vice versa of the generation: parse the dumps again and compare pair by pair."""
    fields, callouts = gen_layer_data.read_dumps(shared_path())
    netsh = gen_layer_data._netsh()
    printed = {
        (gen_layer_data._guid(netsh, layer), gen_layer_data._guid(netsh, field), entry)
        for layer, layer_fields in fields.items()
        for field, entry in layer_fields.items()
    }
    stored = {
        (layer, field, entry)
        for layer, layer_fields in LAYER_FIELDS.items()
        for field, entry in layer_fields.items()
    }
    assert printed == stored
    assert len(stored) > 1400
    assert len(callouts) == len(CALLOUT_LAYERS) >= 40


@pytest.mark.parametrize("layer", sorted(DOCS_FIELDS))
def test_layer_fields_equal_the_documented_fields(layer: str) -> None:
    documented = {_condition(name) for name in DOCS_FIELDS[layer]}
    assert set(_fields(layer)) == documented


def test_ale_connect_has_the_documented_fields() -> None:
    documented = {_condition(name) for name in DOCS_ALE_AUTH_CONNECT_V4_PREFIX}
    assert documented <= set(_fields("FWPM_LAYER_ALE_AUTH_CONNECT_V4"))


@pytest.mark.parametrize("condition", sorted(DOCS_CONDITION_TYPES))
def test_field_types_take_the_documented_value_types(condition: str) -> None:
    """Wherever a layer has the field, the documented value type fits it (and fits no field of
    another IP version: an IPv4 address never matches an IPv6 field)."""
    seen = 0
    for layer_key in LAYER_FIELDS:
        field = catalogue.layer_field(layer_key, GUIDS[condition])
        if field is None:
            continue
        seen += 1
        exception = DUMP_TYPE_EXCEPTIONS.get((condition, catalogue.display(layer_key)))
        if exception is not None:
            assert field.data_type == exception
            continue
        accepted = field.value_types & DOCS_CONDITION_TYPES[condition]
        assert accepted, (catalogue.display(layer_key), condition, field)
        if "ADDRESS" in condition and "TYPE" not in condition:
            v6 = field.data_type == "FWP_BYTE_ARRAY16_TYPE"
            assert accepted == (
                {"FWP_BYTE_ARRAY16_TYPE", "FWP_V6_ADDR_MASK"}
                if v6
                else {"FWP_UINT32", "FWP_V4_ADDR_MASK"}
            )
    assert seen > 0


@pytest.mark.parametrize(("callout", "layers"), sorted(DOCS_CALLOUT_LAYERS.items()))
@pytest.mark.parametrize("version", [4, 6])
def test_callouts_apply_where_the_documentation_says(
    callout: str, layers: tuple[str, ...], version: int
) -> None:
    callout_key = GUIDS[callout.format(version)]
    assert catalogue.callout_layer(callout_key) in {GUIDS[lay.format(version)] for lay in layers}


@pytest.mark.parametrize("layer", SCENARIO_LAYERS)
def test_every_layer_of_the_scenario_has_a_field_table(layer: str) -> None:
    assert catalogue.has_field_table(GUIDS[layer])


def test_writable_context_types_are_what_the_host_layer_writes() -> None:
    """The host layer (its write util WfpIpsecApply.cs, with the type tests of WfpIpsec.cs)
    writes MM and QM transport policies only; any other type is E_INVALIDARG."""
    utils = REPO / "plugins" / "module_utils"
    source = "\n".join((utils / name).read_text() for name in ("WfpIpsec.cs", "WfpIpsecApply.cs"))
    bodies = re.findall(
        r"(?:private|internal) static bool (?:IsMainMode|IsQuickModeTransport)\(string type\)\s*\{\s*return ([^;]+);",
        source,
    )
    assert len(bodies) == 2
    writable = set(re.findall(r'"(FWPM_[A-Z0-9_]+)"', " ".join(bodies)))
    assert writable == catalogue.SUPPORTED_CONTEXT_TYPES
    assert 'throw WfpException.Invalid(path + ".type: "' in source
