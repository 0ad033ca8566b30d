"""Fleet drift report: classification and the three renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import fwp_weight_text, weight_text
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report import (
    REPORT_FORMAT,
    build_report,
    failing_hosts,
    plan_lines,
    to_json,
    to_junit,
    to_markdown,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report_html import to_html

FINDING = {
    "rule": "cross-sublayer-block",
    "certainty": "certain",
    "overlap": "overlaps",
    "coverage": "all",
    "layer": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
    "why": "a | pipe and <xml> & stuff",
    "ours": {"name": "ours", "sublayer": "s", "sublayer_weight": 32769, "effective_weight": 512},
    "theirs": {
        "name": "theirs",
        "provider": "VPN",
        "sublayer": "t",
        "sublayer_weight": 1001,
        "effective_weight": 7,
    },
}
POSSIBLE = {**FINDING, "certainty": "possible"}
RESULTS: dict[str, Any] = {
    "clean": {
        "changed": False,
        "plan": [],
        "drift": {"missing": 0, "unexpected": 0, "changed": 0},
        "shadowing": [],
        "backend": "live",
    },
    "drifted": {
        "changed": True,
        "plan": [{"op": "add", "type": "filter", "name": "f", "key": "k"}],
        "drift": {"missing": 1, "unexpected": 0, "changed": 0},
        "shadowing": [],
        "backend": "offline",
    },
    "shadowed": {
        "changed": False,
        "plan": [],
        "drift": {"missing": 0, "unexpected": 0, "changed": 0},
        "shadowing": [FINDING],
    },
    "maybe": {"changed": False, "plan": [], "drift": {}, "shadowing": [POSSIBLE]},
    "broken": {"failed": True, "msg": "apply failed"},
    "gone": {"unreachable": True, "msg": "timed out"},
    "never": None,
}


def test_hosts_are_classified() -> None:
    report = build_report(
        RESULTS, generated_at="2026-01-01T00:00:00+00:00", shadowing_threshold="possible"
    )
    status = {entry["host"]: entry["status"] for entry in report["hosts"]}
    assert status == {
        "clean": "in_sync",
        "drifted": "drift",
        "shadowed": "shadowed",
        "maybe": "shadowed",
        "broken": "failed",
        "gone": "unreachable",
        "never": "no_result",
    }
    assert report["format"] == REPORT_FORMAT and report["ok"] is False
    assert report["summary"]["hosts"] == 7 and report["summary"]["shadowing_findings"] == 2
    # most severe first: errors, then shadowed, then drift
    assert [e["host"] for e in report["hosts"]] == [
        "broken",
        "gone",
        "never",
        "maybe",
        "shadowed",
        "drifted",
        "clean",
    ]
    assert failing_hosts(report, include_errors=False) == ["maybe", "shadowed", "drifted"]
    assert set(failing_hosts(report)) == {"drifted", "maybe", "shadowed", "broken", "gone", "never"}


def test_shadowing_threshold() -> None:
    certain = build_report(RESULTS, shadowing_threshold="certain")
    status = {entry["host"]: entry["status"] for entry in certain["hosts"]}
    assert (status["maybe"], status["shadowed"]) == ("in_sync", "shadowed")
    none = build_report(RESULTS, shadowing_threshold="none")
    assert {e["host"]: e["status"] for e in none["hosts"]}["shadowed"] == "in_sync"
    with pytest.raises(ValueError, match="shadowing_threshold"):
        build_report(RESULTS, shadowing_threshold="sometimes")


def test_an_all_clean_fleet_is_ok() -> None:
    report = build_report({"a": RESULTS["clean"], "b": RESULTS["clean"]})
    assert report["ok"] is True and failing_hosts(report) == []


def test_json_round_trips() -> None:
    report = build_report(RESULTS)
    assert json.loads(to_json(report)) == report


def test_junit_failures_and_errors() -> None:
    root = ET.fromstring(to_junit(build_report(RESULTS, shadowing_threshold="possible")))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("7", "3", "3")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases["clean"].find("failure") is None and cases["clean"].find("error") is None
    failure = cases["drifted"].find("failure")
    assert failure is not None and "missing 1" in (failure.get("message") or "")
    assert "add filter f" in (failure.text or "")
    shadowed = cases["shadowed"].find("failure")
    assert shadowed is not None and "<xml> & stuff" in (shadowed.text or "")
    for host in ("broken", "gone", "never"):
        error = cases[host].find("error")
        assert error is not None
    assert cases["gone"].find("error").get("type") == "unreachable"  # type: ignore[union-attr]


def test_markdown_table_and_details() -> None:
    text = to_markdown(
        build_report(
            RESULTS, generated_at="2026-01-01T00:00:00+00:00", shadowing_threshold="possible"
        )
    )
    assert text.startswith("# wfp.ipsec drift report\n")
    assert "| drifted | drift | 1 | 0 | 0 | 0 / 0 | offline |" in text
    assert "<summary><b>shadowed</b> — 1 counted shadowing finding(s)</summary>" in text
    assert "a \\| pipe and &lt;xml&gt; &amp; stuff" in text  # table- and HTML-safe
    assert "<b>clean</b>" not in text and "In sync (1): clean" in text
    assert "<summary><b>gone</b> — unreachable: timed out</summary>" in text
    assert "- add filter f (missing)" not in text and "- add filter f" in text


def test_default_threshold_counts_only_certain_findings_covering_all_our_traffic() -> None:
    partial = {**FINDING, "coverage": "some"}
    results = {
        "covered": {"changed": False, "plan": [], "drift": {}, "shadowing": [FINDING]},
        "narrow": {"changed": False, "plan": [], "drift": {}, "shadowing": [partial, POSSIBLE]},
    }
    report = build_report(results, generated_at="2026-01-01T00:00:00+00:00")
    status = {entry["host"]: entry["status"] for entry in report["hosts"]}
    assert status == {"covered": "shadowed", "narrow": "in_sync"}
    assert report["shadowing_threshold"] == "covering"
    assert "affects some of our traffic" in to_markdown(report)


def test_an_unreadable_result_fails_its_host_by_name() -> None:
    report = build_report({"odd": {"drift": {"missing": "many"}}, "clean": RESULTS["clean"]})
    (odd,) = [e for e in report["hosts"] if e["host"] == "odd"]
    assert odd["status"] == "failed" and "check result of odd cannot be read" in odd["message"]


def test_duplicate_findings_are_dropped() -> None:
    twice = {**RESULTS["shadowed"], "shadowing": [FINDING, dict(FINDING)]}
    entry = build_report({"h": twice})["hosts"][0]
    assert len(entry["shadowing"]) == 1 and entry["shadowing"][0]["counted"] is True


def test_plan_lines_merge_a_delete_and_add_into_a_replace() -> None:
    plan = [
        {"op": "delete", "type": "filter", "name": "f", "key": "k", "reason": "changed"},
        {"op": "add", "type": "filter", "name": "f", "key": "k", "reason": "changed"},
        {"op": "add", "type": "filter", "name": "g", "key": "g", "reason": "dependency"},
    ]
    assert plan_lines(plan) == [
        "replace filter f (changed)",
        "add filter g (re-added: an object it depends on changes)",
    ]
    many = [{**plan[2], "key": str(i), "reason": "missing"} for i in range(30)]
    assert plan_lines(many) == ["add 30 filter(s) (missing)"]


def test_weights_by_name() -> None:
    assert weight_text(0xC000000000000000) == "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)"
    assert weight_text(0x3000000000000012) == "range 3 + 0x12"
    assert weight_text(512) == "512"
    assert fwp_weight_text({"type": "FWP_UINT8", "value": 0}) == "FWPM_WEIGHT_RANGE_IPSEC (range 0)"
    assert fwp_weight_text({"type": "FWP_EMPTY"}) == "automatic"


def test_no_object_body_and_so_no_secret_reaches_a_report() -> None:
    secret = "correct horse battery staple"
    op = {
        "op": "add",
        "type": "provider_context",
        "name": "ctx",
        "key": "k",
        "reason": "missing",
        "object": {"policy": {"authentication_methods": [{"preshared_key": secret}]}},
    }
    report = build_report({"h": {**RESULTS["drifted"], "plan": [op]}})
    assert report["hosts"][0]["plan"] == [
        {"op": "add", "type": "provider_context", "name": "ctx", "key": "k", "reason": "missing"}
    ]
    for fmt, text in (
        ("json", to_json(report)),
        ("markdown", to_markdown(report)),
        ("html", to_html(report)),
        ("junit", to_junit(report)),
    ):
        assert secret not in text, fmt
