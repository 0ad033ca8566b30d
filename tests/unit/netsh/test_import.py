"""netsh wfp dumps -> canonical state documents."""

from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path

import jsonschema
import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import (
    EXTRA_SYMBOLS,
    MAX_DUMP_BYTES,
    STOCK_SUBLAYERS,
    NetshImportError,
    import_dump,
    load_dump_backend,
)

from tests.unit.conftest import REPO
from tests.unit.netsh.dumps import FILTER_DUMPS, FIXTURES, STATE_DUMPS, dump_path, load

SCHEMA = json.loads((REPO / "plugins/plugin_utils/schemas/state.schema.json").read_text())
G = catalogue.GUIDS


def small_state() -> bytes:
    return (FIXTURES / "small_state.xml").read_bytes()


# ---- real dumps ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", STATE_DUMPS + FILTER_DUMPS)
def test_real_dumps_import_into_schema_valid_canonical_state(name: str) -> None:
    result = load(name)
    jsonschema.validate(result.state, SCHEMA)
    # Canonical: re-canonicalising changes nothing.
    assert model.canonical_state(copy.deepcopy(result.state)) == result.state
    assert result.kind == ("wfpstate" if name in STATE_DUMPS else "filters")


@pytest.mark.parametrize(
    ("name", "providers", "sublayers", "contexts", "filters"),
    [
        ("DuGuud__wfpstate.xml.gz", 14, 41, 357, 665),
        ("jenincare__wfpstate.xml.gz", 17, 24, 415, 1112),
        ("python_pi_burner__wfpstate.xml.gz", 16, 29, 437, 1050),
        ("VPNWindows__filters.xml", 16, 4, 0, 308),
        ("le_voile__filters.xml", 15, 5, 0, 286),
    ],
)
def test_every_object_of_a_dump_is_imported(
    name: str, providers: int, sublayers: int, contexts: int, filters: int
) -> None:
    state = load(name).state
    counts = [len(state[k]) for k in ("providers", "sublayers", "provider_contexts", "filters")]
    assert counts == [providers, sublayers, contexts, filters]


def test_state_dump_facts() -> None:
    """Facts of wfp_background.md §3.4, read back from the import."""
    result = load("jenincare__wfpstate.xml.gz")
    sublayers = {s["key"]: s for s in result.state["sublayers"]}
    assert sublayers[EXTRA_SYMBOLS["FWPM_SUBLAYER_MPSSVC_WF"]]["weight"] == 2
    assert sublayers[G["FWPM_SUBLAYER_UNIVERSAL"]]["weight"] == 32768
    assert (
        sublayers[EXTRA_SYMBOLS["FWPM_SUBLAYER_MPSSVC_WF"]]["provider_key"]
        == (EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"])
    )
    contexts = {c["key"]: c for c in result.state["provider_contexts"]}
    mm = contexts[G["FWPM_PROVIDER_CONTEXT_SECURE_SOCKET_AUTHIP"]]
    assert mm["type"] == "FWPM_IPSEC_AUTHIP_MM_CONTEXT"
    assert mm["policy"]["authentication_methods"] == [{"type": "IKEEXT_ANONYMOUS"}]
    assert [
        (p["cipher"], p["dh_group"], p["max_lifetime_seconds"]) for p in mm["policy"]["proposals"]
    ] == [
        ("IKEEXT_CIPHER_AES_128", "IKEEXT_DH_ECP_256", 7200),
        ("IKEEXT_CIPHER_3DES", "IKEEXT_DH_GROUP_2", 7200),
    ]
    assert mm["runtime"] == {"provider_context_id": 0x8000000000000000}
    qm = contexts[G["FWPM_PROVIDER_CONTEXT_SECURE_SOCKET_IPSEC"]]["policy"]
    assert [p["transforms"][0]["type"] for p in qm["proposals"]] == [
        "IPSEC_TRANSFORM_ESP_AUTH",
        "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER",
        "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER",
        "IPSEC_TRANSFORM_AH",
    ]
    assert {p["lifetime"]["kilobytes"] for p in qm["proposals"]} == {56320}
    assert qm["flags"] == ["IPSEC_POLICY_FLAG_ND_BOUNDARY"]
    assert (qm["idle_timeout_seconds"], qm["idle_timeout_fail_over_seconds"]) == (300, 60)
    assert [m["type"] for m in qm["em_policy"]["authentication_methods"]] == [
        "IKEEXT_KERBEROS",
        "IKEEXT_SSL",
    ]
    general = [c for c in result.state["provider_contexts"] if c["type"] == "FWPM_GENERAL_CONTEXT"]
    assert general and all(c["policy"] == {"unsupported": True} for c in general)
    assert result.layers[G["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]]["default_sublayer_key"] is not None
    assert any(c["name"] == "ProtonVPN block dns callout" for c in result.callouts)
    assert any("HAS_FILTER_ORIGIN" in w for w in result.warnings)


def test_weights_raw_contexts_and_runtime_of_real_filters() -> None:
    filters = load("VPNWindows__filters.xml").state["filters"]
    forms = {f["weight"]["type"] for f in filters}
    assert forms == {"FWP_EMPTY", "FWP_UINT8", "FWP_UINT64"}
    assert all(f["runtime"]["effective_weight"]["type"] == "FWP_UINT64" for f in filters)
    ranged = [f for f in filters if f["weight"]["type"] == "FWP_UINT8"]
    for f in ranged:  # the range is the top 4 bits of the effective weight
        assert f["runtime"]["effective_weight"]["value"] >> 60 == f["weight"]["value"]
    with_context = [f for f in filters if f["provider_context_key"]]
    assert all("FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT" in f["flags"] for f in with_context)
    assert all(f["raw_context"] is None for f in with_context)


def test_every_condition_value_type_of_the_dumps() -> None:
    seen: dict[str, object] = {}
    for name in STATE_DUMPS + FILTER_DUMPS:
        for f in load(name).state["filters"]:
            for c in f["conditions"]:
                seen.setdefault(c["value"]["type"], c["value"])
    assert set(seen) >= {
        "FWP_UINT8",
        "FWP_UINT16",
        "FWP_UINT32",
        "FWP_UINT64",
        "FWP_BYTE_ARRAY16_TYPE",
        "FWP_BYTE_BLOB_TYPE",
        "FWP_SID",
        "FWP_SECURITY_DESCRIPTOR_TYPE",
        "FWP_RANGE_TYPE",
        "FWP_V6_ADDR_MASK",
    }


def test_a_filters_dump_gets_the_stock_built_in_sublayer_weights() -> None:
    result = load("VPNWindows__filters.xml")
    weights = {s["key"]: s["weight"] for s in result.state["sublayers"]}
    assert (
        weights[EXTRA_SYMBOLS["FWPM_SUBLAYER_MPSSVC_WF"]]
        == STOCK_SUBLAYERS["FWPM_SUBLAYER_MPSSVC_WF"][0]
    )
    assert any("stock Windows values" in w for w in result.warnings)


def test_stock_weights_equal_the_state_dumps() -> None:
    for name in STATE_DUMPS:
        weights = {s["key"]: s["weight"] for s in load(name).state["sublayers"]}
        for symbol, (weight, _name) in STOCK_SUBLAYERS.items():
            key = G.get(symbol) or EXTRA_SYMBOLS[symbol]
            assert weights[key] == weight, (name, symbol)


# ---- hand-made fixtures: every mapping ---------------------------------------------------


def test_small_state_maps_every_field() -> None:
    result = import_dump(small_state(), name="small_state.xml")
    jsonschema.validate(result.state, SCHEMA)
    filters = {f["key"]: f for f in result.state["filters"]}
    block = filters["11111111-1111-1111-1111-111111111111"]
    assert block["provider_key"] == EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"]
    assert block["provider_data"] == "ffff"
    assert block["flags"] == ["FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"]  # HAS_FILTER_ORIGIN dropped
    assert block["weight"] == {"type": "FWP_UINT8", "value": 4}
    assert block["raw_context"] is None  # rawContext 0 is "no raw context", as the host reads it
    assert block["action"] == {"type": "FWP_ACTION_BLOCK", "callout_key": None}
    assert block["runtime"] == {
        "filter_id": 70001,
        "effective_weight": {"type": "FWP_UINT64", "value": 4 << 60},
    }
    values = {
        catalogue.symbol_of(c["field_key"]) or c["field_key"]: c["value"]
        for c in block["conditions"]
    }
    assert values["FWPM_CONDITION_IP_REMOTE_ADDRESS"] == {"type": "FWP_UINT32", "value": 0xC000020A}
    assert values["FWPM_CONDITION_IP_REMOTE_PORT"] == {
        "type": "FWP_RANGE_TYPE",
        "low": {"type": "FWP_UINT16", "value": 1000},
        "high": {"type": "FWP_UINT16", "value": 2000},
    }
    assert values["FWPM_CONDITION_IP_LOCAL_INTERFACE"]["value"] == 2**64 - 1
    assert values["FWPM_CONDITION_ALE_APP_ID"] == {
        "type": "FWP_BYTE_BLOB_TYPE",
        "value": "5c0061000000",
    }
    assert values["FWPM_CONDITION_ALE_USER_ID"]["value"] == "O:LSD:(A;;CC;;;S-1-5-18)"
    assert values["FWPM_CONDITION_ALE_PACKAGE_ID"] == {"type": "FWP_SID", "value": "S-1-15-2-1"}
    callout = filters["22222222-2222-2222-2222-222222222222"]
    assert callout["action"] == {
        "type": "FWP_ACTION_CALLOUT_TERMINATING",
        "callout_key": G["FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4"],
    }
    assert callout["provider_context_key"] == "55555555-5555-5555-5555-555555555555"
    assert callout["raw_context"] is None
    assert "FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT" in callout["flags"]
    assert callout["weight"] == {"type": "FWP_EMPTY"}
    masks = [c["value"] for c in callout["conditions"] if c["value"]["type"] == "FWP_V4_ADDR_MASK"]
    assert masks == [{"type": "FWP_V4_ADDR_MASK", "value": "10.1.0.0/16"}]
    contexts = {c["key"]: c for c in result.state["provider_contexts"]}
    general = contexts["55555555-5555-5555-5555-555555555555"]
    assert general["policy"] == {"unsupported": True}
    assert general["runtime"] == {"provider_context_id": 9223372036854775810}
    mm = contexts["66666666-6666-6666-6666-666666666666"]["policy"]
    psk = mm["authentication_methods"][0]
    assert psk == {
        "type": "IKEEXT_PRESHARED_KEY",
        "key_digest": model.psk_digest("66666666-6666-6666-6666-666666666666", "secret"),
    }
    assert mm["authentication_methods"][1] == {"type": "IKEEXT_KERBEROS", "flags": []}
    assert mm["proposals"][0]["dh_group"] == "IKEEXT_DH_GROUP_14"  # the 2048 alias
    sublayers = {s["key"]: s for s in result.state["sublayers"]}
    assert sublayers["44444444-4444-4444-4444-444444444444"]["weight"] == 4096
    assert result.layers[G["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]] == {
        "symbol": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
        "name": "ALE Connect v4 Layer",
        "default_sublayer_key": G["FWPM_SUBLAYER_UNIVERSAL"],
        "layer_id": 48,
    }
    assert result.callouts[0]["key"] == EXTRA_SYMBOLS["FWPM_CALLOUT_BUILT_IN_RESERVED_1"]
    assert result.timestamp == "2026-01-01T00:00:00.000Z"


def test_an_ikev2_main_mode_context_is_imported_as_its_policy() -> None:
    # No real dump holds an IKEv2 context: the small state's IKE MM context, retyped, in the
    # union arm netsh would name for it.
    xml = (
        small_state()
        .replace(
            b"<type>FWPM_IPSEC_IKE_MM_CONTEXT</type>", b"<type>FWPM_IPSEC_IKEV2_MM_CONTEXT</type>"
        )
        .replace(b"ikeMmPolicy>", b"ikeV2MmPolicy>")
    )
    contexts = {c["key"]: c for c in import_dump(xml, name="ikev2.xml").state["provider_contexts"]}
    ikev2 = contexts["66666666-6666-6666-6666-666666666666"]
    assert ikev2["type"] == "FWPM_IPSEC_IKEV2_MM_CONTEXT"
    assert ikev2["policy"]["proposals"][0]["dh_group"] == "IKEEXT_DH_GROUP_14"


def test_filters_file_with_bom_v6_masks_ranges_and_raw_context() -> None:
    # netsh writes filters.xml with a UTF-8 byte order mark (the fixture is stored without one).
    bom = b"\xef\xbb\xbf" + (FIXTURES / "small_filters.xml").read_bytes()
    result = import_dump(bom, "small_filters.xml")
    (only,) = result.state["filters"]
    assert only["raw_context"] == 5
    assert only["weight"] == {"type": "FWP_UINT64", "value": 12345}
    kinds = sorted(c["value"]["type"] for c in only["conditions"])
    assert kinds == ["FWP_RANGE_TYPE", "FWP_V6_ADDR_MASK"]
    mask = next(c["value"] for c in only["conditions"] if c["value"]["type"] == "FWP_V6_ADDR_MASK")
    assert mask["value"] == "fe80::/10"
    assert [s["weight"] for s in result.state["sublayers"]] == [3]


def test_gzip_path_and_bytes_give_the_same_state(tmp_path: Path) -> None:
    packed = tmp_path / "state.xml.gz"
    packed.write_bytes(gzip.compress(small_state()))
    assert import_dump(packed).state == import_dump(small_state()).state
    assert import_dump(packed.read_bytes()).state == import_dump(small_state()).state


def test_load_dump_backend_is_read_only() -> None:
    backend = load_dump_backend(FIXTURES / "small_state.xml")
    assert backend.kind == "offline-dump"
    owned = backend.read("33333333-3333-3333-3333-333333333333")
    assert [p["key"] for p in owned["providers"]] == ["33333333-3333-3333-3333-333333333333"]
    assert len(backend.read_all()["filters"]) == 2
    with pytest.raises(Exception, match="read-only"):
        backend.apply({"operations": [], "base_fingerprint": ""})


def test_real_dump_backend_through_hosts() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import offline_backend

    backend = offline_backend(str(dump_path("VPNWindows__filters.xml")), "/")
    assert backend.kind == "offline-dump"
    assert len(backend.read_all()["filters"]) == 308


# ---- errors --------------------------------------------------------------------------------


def error_of(data: bytes) -> NetshImportError:
    with pytest.raises(NetshImportError) as caught:
        import_dump(data, name="dump.xml")
    return caught.value


def test_malformed_weight_names_its_element_path() -> None:
    data = small_state().replace(b"<uint8>4</uint8></weight>", b"<uint8>x</uint8></weight>")
    error = error_of(data)
    assert error.element == "/wfpstate/layers/item[1]/filters/item[1]/weight/uint8"
    assert str(error).startswith("dump.xml: /wfpstate/layers/item[1]/filters/item[1]/weight/uint8:")


def test_weight_range_above_15_is_refused() -> None:
    data = small_state().replace(b"<uint8>4</uint8></weight>", b"<uint8>16</uint8></weight>")
    assert error_of(data).element == "/wfpstate/layers/item[1]/filters/item[1]/weight"


def test_unknown_symbol_is_an_error_naming_symbol_and_path() -> None:
    tail = b"</subLayerKey>\n\t\t\t\t\t<weight>"
    data = small_state().replace(b"FWPM_SUBLAYER_MPSSVC_WF" + tail, b"FWPM_SUBLAYER_NOPE" + tail)
    error = error_of(data)
    assert "FWPM_SUBLAYER_NOPE" in str(error)
    assert error.element == "/wfpstate/layers/item[1]/filters/item[1]/subLayerKey"


def test_symbol_of_the_wrong_family_is_an_error() -> None:
    data = small_state().replace(
        b"<layerKey>FWPM_LAYER_ALE_AUTH_CONNECT_V4</layerKey>\n\t\t\t\t\t<subLayerKey>{4444",
        b"<layerKey>FWPM_SUBLAYER_UNIVERSAL</layerKey>\n\t\t\t\t\t<subLayerKey>{4444",
    )
    assert error_of(data).element == "/wfpstate/layers/item[1]/filters/item[2]/layerKey"


def test_unconfirmed_symbols_map_to_marked_stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils import netsh

    monkeypatch.setitem(netsh.UNCONFIRMED_SYMBOLS, "FWPM_SUBLAYER_FUTURE", "not in any header")
    tail = b"</subLayerKey>\n\t\t\t<displayData><name>WF"
    data = small_state().replace(
        b"<subLayerKey>FWPM_SUBLAYER_MPSSVC_WF" + tail, b"<subLayerKey>FWPM_SUBLAYER_FUTURE" + tail
    )
    result = import_dump(data)
    standin = str(netsh.uuid.uuid5(netsh.STANDIN_NAMESPACE, "FWPM_SUBLAYER_FUTURE"))
    assert standin in {s["key"] for s in result.state["sublayers"]}
    assert any("FWPM_SUBLAYER_FUTURE" in w and "stand-in" in w for w in result.warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"<wfpstate><layers>",  # truncated
        b"not xml at all",
        b"\xff\xfe\x00garbage",
    ],
)
def test_not_well_formed_input_is_a_clear_error(data: bytes) -> None:
    error = error_of(data)
    assert error.element == "/"


def test_entities_and_dtds_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<wfpdiag><filters>&b;</filters></wfpdiag>"
    )
    assert error_of(bomb).element == "/"
    external = b"""<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><wfpdiag><filters>&e;</filters></wfpdiag>"""
    assert error_of(external).element == "/"
    for document in (bomb, external, b"<!DOCTYPE wfpdiag><wfpdiag/>"):
        message = str(error_of(document))
        assert "refused: the XML declares a DTD or entities (<!DOCTYPE" in message
        assert "XXE" in message and "not well-formed" not in message


def test_corrupt_deflate_data_is_not_a_valid_gzip_file() -> None:
    corrupt = bytearray(
        gzip.compress(b"<wfpdiag>" + bytes(range(256)) * 50 + b"</wfpdiag>", mtime=0)
    )
    corrupt[10] ^= 0xFF  # the first byte of the deflate stream: zlib.error, not OSError
    assert "not a valid gzip file: Error -3" in str(error_of(bytes(corrupt)))


def test_a_duplicated_element_is_an_error_naming_it() -> None:
    text = (FIXTURES / "small_filters.xml").read_text(encoding="utf-8")
    doubled = text.replace("<weight>", "<weight><type>FWP_EMPTY</type></weight><weight>", 1)
    error = error_of(doubled.encode("utf-8"))
    assert error.element.endswith("/weight") and "appears twice" in str(error)
    assert "/item[1]/" in error.element


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "dump.xml"
    os.mkfifo(fifo)
    with pytest.raises(NetshImportError, match="not a regular file"):
        import_dump(fifo)


def test_a_gzip_bomb_is_refused_before_it_is_inflated_whole() -> None:
    bomb = gzip.compress(b" " * (MAX_DUMP_BYTES + 1024 * 1024), compresslevel=9)
    assert len(bomb) < MAX_DUMP_BYTES // 100
    message = str(error_of(bomb))
    assert "inflates to larger than 64 MiB" in message and "decompression bomb" in message


def test_unknown_document_and_missing_file(tmp_path: Path) -> None:
    assert "expected <wfpstate> or <wfpdiag>" in str(error_of(b"<other/>"))
    with pytest.raises(NetshImportError, match="cannot read the file"):
        import_dump(tmp_path / "missing.xml")
    assert "not a valid gzip file" in str(error_of(b"\x1f\x8bnot-gzip"))
