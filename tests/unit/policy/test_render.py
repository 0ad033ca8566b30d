"""Readable views: symbols, names and decoded values instead of GUIDs and hex."""

from __future__ import annotations

from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import CONSTANTS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import (
    fwp_weight_text,
    indirect_text,
    raw_context_text,
    readable_state,
    utf16_text,
    value_text,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.conftest import shared_path

APP = "\\device\\harddiskvolume3\\windows\\system32\\svchost.exe"


def test_values_by_name() -> None:
    assert value_text({"type": "FWP_UINT8", "value": 6}, "FWPM_CONDITION_IP_PROTOCOL") == "TCP"
    assert (
        value_text({"type": "FWP_UINT8", "value": 1}, "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE")
        == "NlatUnicast"
    )
    blob = (APP + "\x00").encode("utf-16-le").hex()
    assert value_text({"type": "FWP_BYTE_BLOB_TYPE", "value": blob}) == f"'{APP}'"
    assert utf16_text("ff") is None and utf16_text("00d8") is None
    assert fwp_weight_text({"type": "FWP_UINT8", "value": 12}) == (
        "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)"
    )
    assert fwp_weight_text({"type": "FWP_EMPTY"}) == "automatic"
    assert indirect_text("@bfe.dll,-1217") == (
        "@bfe.dll,-1217 (indirect string: text resource 1217 of bfe.dll)"
    )
    assert indirect_text("Contoso VPN") == "Contoso VPN"


def test_raw_contexts_by_layer() -> None:
    inbound = "5926dfc8-e3cf-4426-a283-dc393f5d0f9d"  # FWPM_LAYER_INBOUND_TRANSPORT_V4
    state = expand({"scenario": {"guaranteed_encryption": {"ip_versions": [4]}}})
    layer = next(f["layer_key"] for f in state["filters"] if "inbound transport" in f["name"])
    assert layer == inbound
    assert raw_context_text(2, inbound) == "FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"
    assert raw_context_text(None, inbound) is None


def test_a_real_dump_reads_by_name() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import import_dump

    state = import_dump(shared_path() / "wfp_realdata" / "VPNWindows__filters.xml").state
    lines = readable_state(state)
    text = "\n".join(line for group in lines.values() for line in group)
    assert "ALE_APP_ID = '\\device\\harddiskvolume" in text
    assert "(indirect string: text resource 1209 of bfe.dll)" in text
    assert "[FWPM_PROVIDER_IKEEXT]" in text
    for guid in ("c38d57d1-05a7-4c33-904f-7fbceee60e82",):  # FWPM_LAYER_ALE_AUTH_CONNECT_V4
        assert guid not in text


# The names come from per-family tables built once per process; these are their definitions.
def _named_by_scan(raw: int, prefix: str) -> str | None:
    names = [n for n, v in CONSTANTS.items() if n.startswith(prefix) and v == raw]
    return names[0] if names else None


def _bits_by_scan(raw_context: int, prefix: str) -> list[str]:
    return [
        name
        for name, bit in CONSTANTS.items()
        if name.startswith(prefix) and bit and raw_context & bit == bit and bit < 1 << 56
    ]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 300))
def test_value_names_are_the_first_catalogue_name_of_the_value(raw: int) -> None:
    protocol = _named_by_scan(raw, "IPPROTO_")
    shown = value_text({"type": "FWP_UINT8", "value": raw}, "FWPM_CONDITION_IP_PROTOCOL")
    assert shown == (protocol.removeprefix("IPPROTO_") if protocol else str(raw))
    address_type = _named_by_scan(raw, "Nlat")
    shown = value_text({"type": "FWP_UINT8", "value": raw}, "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE")
    assert shown == (address_type or str(raw))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2**64 - 1),
    st.sampled_from(
        [
            ("FWPM_LAYER_INBOUND_TRANSPORT_V4", "FWPM_CONTEXT_IPSEC_INBOUND_"),
            ("FWPM_LAYER_OUTBOUND_TRANSPORT_V6", "FWPM_CONTEXT_IPSEC_OUTBOUND"),
            ("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "FWPM_CONTEXT_ALE_"),
        ]
    ),
)
def test_raw_context_names_are_every_set_bit_of_the_layer_family(
    raw_context: int, layer_and_prefix: tuple[str, str]
) -> None:
    layer, prefix = layer_and_prefix
    names = _bits_by_scan(raw_context, prefix)
    covered = 0
    for name in names:
        covered |= CONSTANTS[name]
    rest = raw_context & ~covered
    expected = " | ".join(names + ([hex(rest)] if rest else [])) or "0"
    assert raw_context_text(raw_context, GUIDS[layer]) == expected
