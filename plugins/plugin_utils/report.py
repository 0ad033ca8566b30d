"""Fleet drift reports: per-host check-mode results -> one JSON, Markdown and JUnit XML report.

Pure functions, no Ansible: `build_report(results)` classifies every host from the result of
`wfp.ipsec.policy` in check mode (docs/drift-reports.md); `to_json`, `to_markdown` and
`to_junit` render the report. In JUnit a host with drift or shadowing findings is a failing test
case, a host that failed or was unreachable (or has no result) is an error case.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Final

REPORT_FORMAT: Final = "wfp.ipsec.drift-report/1"
STATUSES: Final = ("in_sync", "drift", "shadowed", "failed", "unreachable", "no_result")
FAILING: Final = frozenset({"drift", "shadowed"})
ERRORS: Final = frozenset({"failed", "unreachable", "no_result"})
#: which shadowing findings make a host fail: every finding, only certain ones, only certain ones
#: that affect all of our filter's traffic (the default), or none
SHADOWING_THRESHOLDS: Final = ("possible", "certain", "covering", "none")
DEFAULT_SHADOWING_THRESHOLD: Final = "covering"
_DRIFT_KEYS: Final = ("missing", "unexpected", "changed")


def _counts(drift: Any) -> dict[str, int]:
    drift = drift if isinstance(drift, Mapping) else {}
    return {key: int(drift.get(key) or 0) for key in _DRIFT_KEYS}


def _counted_findings(findings: list[dict[str, Any]], threshold: str) -> list[dict[str, Any]]:
    if threshold == "none":
        return []
    if threshold == "certain":
        return [f for f in findings if f.get("certainty") == "certain"]
    if threshold == "covering":
        return [
            f for f in findings if f.get("certainty") == "certain" and f.get("coverage") == "all"
        ]
    return findings


def host_entry(
    host: str, result: Mapping[str, Any] | None, threshold: str = DEFAULT_SHADOWING_THRESHOLD
) -> dict[str, Any]:
    """One host's line of the report."""
    entry: dict[str, Any] = {
        "host": host,
        "status": "no_result",
        "message": None,
        "backend": None,
        "drift": dict.fromkeys(_DRIFT_KEYS, 0),
        "plan": [],
        "shadowing": [],
        "shadowing_counted": 0,
    }
    if not result:
        entry["message"] = "no result: the check did not run on this host"
        return entry
    if result.get("unreachable"):
        entry.update(status="unreachable", message=str(result.get("msg") or "unreachable"))
        return entry
    if result.get("failed"):
        entry.update(status="failed", message=str(result.get("msg") or "failed"))
        return entry
    if result.get("skipped"):
        entry["message"] = str(result.get("skip_reason") or "skipped")
        return entry
    findings = [dict(f) for f in result.get("shadowing") or [] if isinstance(f, Mapping)]
    plan = [dict(op) for op in result.get("plan") or [] if isinstance(op, Mapping)]
    counted = _counted_findings(findings, threshold)
    entry.update(
        backend=result.get("backend"),
        drift=_counts(result.get("drift")),
        plan=plan,
        shadowing=findings,
        shadowing_counted=len(counted),
    )
    if any(entry["drift"].values()) or plan:
        entry["status"] = "drift"
    elif counted:
        entry["status"] = "shadowed"
    else:
        entry["status"] = "in_sync"
    return entry


def build_report(
    results: Mapping[str, Mapping[str, Any] | None],
    *,
    title: str = "wfp.ipsec drift report",
    generated_at: str | None = None,
    shadowing_threshold: str = DEFAULT_SHADOWING_THRESHOLD,
) -> dict[str, Any]:
    """The report of a fleet: `results` maps each host to its check-mode task result."""
    if shadowing_threshold not in SHADOWING_THRESHOLDS:
        raise ValueError(
            f"shadowing_threshold must be one of {SHADOWING_THRESHOLDS}, not {shadowing_threshold!r}"
        )
    hosts = [host_entry(host, results[host], shadowing_threshold) for host in sorted(results)]
    summary: dict[str, int] = {"hosts": len(hosts), **dict.fromkeys(STATUSES, 0)}
    for entry in hosts:
        summary[entry["status"]] += 1
    summary["shadowing_findings"] = sum(len(entry["shadowing"]) for entry in hosts)
    return {
        "format": REPORT_FORMAT,
        "title": title,
        "generated_at": generated_at,
        "shadowing_threshold": shadowing_threshold,
        "summary": summary,
        "ok": not any(entry["status"] in FAILING | ERRORS for entry in hosts),
        "hosts": hosts,
    }


def failing_hosts(report: Mapping[str, Any], include_errors: bool = True) -> list[str]:
    """Hosts with drift or counted shadowing findings (and, optionally, errors)."""
    statuses = FAILING | ERRORS if include_errors else FAILING
    return [entry["host"] for entry in report["hosts"] if entry["status"] in statuses]


# ---- renderings --------------------------------------------------------------------------------


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _finding_line(finding: Mapping[str, Any]) -> str:
    ours = finding.get("ours") or {}
    theirs = finding.get("theirs") or {}
    owner = theirs.get("provider") or theirs.get("provider_key") or "no provider"
    return (
        f"`{finding.get('rule')}` ({finding.get('certainty')}, {finding.get('overlap')}, "
        f"affects {finding.get('coverage', 'some')} of our traffic) at "
        f"`{finding.get('layer')}`: ours *{_cell(ours.get('name'))}* "
        f"(sublayer {_cell(ours.get('sublayer'))} / {ours.get('sublayer_weight')}, "
        f"weight {ours.get('effective_weight')}) vs theirs *{_cell(theirs.get('name'))}* "
        f"[{_cell(owner)}] (sublayer {_cell(theirs.get('sublayer'))} / "
        f"{theirs.get('sublayer_weight')}, weight {theirs.get('effective_weight')}): "
        f"{_cell(finding.get('why'))}"
    )


def to_markdown(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    lines = [
        f"# {report['title']}",
        "",
        f"Generated: {report.get('generated_at') or 'n/a'} · hosts: {summary['hosts']} · "
        f"in sync: {summary['in_sync']} · drift: {summary['drift']} · "
        f"shadowed: {summary['shadowed']} · failed: {summary['failed']} · "
        f"unreachable: {summary['unreachable']} · no result: {summary['no_result']}",
        "",
        "| Host | Status | Missing | Unexpected | Changed | Shadowing | Backend |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for entry in report["hosts"]:
        drift = entry["drift"]
        lines.append(
            f"| {_cell(entry['host'])} | {entry['status']} | {drift['missing']} | "
            f"{drift['unexpected']} | {drift['changed']} | {len(entry['shadowing'])} | "
            f"{_cell(entry['backend'] or '')} |"
        )
    for entry in report["hosts"]:
        if entry["status"] == "in_sync" and not entry["shadowing"]:
            continue
        lines += ["", f"## {entry['host']} — {entry['status']}", ""]
        if entry["message"]:
            lines += [f"> {_cell(entry['message'])}", ""]
        if entry["plan"]:
            lines.append("Plan (what a converge would do):")
            lines.append("")
            for op in entry["plan"]:
                lines.append(
                    f"- {op.get('op')} {op.get('type')} *{_cell(op.get('name'))}* "
                    f"(`{op.get('key')}`)"
                )
            lines.append("")
        if entry["shadowing"]:
            lines.append(f"Shadowing findings ({len(entry['shadowing'])}):")
            lines.append("")
            lines += [f"- {_finding_line(finding)}" for finding in entry["shadowing"]]
    return "\n".join(lines).rstrip() + "\n"


def to_junit(report: Mapping[str, Any]) -> str:
    summary = report["summary"]
    failures = sum(summary[status] for status in FAILING)
    errors = sum(summary[status] for status in ERRORS)
    suites = ET.Element(
        "testsuites",
        name=str(report["title"]),
        tests=str(summary["hosts"]),
        failures=str(failures),
        errors=str(errors),
    )
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="wfp.ipsec.drift",
        tests=str(summary["hosts"]),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
    )
    if report.get("generated_at"):
        suite.set("timestamp", str(report["generated_at"]))
    for entry in report["hosts"]:
        case = ET.SubElement(suite, "testcase", classname="wfp.ipsec.drift", name=entry["host"])
        drift = entry["drift"]
        if entry["status"] in ERRORS:
            error = ET.SubElement(
                case, "error", type=entry["status"], message=entry["message"] or ""
            )
            error.text = entry["message"] or ""
        elif entry["status"] in FAILING:
            message = (
                f"drift: missing {drift['missing']}, unexpected {drift['unexpected']}, "
                f"changed {drift['changed']}; shadowing findings: {len(entry['shadowing'])}"
            )
            failure = ET.SubElement(case, "failure", type=entry["status"], message=message)
            details = [
                f"{op.get('op')} {op.get('type')} {op.get('name')} ({op.get('key')})"
                for op in entry["plan"]
            ]
            details += [_finding_line(finding) for finding in entry["shadowing"]]
            failure.text = "\n".join(details)
        if entry["shadowing"] and entry["status"] not in FAILING | ERRORS:
            output = ET.SubElement(case, "system-out")
            output.text = "\n".join(_finding_line(finding) for finding in entry["shadowing"])
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


RENDERERS: Final = {"json": to_json, "markdown": to_markdown, "junit": to_junit}
FILE_NAMES: Final = {
    "json": "wfp-ipsec-drift.json",
    "markdown": "wfp-ipsec-drift.md",
    "junit": "wfp-ipsec-drift.junit.xml",
}
