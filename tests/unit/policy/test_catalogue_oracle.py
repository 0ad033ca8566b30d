"""The catalogue equals Microsoft's data: the SDK tables and win32metadata (PyPI)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import CONSTANTS, GUIDS

from tests.unit.conftest import REPO, shared_path

sys.path.insert(0, str(REPO / "tools"))
import gen_catalogue

# Differences between the SDK 10.0.16299 headers and the newer metadata, each explained:
KNOWN_METADATA_DIFFERENCES = {
    # win32metadata truncates the 64-bit macro to 0; the header value is 0xFF00000000000000.
    "FWPM_CONTEXT_IPSEC_INBOUND_RESERVED",
    # *_MAX sentinels grew in newer SDKs (more enum members).
    "FWPM_PROVIDER_CONTEXT_TYPE_MAX",
    "FWPM_NET_EVENT_TYPE_MAX",
}
METADATA_MODULES = (
    "Windows/Win32/NetworkManagement/WindowsFilteringPlatform/__init__.py",
    "Windows/Win32/Foundation/__init__.py",
    "Windows/Win32/Networking/WinSock/__init__.py",
)


def test_generated_data_is_current() -> None:
    expected = gen_catalogue.render(shared_path() / "reference")
    assert gen_catalogue.OUTPUT.read_text() == expected, "run tools/gen_catalogue.py"


def _metadata() -> dict[str, int | str]:
    spec = importlib.util.find_spec("win32more")
    assert spec is not None and spec.submodule_search_locations
    root = Path(spec.submodule_search_locations[0])
    values: dict[str, int | str] = {}
    for relative in METADATA_MODULES:
        tree = ast.parse((root / relative).read_text())
        for node in tree.body:
            if not (
                isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value
            ):
                continue
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, int):
                values[node.target.id] = value.value
            elif isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
                operand = value.operand
                if isinstance(operand, ast.Constant) and isinstance(operand.value, int):
                    values[node.target.id] = -operand.value
            elif (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "Guid"
                and isinstance(value.args[0], ast.Constant)
            ):
                values[node.target.id] = str(value.args[0].value).strip("{}").lower()
    return values


@pytest.fixture(scope="module")
def metadata() -> dict[str, int | str]:
    return _metadata()


def test_guids_equal_win32metadata(metadata: dict[str, int | str]) -> None:
    compared = [name for name in GUIDS if name in metadata]
    mismatches = {
        name: (GUIDS[name], metadata[name]) for name in compared if GUIDS[name] != metadata[name]
    }
    assert mismatches == {}
    assert len(compared) >= 290, f"only {len(compared)} GUIDs found in win32metadata"


def test_constants_equal_win32metadata(metadata: dict[str, int | str]) -> None:
    compared = [name for name in CONSTANTS if isinstance(metadata.get(name), int)]
    mismatches = {
        name: (hex(CONSTANTS[name]), hex(int(metadata[name]) & 0xFFFFFFFFFFFFFFFF))
        for name in compared
        if CONSTANTS[name]
        != int(metadata[name]) & (0xFFFFFFFF if int(metadata[name]) < 0 else 0xFFFFFFFFFFFFFFFF)
        and name not in KNOWN_METADATA_DIFFERENCES
    }
    assert mismatches == {}
    assert len(compared) >= 500, f"only {len(compared)} constants found in win32metadata"


def test_inbound_reserved_is_the_header_value(metadata: dict[str, int | str]) -> None:
    assert CONSTANTS["FWPM_CONTEXT_IPSEC_INBOUND_RESERVED"] == 0xFF00000000000000
    # The metadata drops or truncates this 64-bit macro; the SDK header value stands.
    assert metadata.get("FWPM_CONTEXT_IPSEC_INBOUND_RESERVED") in (None, 0)


@pytest.mark.parametrize(
    ("symbol", "guid"),
    [
        ("FWPM_LAYER_IKEEXT_V4", "b14b7bdb-dbbd-473e-bed4-8b4708d4f270"),
        ("FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6", "a9a0d6d9-c58c-474e-8aeb-3cfe99d6d53d"),
        ("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE", "6ec7f6c4-376b-45d7-9e9c-d337cedcd237"),
    ],
)
def test_lookup_both_ways(symbol: str, guid: str) -> None:
    assert catalogue.guid_of(symbol) == guid
    assert catalogue.guid_of("{" + guid.upper() + "}") == guid
    assert catalogue.symbol_of(guid) == symbol


def test_alias_resolves_to_its_target() -> None:
    assert catalogue.guid_of("FWPM_CONDITION_ICMP_TYPE") == catalogue.guid_of(
        "FWPM_CONDITION_IP_LOCAL_PORT"
    )
    assert (
        catalogue.symbol_of(catalogue.guid_of("FWPM_CONDITION_ICMP_TYPE"))
        == "FWPM_CONDITION_IP_LOCAL_PORT"
    )


def test_unknown_symbol_names_itself_and_family() -> None:
    with pytest.raises(catalogue.UnknownSymbolError, match=r"FWPM_LAYER_NOPE.*FWPM_LAYER_"):
        catalogue.guid_of("FWPM_LAYER_NOPE", "FWPM_LAYER_")
    with pytest.raises(catalogue.UnknownSymbolError):
        catalogue.guid_of("FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4", "FWPM_LAYER_")


def test_families_cover_what_the_project_uses() -> None:
    assert catalogue.ACTION_TYPES.value("FWP_ACTION_CALLOUT_TERMINATING") == 0x5003
    assert catalogue.MATCH_TYPES.value("FWP_MATCH_RANGE") == 5
    assert catalogue.DATA_TYPES.value("FWP_V4_ADDR_MASK") == 0x100
    assert "FWP_E_INVALID_ACTION_TYPE" not in catalogue.DATA_TYPES
    assert catalogue.CONTEXT_TYPES.value("FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT") == 3
    assert (
        catalogue.FILTER_FLAGS.to_int(
            ["FWPM_FILTER_FLAG_PERSISTENT", "FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"]
        )
        == 5
    )
    assert catalogue.FILTER_FLAGS.to_symbols(9) == [
        "FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT",
        "FWPM_FILTER_FLAG_PERSISTENT",
    ]
    assert catalogue.value_of("FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS") == 0xC


def test_error_names_and_messages() -> None:
    assert catalogue.error_name(0x80320009) == "FWP_E_ALREADY_EXISTS"
    assert catalogue.error_name(-2144206838) == "FWP_E_IN_USE"
    assert catalogue.error_name(0x1234) == "0x00001234"
    assert "same provider" in catalogue.error_message("FWP_E_LIFETIME_MISMATCH")
    assert catalogue.error_message("FWP_E_LIFETIME_MISMATCH").startswith(
        "FWP_E_LIFETIME_MISMATCH (0x80320016)"
    )
