"""Readable views: symbols, names and decoded values instead of GUIDs and hex."""

from __future__ import annotations

from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import (
    fwp_weight_text,
    indirect_text,
    raw_context_text,
    readable_state,
    utf16_text,
    value_text,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand

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
