"""The importer's extra symbol table equals Microsoft's win32metadata and is not in the catalogue."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import EXTRA_SYMBOLS, STOCK_SUBLAYERS

MODULE = "Windows/Win32/NetworkManagement/WindowsFilteringPlatform/__init__.py"


def metadata_guids() -> dict[str, str]:
    spec = importlib.util.find_spec("win32more")
    assert spec is not None and spec.submodule_search_locations
    tree = ast.parse((Path(spec.submodule_search_locations[0]) / MODULE).read_text())
    guids = {}
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.value, ast.Call)
            and node.value.args
            and isinstance(node.value.args[0], ast.Constant)
        ):
            text = str(node.value.args[0].value)
            guid = catalogue.normalise_guid(text)
            if guid:
                guids[node.target.id] = guid
    return guids


def test_extra_symbols_are_microsofts_guids() -> None:
    guids = metadata_guids()
    for symbol, guid in EXTRA_SYMBOLS.items():
        assert guids.get(symbol) == guid, symbol


def test_extra_symbols_do_not_shadow_the_catalogue() -> None:
    assert not set(EXTRA_SYMBOLS) & set(catalogue.GUIDS)
    assert not set(EXTRA_SYMBOLS.values()) & set(catalogue.GUIDS.values())


def test_stock_sublayers_all_resolve() -> None:
    for symbol in STOCK_SUBLAYERS:
        assert symbol in catalogue.GUIDS or symbol in EXTRA_SYMBOLS
