"""Generate the catalogue region of plugins/module_utils/WfpIpsec.cs from the Python catalogue.

The C# host layer needs the same symbol <-> value tables as the controller (enumerations, flag
sets, FWP_E_* codes, layer GUIDs and a few scalar constants). They are generated from
`plugins/plugin_utils/catalogue.py` (itself built on `_catalogue_data.py`, the single source of
truth) so the two sides cannot drift; tests/unit/host/test_catalogue.py fails when the region is
stale. Usage: `python tests/harness/gen_cs_catalogue.py [--check]`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]
CS_FILE = REPO / "plugins" / "module_utils" / "WfpIpsec.cs"
BEGIN = (
    "    // BEGIN GENERATED CATALOGUE (tests/harness/gen_cs_catalogue.py; do not edit by hand)\n"
)
END = "    // END GENERATED CATALOGUE\n"

# Scalar constants the C# code uses by name.
SCALARS = (
    "RPC_C_AUTHN_WINNT",
    "FWPM_TXN_READ_ONLY",
    "FWP_FILTER_ENUM_OVERLAPPING",
    "FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME",
    "FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED",
    "FWP_ACTION_FLAG_CALLOUT",
    "FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT",
)


def _catalogue() -> ModuleType:
    build = REPO / ".build"
    if str(build) not in sys.path:
        sys.path.insert(0, str(build))
    import importlib

    return importlib.import_module("ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue")


def families() -> list[tuple[str, bool, list[tuple[str, int]]]]:
    """(name, is_flags, members in catalogue order) for every family of catalogue.py."""
    catalogue = _catalogue()
    result = []
    seen = set()
    for value in vars(catalogue).values():
        if isinstance(value, catalogue.Enumeration | catalogue.FlagSet) and value.name not in seen:
            seen.add(value.name)
            is_flags = isinstance(value, catalogue.FlagSet)
            result.append((value.name, is_flags, list(value.members.items())))
    result.append(("FWP_E", False, list(catalogue.ERROR_CODES.items())))
    return sorted(result)


def layers() -> list[tuple[str, str]]:
    catalogue = _catalogue()
    return [
        (name, guid) for name, guid in catalogue.GUIDS.items() if name.startswith("FWPM_LAYER_")
    ]


def scalars() -> list[tuple[str, int]]:
    catalogue = _catalogue()
    return [(name, catalogue.value_of(name)) for name in SCALARS]


def region() -> str:
    lines = [BEGIN, "    internal static partial class Catalogue\n", "    {\n"]
    for name, value in scalars():
        lines.append(f"        internal const uint {name} = 0x{value:X};\n")
    lines.append("\n        // family|E (enumeration) or F (flags)|SYMBOL=0xVALUE,...\n")
    lines.append("        private static readonly string[] FamilyTable = new string[] {\n")
    for name, is_flags, members in families():
        body = ",".join(f"{symbol}=0x{value:X}" for symbol, value in members)
        lines.append(f'            "{name}|{"F" if is_flags else "E"}|{body}",\n')
    lines.append("        };\n\n")
    lines.append("        private static readonly string[] LayerTable = new string[] {\n")
    for name, guid in layers():
        lines.append(f'            "{name}={guid}",\n')
    lines.append("        };\n")
    lines.append("    }\n")
    lines.append(END)
    return "".join(lines)


def render(source: str) -> str:
    start = source.index(BEGIN)
    end = source.index(END) + len(END)
    return source[:start] + region() + source[end:]


def main(argv: list[str]) -> int:
    source = CS_FILE.read_text(encoding="utf-8")
    wanted = render(source)
    if "--check" in argv:
        if wanted != source:
            print(
                f"{CS_FILE} catalogue region is stale; run {Path(__file__).name}", file=sys.stderr
            )
            return 1
        return 0
    if wanted != source:
        CS_FILE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
