"""The drift report's file formats: renderer and file name by format name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from .report import to_json, to_junit, to_markdown
from .report_html import to_html

RENDERERS: Final[dict[str, Callable[[Mapping[str, Any]], str]]] = {
    "json": to_json,
    "markdown": to_markdown,
    "html": to_html,
    "junit": to_junit,
}
FILE_NAMES: Final = {
    "json": "wfp-ipsec-drift.json",
    "markdown": "wfp-ipsec-drift.md",
    "html": "wfp-ipsec-drift.html",
    "junit": "wfp-ipsec-drift.junit.xml",
}


def render(fmt: str, report: Mapping[str, Any], *, full_report: str | None = None) -> str:
    """The report in one format; `full_report` says where the untruncated report is (the
    Markdown names it when it leaves something out)."""
    if fmt == "markdown":
        return to_markdown(report, full_report=full_report)
    return RENDERERS[fmt](report)
