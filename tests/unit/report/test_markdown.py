"""The Markdown report of a large fleet fits a merge-request comment and reads top-down."""

from __future__ import annotations

import re

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report import (
    MARKDOWN_LIMIT,
    SEVERITY,
    build_report,
    to_markdown,
)

from tests.unit.report.fleet import DUMPS, dump_result, fleet

pytestmark = pytest.mark.slow  # imports the real dumps


@pytest.fixture(scope="module")
def big() -> dict:
    return build_report(fleet(330), generated_at="2026-01-01T00:00:00+00:00")


def test_a_330_host_fleet_fits_a_merge_request_comment(big: dict) -> None:
    text = to_markdown(big, full_report="https://ci.example/artifacts/wfp-ipsec-drift.html")
    assert len(text) <= MARKDOWN_LIMIT
    # the summary table comes first, then the hosts by severity, findings, details
    order = [
        text.index("| Status | Hosts |"),
        text.index("## Hosts by severity"),
        text.index("## Shadowing by foreign filter"),
        text.index("## Details"),
    ]
    assert order == sorted(order)
    assert "| **total** | **330** |" in text
    assert "<details>" in text and "</details>" in text
    assert text.count("<details>") == text.count("</details>")
    # copies of one machine share one details block, so every host's details fit
    assert "Left out" not in text
    shared = re.findall(r"and (\d+) more host\(s\) with the same result", text)
    blocks = text.count("<summary><b>")
    assert blocks + sum(map(int, shared)) == 330 - 66  # every host but the in-sync ones


def test_what_does_not_fit_is_named_with_where_the_full_report_is() -> None:
    """400 hosts that each drift differently: their details cannot all fit."""
    results = {}
    for index in range(400):
        plan = [
            {"op": "add", "type": "filter", "name": f"filter {index}-{n}", "key": f"{index}-{n}"}
            for n in range(10)
        ]
        drift = {"missing": 10, "unexpected": 0, "changed": 0}
        results[f"host{index:03d}"] = {"plan": plan, "drift": drift, "shadowing": []}
    text = to_markdown(
        build_report(results), full_report="https://ci.example/artifacts/wfp-ipsec-drift.html"
    )
    assert len(text) <= MARKDOWN_LIMIT
    assert text.count("<details>") == text.count("</details>")
    left_out = re.search(r"_Left out to stay under 65,536 characters: details of (\d+) host", text)
    assert left_out, text[-500:]
    shown = text.count("<summary><b>")
    assert shown > 50 and shown + int(left_out.group(1)) == 400
    assert text.rstrip().endswith("https://ci.example/artifacts/wfp-ipsec-drift.html._")


def test_hosts_are_sorted_by_severity(big: dict) -> None:
    ranks = [SEVERITY.index(entry["status"]) for entry in big["hosts"]]
    assert ranks == sorted(ranks)
    text = to_markdown(big)
    rows = re.findall(r"^\| (win\d{4}\.corp\.example) \| ([a-z ]+) \|", text, re.M)
    labels = {"no result": "no_result", "in sync": "in_sync"}
    statuses = [labels.get(status, status) for _host, status in rows]
    assert statuses == sorted(statuses, key=SEVERITY.index)
    assert statuses[0] == "failed" and "in_sync" not in statuses  # in-sync hosts: one line
    assert re.search(r"^In sync \(66\): win0000\.corp\.example, ", text, re.M)


def test_one_line_per_foreign_filter_with_its_hosts(big: dict) -> None:
    text = to_markdown(big)
    section = text[text.index("## Shadowing by foreign filter") : text.index("## Details")]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == len(set(lines))  # duplicates gone
    more = re.search(r"^- … (\d+) more foreign filter\(s\) in the full report$", section, re.M)
    shown = len(lines) - (1 if more else 0)
    assert shown + (int(more.group(1)) if more else 0) == len(big["findings"])
    assert shown >= 30
    proton = [line for line in lines if "*ProtonVPN block IPv4*" in line]
    assert len(proton) == 1 and "**counted**" in proton[0]
    hosts = int(re.search(r" — (\d+) host\(s\)", proton[0]).group(1))  # type: ignore[union-attr]
    assert hosts == sum(1 for e in big["hosts"] if "ProtonVPN" in str(e["shadowing"]))
    assert "… and" not in proton[0] or "more" in proton[0]


def test_weights_are_shown_by_name() -> None:
    report = build_report({"endpoint": dump_result("python_pi_burner__wfpstate.xml.gz")})
    text = to_markdown(report)
    assert "filter weight FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12) vs theirs" in text
    assert "'Query User' [FWPM_PROVIDER_MPSSVC_WF] in sublayer" in text
    assert "(weight 2), filter weight range 3:" in text  # the firewall's default block
    assert not re.search(r"0x[0-9A-Fa-f]{16}", text)
    assert "13835058055282163712" not in text  # 0xC000000000000000 as a number


def test_a_small_fleet_is_not_cut() -> None:
    report = build_report({name: dump_result(name) for name in DUMPS})
    text = to_markdown(report)
    assert "Left out" not in text and len(text) <= MARKDOWN_LIMIT
    assert text.count("<summary><b>") == len(DUMPS)  # every host's details


def test_a_tiny_limit_still_gives_a_valid_head() -> None:
    report = build_report(fleet(40))
    text = to_markdown(report, limit=6000, full_report="wfp-ipsec-drift.json")
    assert len(text) <= 6000 and text.startswith("# wfp.ipsec drift report")
    assert "wfp-ipsec-drift.json" in text
    assert text.count("<details>") == text.count("</details>")
