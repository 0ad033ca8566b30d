"""Fleet drift reports: per-host check-mode results -> one JSON, Markdown, HTML and JUnit report.

Pure functions, no Ansible: `build_report(results)` classifies every host from the result of
`wfp.ipsec.policy` in check mode (docs/drift-reports.md), sorts the hosts by severity and groups
the shadowing findings of the whole fleet by foreign filter; `to_json`, `to_markdown` and
`to_junit` render it (the HTML is report_html.py; report_formats.py picks a renderer by name).
In JUnit a host with drift or counted shadowing findings is a failing test case, a host that
failed or was unreachable (or has no result) is an error case.

The Markdown fits a merge-request comment (`MARKDOWN_LIMIT`, GitHub's 65,536 characters): a
summary table, the hosts by severity, one line per foreign filter, the details of each host
collapsed; what does not fit is left out with a line saying what and where the full report is.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any, Final

from .render import fwp_weight_text, weight_text

REPORT_FORMAT: Final = "wfp.ipsec.drift-report/2"
STATUSES: Final = ("in_sync", "drift", "shadowed", "failed", "unreachable", "no_result")
#: most severe first: hosts we know nothing about, then policy overridden, then drift
SEVERITY: Final = ("failed", "unreachable", "no_result", "shadowed", "drift", "in_sync")
FAILING: Final = frozenset({"drift", "shadowed"})
ERRORS: Final = frozenset({"failed", "unreachable", "no_result"})
#: which shadowing findings make a host fail: every finding, only certain ones, only certain ones
#: that affect all of our filter's traffic (the default), or none
SHADOWING_THRESHOLDS: Final = ("possible", "certain", "covering", "none")
DEFAULT_SHADOWING_THRESHOLD: Final = "covering"
MARKDOWN_LIMIT: Final = 65_536
_DRIFT_KEYS: Final = ("missing", "unexpected", "changed")
_PLAN_FIELDS: Final = ("op", "type", "name", "key", "reason")
_STATUS_LABELS: Final = {
    "in_sync": "in sync",
    "drift": "drift",
    "shadowed": "shadowed",
    "failed": "failed",
    "unreachable": "unreachable",
    "no_result": "no result",
}


def _counts(drift: Any) -> dict[str, int]:
    drift = drift if isinstance(drift, Mapping) else {}
    return {key: int(drift.get(key) or 0) for key in _DRIFT_KEYS}


def is_counted(finding: Mapping[str, Any], threshold: str) -> bool:
    """Whether a finding makes its host fail under `threshold`."""
    if threshold == "none":
        return False
    if threshold == "certain":
        return finding.get("certainty") == "certain"
    if threshold == "covering":
        return finding.get("certainty") == "certain" and finding.get("coverage") == "all"
    return True


def host_entry(
    host: str, result: Mapping[str, Any] | None, threshold: str = DEFAULT_SHADOWING_THRESHOLD
) -> dict[str, Any]:
    """One host's entry of the report."""
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
    if not isinstance(result, Mapping) or not result:
        entry["message"] = "the check did not run on this host"
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
    findings = []
    seen = set()
    for finding in result.get("shadowing") or []:
        if not isinstance(finding, Mapping):
            continue
        identity = (
            finding.get("rule"),
            finding.get("layer_key") or finding.get("layer"),
            str((finding.get("ours") or {}).get("key") or (finding.get("ours") or {}).get("name")),
            str(
                (finding.get("theirs") or {}).get("key")
                or (finding.get("theirs") or {}).get("name")
            ),
        )
        if identity in seen:  # the same finding twice (e.g. two tasks' results merged)
            continue
        seen.add(identity)
        findings.append({**finding, "counted": is_counted(finding, threshold)})
    plan = [
        {name: op.get(name) for name in _PLAN_FIELDS}  # names only: no object bodies, no secrets
        for op in result.get("plan") or []
        if isinstance(op, Mapping)
    ]
    entry.update(
        backend=result.get("backend"),
        drift=_counts(result.get("drift")),
        plan=plan,
        shadowing=findings,
        shadowing_counted=sum(f["counted"] for f in findings),
    )
    if any(entry["drift"].values()) or plan:
        entry["status"] = "drift"
    elif entry["shadowing_counted"]:
        entry["status"] = "shadowed"
    else:
        entry["status"] = "in_sync"
    return entry


def _readable_entry(host: str, result: Any, threshold: str) -> dict[str, Any]:
    """`host_entry`, or a failed entry naming the host when its result cannot be read."""
    try:
        return host_entry(host, result, threshold)
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        entry = host_entry(host, None, threshold)
        entry.update(
            status="failed",
            message=f"the check result of {host} cannot be read ({type(error).__name__}: "
            f"{error}); run the check again with -vvv on {host}",
        )
        return entry


def severity_key(entry: Mapping[str, Any]) -> tuple[int, int, int, str]:
    """Sort key: status by severity, then more counted findings, then more drift, then name."""
    return (
        SEVERITY.index(entry["status"]),
        -int(entry["shadowing_counted"]),
        -sum(entry["drift"].values()),
        str(entry["host"]),
    )


# ---- findings grouped by foreign filter --------------------------------------------------------


def _owner(theirs: Mapping[str, Any]) -> str:
    return str(theirs.get("provider") or theirs.get("provider_key") or "no provider")


def _group_key(finding: Mapping[str, Any]) -> tuple[str, str, str]:
    theirs = finding.get("theirs") or {}
    return (
        _owner(theirs),
        str(theirs.get("name") or theirs.get("key") or ""),
        str(theirs.get("action") or ""),
    )


def finding_rank(finding: Mapping[str, Any]) -> tuple[bool, bool, bool]:
    """How much a finding matters: counted, then certain, then covering all of our traffic."""
    return (
        bool(finding.get("counted")),
        finding.get("certainty") == "certain",
        finding.get("coverage") == "all",
    )


def _group_order(group: Mapping[str, Any]) -> tuple[Any, ...]:
    return (
        not group["counted"],
        group["certainty"] != "certain",
        group["coverage"] != "all",
        group["stock"],
        -len(group["hosts"]),
        group["theirs"]["name"],
    )


def group_findings(pairs: Iterable[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """(host, finding) pairs -> one group per foreign filter (by owner, name and action), most
    important first: its most important classification and worked example, the hosts it was
    found on (`counted_hosts`: where it makes the host fail), our filters (`ours_counted`: those
    it counts against) and the layers it affects."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for host, finding in pairs:
        theirs = finding.get("theirs") or {}
        group = groups.get(_group_key(finding))
        if group is None:
            group = groups[_group_key(finding)] = {
                "theirs": {
                    "name": str(theirs.get("name") or theirs.get("key") or ""),
                    "provider": _owner(theirs),
                    "action": theirs.get("action"),
                    "sublayer": theirs.get("sublayer"),
                },
                "stock": bool(finding.get("stock")),
                "hosts": [],
                "counted_hosts": [],
                "ours": [],
                "ours_counted": [],
                "layers": [],
                "findings": 0,
                "_rank": None,
            }
        if group["_rank"] is None or finding_rank(finding) > group["_rank"]:
            group.update(
                _rank=finding_rank(finding),
                rule=finding.get("rule"),
                certainty=finding.get("certainty"),
                coverage=finding.get("coverage", "some"),
                counted=bool(finding.get("counted")),
                why=finding.get("why"),
                example=finding_detail(finding),
            )
        group["findings"] += 1
        ours = str((finding.get("ours") or {}).get("name") or "")
        values = [("hosts", host), ("ours", ours), ("layers", finding.get("layer"))]
        if finding.get("counted"):
            values += [("counted_hosts", host), ("ours_counted", ours)]
        for field, value in values:
            if value and value not in group[field]:
                group[field].append(value)
    result = list(groups.values())
    for group in result:
        del group["_rank"]
        for field in ("ours", "ours_counted", "layers"):
            group[field].sort()
    result.sort(key=_group_order)
    return result


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
    hosts = [_readable_entry(host, results[host], shadowing_threshold) for host in results]
    hosts.sort(key=severity_key)
    summary: dict[str, int] = {"hosts": len(hosts), **dict.fromkeys(STATUSES, 0)}
    for entry in hosts:
        summary[entry["status"]] += 1
    summary["shadowing_findings"] = sum(len(entry["shadowing"]) for entry in hosts)
    summary["shadowing_counted"] = sum(entry["shadowing_counted"] for entry in hosts)
    return {
        "format": REPORT_FORMAT,
        "title": title,
        "generated_at": generated_at,
        "shadowing_threshold": shadowing_threshold,
        "summary": summary,
        "ok": not any(entry["status"] in FAILING | ERRORS for entry in hosts),
        "hosts": hosts,
        "findings": group_findings(
            (entry["host"], finding) for entry in hosts for finding in entry["shadowing"]
        ),
    }


def failing_hosts(report: Mapping[str, Any], include_errors: bool = True) -> list[str]:
    """Hosts with drift or counted shadowing findings (and, optionally, errors), by severity."""
    statuses = FAILING | ERRORS if include_errors else FAILING
    return [entry["host"] for entry in report["hosts"] if entry["status"] in statuses]


def host_reason(entry: Mapping[str, Any]) -> str:
    """Why a host is not in sync, in one short line."""
    if entry["status"] in ERRORS:
        return f"{_STATUS_LABELS[entry['status']]}: {entry['message']}"
    drift = entry["drift"]
    parts = []
    if any(drift.values()) or entry["plan"]:
        parts.append(
            f"drift (missing {drift['missing']}, unexpected {drift['unexpected']}, "
            f"changed {drift['changed']})"
        )
    if entry["shadowing_counted"]:
        parts.append(f"{entry['shadowing_counted']} counted shadowing finding(s)")
    return ", ".join(parts) or _STATUS_LABELS[entry["status"]]


def plan_lines(plan: list[Mapping[str, Any]], limit: int = 12) -> list[str]:
    """The plan in words: one line per object (a delete and re-add is one "replace"), or counts
    by reason and type when more than `limit` objects change."""
    by_key: dict[Any, dict[str, Any]] = {}
    for op in plan:
        item = by_key.setdefault(op.get("key"), {**op, "ops": set()})
        item["ops"].add(op.get("op"))
    verbs = {
        frozenset({"add"}): "add",
        frozenset({"delete"}): "remove",
        frozenset({"add", "delete"}): "replace",
    }
    items = [(verbs.get(frozenset(i["ops"]), "change"), i) for i in by_key.values()]
    if len(items) <= limit:
        return [
            f"{verb} {item.get('type')} {item.get('name') or item.get('key')}"
            + (f" ({_reason_text(item['reason'])})" if item.get("reason") else "")
            for verb, item in items
        ]
    counts: dict[tuple[str, str, str], int] = {}
    for verb, item in items:
        key = (verb, str(item.get("type")), _reason_text(item.get("reason")))
        counts[key] = counts.get(key, 0) + 1
    return [f"{verb} {n} {kind}(s) ({reason})" for (verb, kind, reason), n in counts.items()]


def _reason_text(reason: Any) -> str:
    return {"dependency": "re-added: an object it depends on changes"}.get(str(reason), str(reason))


def finding_detail(finding: Mapping[str, Any]) -> str:
    """One finding with both filters' places in the arbitration, weights by name."""
    ours = finding.get("ours") or {}
    theirs = finding.get("theirs") or {}
    return (
        f"{finding.get('rule')} ({finding.get('certainty')}, {finding.get('overlap')}, "
        f"affects {finding.get('coverage', 'some')} of our traffic) at {finding.get('layer')}: "
        f"ours '{ours.get('name')}' in {_place(ours)} vs theirs '{theirs.get('name')}' "
        f"[{_owner(theirs)}] in {_place(theirs)}: {finding.get('why')}"
    )


def shown_weight(ref: Mapping[str, Any]) -> str:
    """A filter's effective weight by name; its declared weight when BFE's part is unknown."""
    weight = ref.get("effective_weight")
    if isinstance(weight, int) and ref.get("effective_weight_exact", True):
        return weight_text(weight)
    return fwp_weight_text(ref.get("weight"))


def _place(ref: Mapping[str, Any]) -> str:
    shown = shown_weight(ref)
    return (
        f"sublayer '{ref.get('sublayer')}' (weight {ref.get('sublayer_weight')}), "
        f"filter weight {shown}"
    )


# ---- renderings ----------------------------------------------------------------------------


def to_json(report: Mapping[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md(value: Any) -> str:
    """Text safe in a Markdown table cell and in GitHub's HTML sanitiser."""
    text = "" if value is None else str(value)
    for old, new in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\\", "\\\\"),
        ("|", "\\|"),
        ("*", "\\*"),
        ("`", "\\`"),
        ("\n", " "),
    ):
        text = text.replace(old, new)
    return text


def _names(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(_md(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def common_prefix(names: Iterable[str]) -> str:
    """The shared "<policy name>: " prefix of our filter names (dropped in compact lines)."""
    prefixes = {name.split(": ", 1)[0] + ": " for name in names if ": " in name}
    return prefixes.pop() if len(prefixes) == 1 else ""


def _short(name: str, prefix: str) -> str:
    return name.removeprefix(prefix) if prefix else name


def _action(action: Any) -> str:
    return str(action or "?").removeprefix("FWP_ACTION_").lower().replace("_", " ")


def is_notable(group: Mapping[str, Any]) -> bool:
    """Counted, certain or third-party findings; the rest is stock Windows and possible."""
    return bool(group["counted"] or group["certainty"] == "certain" or not group["stock"])


def _group_line(group: Mapping[str, Any], prefix: str, total_hosts: int | None = None) -> str:
    """One foreign filter in one line; with `total_hosts`, the hosts it was found on."""
    theirs = group["theirs"]
    layers = ", ".join(str(layer).removeprefix("FWPM_LAYER_") for layer in group["layers"])
    tags = [str(group["certainty"]), f"affects {group['coverage']}"]
    if group["stock"]:
        tags.append("stock Windows")
    if group["counted"]:
        tags.insert(0, "**counted**")
    where = ""
    if total_hosts is not None:
        hosts = group["hosts"]
        counted = len(group["counted_hosts"])
        fails = f", fails {counted}" if counted and counted != len(hosts) else ""
        if len(hosts) == total_hosts > 1:
            where = f" — all {total_hosts} hosts{fails}"
        else:
            where = f" — {len(hosts)} host(s){fails}: {_names(hosts, 4)}"
    ours = [
        _short(n, prefix) + (" (counted)" if n in group["ours_counted"] else "")
        for n in sorted(group["ours"], key=lambda n: n not in group["ours_counted"])
    ]
    return (
        f"- {' · '.join(tags)} — {_action(theirs['action'])} *{_md(theirs['name'])}* "
        f"({_md(theirs['provider'])}) at {_md(layers)}{where} — ours: {_names(ours, 3)}"
    )


def _host_row(entry: Mapping[str, Any]) -> str:
    drift = entry["drift"]
    return (
        f"| {_md(entry['host'])} | {_STATUS_LABELS[entry['status']]} | {drift['missing']} | "
        f"{drift['unexpected']} | {drift['changed']} | {entry['shadowing_counted']} / "
        f"{len(entry['shadowing'])} | {_md(entry['backend'] or '')} |"
    )


def _details_body(entry: Mapping[str, Any], prefix: str) -> list[str]:
    """What a host's details say, without its name (hosts with the same body share a block)."""
    lines = []
    if entry["message"] and entry["status"] not in ERRORS:  # errors: the summary says it
        lines += [f"> {_md(entry['message'])}", ""]
    if entry["plan"]:
        lines += ["What a converge would do:", ""]
        lines += [f"- {_md(line)}" for line in plan_lines(entry["plan"])]
        lines.append("")
    if entry["shadowing"]:
        groups = group_findings(("", f) for f in entry["shadowing"])
        lines += [f"Shadowing findings ({len(entry['shadowing'])}, by foreign filter):", ""]
        routine = [g for g in groups if not is_notable(g)]
        for group in groups:
            if is_notable(group):
                lines.append(_group_line(group, prefix))
                lines.append(f"  - {_md(group['example'])}")
        if routine:
            names = sorted({g["theirs"]["name"] for g in routine})
            lines.append(
                f"- {len(routine)} more stock Windows filter(s), possible only: {_names(names, 12)}"
            )
        lines.append("")
    return lines


def _details_blocks(entries: list[Mapping[str, Any]], prefix: str) -> list[tuple[list[str], int]]:
    """One collapsed block per distinct result, in severity order: hosts whose details read the
    same (copies of one machine image, say) share one block that names them all."""
    bodies: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for entry in entries:
        body = (host_reason(entry), *_details_body(entry, prefix))
        bodies.setdefault(body, []).append(entry)
    blocks = []
    for body, same in bodies.items():
        names = [str(e["host"]) for e in same]
        who = f"<b>{_md(names[0])}</b>"
        if len(names) > 1:
            who += f" and {len(names) - 1} more host(s) with the same result"
        lines = ["<details>", f"<summary>{who} — {_md(body[0])}</summary>", ""]
        if len(names) > 1:
            lines += [f"Hosts: {_names(names, 30)}", ""]
        blocks.append(([*lines, *body[1:], "</details>", ""], len(names)))
    return blocks


def _fit(blocks: list[list[str]], budget: int) -> tuple[list[str], int]:
    """As many whole blocks as fit in `budget` characters; the number left out."""
    kept: list[str] = []
    used = 0
    for index, block in enumerate(blocks):
        size = sum(len(line) + 1 for line in block)
        if used + size > budget:
            return kept, len(blocks) - index
        kept += block
        used += size
    return kept, 0


def to_markdown(
    report: Mapping[str, Any], *, limit: int = MARKDOWN_LIMIT, full_report: str | None = None
) -> str:
    """The report for people and merge-request comments, at most `limit` characters."""
    summary = report["summary"]
    hosts = report["hosts"]
    prefix = common_prefix(n for g in report.get("findings") or [] for n in g["ours"])
    head = [
        f"# {_md(report['title'])}",
        "",
        f"Generated: {_md(report.get('generated_at') or 'n/a')} · shadowing findings counted: "
        f"`{report['shadowing_threshold']}` · {'**OK**' if report['ok'] else '**not OK**'}",
        "",
        "| Status | Hosts |",
        "|---|---:|",
        *[f"| {_STATUS_LABELS[status]} | {summary[status]} |" for status in SEVERITY],
        f"| **total** | **{summary['hosts']}** |",
        "",
    ]
    problem_hosts = [entry for entry in hosts if entry["status"] != "in_sync"]
    in_sync = [entry["host"] for entry in hosts if entry["status"] == "in_sync"]
    table_head = [
        "## Hosts by severity",
        "",
        "| Host | Status | Missing | Unexpected | Changed | Shadowing (counted / all) | Backend |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    rows, rows_left = _fit([[_host_row(e)] for e in problem_hosts], limit * 7 // 20)
    hosts_part = table_head + rows if problem_hosts else []
    if rows_left:
        hosts_part.append(f"| … {rows_left} more host(s) | | | | | | |")
    if in_sync:
        hosts_part += ["", f"In sync ({len(in_sync)}): {_names(in_sync, 40)}"]
    groups = report.get("findings") or []
    counted = [g for g in groups if g["counted"]]
    others = [g for g in groups if not g["counted"]]
    findings_part: list[str] = []
    kept_lines: list[str] = []
    groups_left = 0
    if groups:
        findings_part = [
            "",
            f"## Shadowing by foreign filter ({len(groups)} filters, "
            f"{summary['shadowing_findings']} findings, {summary['shadowing_counted']} counted)",
            "",
        ]
        group_blocks = [[_group_line(g, prefix, summary["hosts"])] for g in counted]
        kept_lines, groups_left = _fit(group_blocks, limit * 3 // 10)
        findings_part += kept_lines or ["No finding makes a host fail."]
        if others and not groups_left:
            stock = sum(g["stock"] for g in others)
            other_lines, others_left = _fit(
                [[_group_line(g, prefix, summary["hosts"])] for g in others],
                limit * 3 // 10 - sum(len(line) + 1 for line in kept_lines),
            )
            groups_left += others_left
            findings_part += [
                "",
                "<details>",
                f"<summary>{len(others)} foreign filter(s) not counted ({stock} stock Windows): "
                "possible, or affecting only part of our traffic</summary>",
                "",
                *other_lines,
                "",
                "</details>",
            ]
        if groups_left:
            findings_part.append(f"- … {groups_left} more foreign filter(s) in the full report")
    if prefix:
        findings_part += ["", f"Our filters are named without the prefix '{_md(prefix)}'."]
    text_lines = head + hosts_part + findings_part + ["", "## Details", ""]
    reserve = 600  # the closing line
    budget = limit - sum(len(line) + 1 for line in text_lines) - reserve
    detailed = [e for e in hosts if e["status"] != "in_sync" or e["shadowing"]]
    blocks = _details_blocks(detailed, prefix)
    details, blocks_left = _fit([lines for lines, _hosts in blocks], max(budget, 0))
    details_left = sum(hosts for _lines, hosts in blocks[len(blocks) - blocks_left :])
    text_lines += details or ["No host has details to show."]
    if details_left or rows_left or groups_left:
        where = full_report or "the JSON and HTML reports"
        text_lines += [
            "",
            f"_Left out to stay under {limit:,} characters: details of {details_left} host(s)"
            f", {rows_left} host row(s), {groups_left} foreign filter line(s). "
            f"The full report is in {_md(where)}._",
        ]
    text = "\n".join(text_lines).rstrip() + "\n"
    if len(text) > limit:  # the head alone is too large (a huge title): cut hard, say so
        cut = f"\n\n_Cut at {limit:,} characters; the full report is in {_md(full_report)}._\n"
        text = text[: limit - len(cut)] + cut
    return text


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
    for entry in sorted(report["hosts"], key=lambda e: str(e["host"])):
        case = ET.SubElement(suite, "testcase", classname="wfp.ipsec.drift", name=entry["host"])
        if entry["status"] in ERRORS:
            error = ET.SubElement(
                case, "error", type=entry["status"], message=entry["message"] or ""
            )
            error.text = entry["message"] or ""
        elif entry["status"] in FAILING:
            failure = ET.SubElement(
                case, "failure", type=entry["status"], message=host_reason(entry)
            )
            details = plan_lines(entry["plan"])
            details += [finding_detail(f) for f in entry["shadowing"] if f.get("counted")]
            failure.text = "\n".join(details)
        if entry["shadowing"] and entry["status"] not in ERRORS:
            output = ET.SubElement(case, "system-out")
            output.text = "\n".join(finding_detail(finding) for finding in entry["shadowing"])
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
