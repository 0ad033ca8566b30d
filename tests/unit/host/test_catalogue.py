"""Rung 1: every symbol, value and GUID the C# util uses equals the Python catalogue."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue

from .conftest import APPLY_UTIL, HARNESS, REPO, UTIL, Host

GENERATOR = HARNESS / "gen_cs_catalogue.py"


def test_generated_region_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_generator_notices_a_hand_edit(tmp_path: pytest.TempPathFactory) -> None:
    sys.path.insert(0, str(HARNESS))
    try:
        import gen_cs_catalogue
    finally:
        sys.path.remove(str(HARNESS))
    source = UTIL.read_text(encoding="utf-8")
    edited = source.replace("FWP_MATCH_EQUAL=0x0,", "FWP_MATCH_EQUAL=0x1,", 1)
    assert edited != source and gen_cs_catalogue.render(edited) == source


@pytest.mark.slow
def test_compiled_tables_equal_the_python_catalogue(host: Host) -> None:
    dump = host.call("catalogue")
    expected = {
        value.name: {
            "flags": isinstance(value, catalogue.FlagSet),
            "members": [list(m) for m in value.members.items()],
        }
        for value in vars(catalogue).values()
        if isinstance(value, catalogue.Enumeration | catalogue.FlagSet)
    }
    expected["FWP_E"] = {
        "flags": False,
        "members": [list(m) for m in catalogue.ERROR_CODES.items()],
    }
    assert dump["families"] == expected
    assert dump["layers"] == {
        k: v for k, v in catalogue.GUIDS.items() if k.startswith("FWPM_LAYER_")
    }
    assert dump["constants"] == {name: catalogue.value_of(name) for name in dump["constants"]}
    assert len(dump["constants"]) == 7


def _hand_written() -> str:
    source = UTIL.read_text(encoding="utf-8")
    writes = APPLY_UTIL.read_text(encoding="utf-8")
    return source[: source.index("// BEGIN GENERATED CATALOGUE")] + writes


def test_every_family_the_code_names_exists() -> None:
    used = set(
        re.findall(r'Catalogue\.(?:Value|Symbol|Flags|FlagSymbols)\("(\w+)"', _hand_written())
    )
    families = {
        v.name
        for v in vars(catalogue).values()
        if isinstance(v, catalogue.Enumeration | catalogue.FlagSet)
    }
    assert len(used) >= 20
    assert used <= families


def test_every_symbol_literal_in_the_code_is_in_the_catalogue() -> None:
    literals = set(re.findall(r'"((?:FWP|FWPM|IKEEXT|IPSEC)_[A-Z0-9_]+)"', _hand_written()))
    families = {
        v.name
        for v in vars(catalogue).values()
        if isinstance(v, catalogue.Enumeration | catalogue.FlagSet)
    }
    unknown = {
        s for s in literals if s not in catalogue.CONSTANTS and s not in families and s != "FWP_E"
    }
    assert len(literals) > 30
    assert unknown == set()


def test_stand_in_error_codes_equal_the_catalogue() -> None:
    source = (REPO / "tests" / "harness" / "fwpsim.c").read_text(encoding="utf-8")
    codes = dict(re.findall(r"#define (FWP_E_\w+) (0x[0-9A-F]+)u", source))
    assert len(codes) >= 15
    assert {name: int(value, 16) for name, value in codes.items()} == {
        name: catalogue.ERROR_CODES[name] for name in codes
    }
