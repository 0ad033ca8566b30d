"""The real netsh dumps of shared/wfp_realdata, each imported once per test session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import NetshImport, import_dump

from tests.unit.conftest import shared_path

STATE_DUMPS = (
    "DuGuud__wfpstate.xml.gz",
    "jenincare__wfpstate.xml.gz",
    "python_pi_burner__wfpstate.xml.gz",
)
FILTER_DUMPS = ("VPNWindows__filters.xml", "le_voile__filters.xml")
FIXTURES = Path(__file__).parent / "fixtures"


def dump_path(name: str) -> Path:
    return shared_path() / "wfp_realdata" / name


@cache
def load(name: str) -> NetshImport:
    """Import a real dump (cached: callers must not mutate the result; copy it first)."""
    return import_dump(dump_path(name))
