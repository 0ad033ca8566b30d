"""The fleet drift report as one self-contained HTML page (inline CSS, SVG and a little JS).

`to_html(report)` takes the report of report.build_report. The page works offline (a
Content-Security-Policy forbids every network request), reads without JavaScript (the script
only adds a host filter box) and carries text next to every colour. Per host it draws the
arbitration that matters for each of our layers: the sublayers in the order WFP evaluates them
(highest weight first) with, in each, the filters that decide our traffic, heaviest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any, Final

from .report import (
    ERRORS,
    SEVERITY,
    common_prefix,
    finding_rank,
    group_findings,
    host_reason,
    is_notable,
    plan_lines,
    shown_weight,
)

_LABELS: Final = {
    "in_sync": "in sync",
    "drift": "drift",
    "shadowed": "shadowed",
    "failed": "failed",
    "unreachable": "unreachable",
    "no_result": "no result",
}
_CARDS: Final = (
    ("in_sync", ("in_sync",), "policy in place, nothing overrides it"),
    ("drift", ("drift",), "a converge would change objects"),
    ("shadowed", ("shadowed",), "in place, but another filter decides our traffic"),
    ("failed", tuple(sorted(ERRORS)), "could not be checked"),
)

_CSS: Final = """
:root{--ok:#1a7f37;--drift:#9a6700;--shadow:#8250df;--fail:#cf222e;--muted:#57606a;
--line:#d0d7de;--bg:#f6f8fa;--ours:#0969da;--oursbg:#ddf4ff;font-family:system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;line-height:1.45}
body{margin:0;background:#fff}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:1px solid var(--line)}
h1{font-size:1.6rem;margin:0 0 4px}
h2{font-size:1.25rem;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:1.1rem;margin:0 0 6px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.meta{color:var(--muted);margin:0 0 14px}
.verdict{font-weight:600}
.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--fail)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;
padding:0;margin:0 0 14px;list-style:none}
.card{border:1px solid var(--line);border-left:6px solid var(--c);border-radius:8px;
padding:10px 14px;background:#fff}
.card .n{display:block;font-size:2rem;font-weight:700;color:var(--c)}
.card .what{font-weight:600}.card .hint{display:block;color:var(--muted);font-size:.85rem}
.s-in_sync{--c:var(--ok)}.s-drift{--c:var(--drift)}.s-shadowed{--c:var(--shadow)}
.s-failed,.s-unreachable,.s-no_result{--c:var(--fail)}
.bar{width:100%;height:22px;display:block;border-radius:4px;overflow:hidden}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:.8rem;
font-weight:600;color:#fff;background:var(--c);white-space:nowrap}
.tag{display:inline-block;border:1px solid var(--line);border-radius:4px;padding:0 6px;
font-size:.78rem;margin:1px 2px 1px 0;background:var(--bg);white-space:nowrap}
.tag.counted{border-color:var(--fail);color:var(--fail);font-weight:600;background:#fff}
.tag.stock{color:var(--muted)}
td.tags{min-width:170px}
td.filter-name{min-width:220px}
tbody th{background:none;font-weight:600}
.host{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 16px}
.host > p{margin:4px 0}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600}
.layer{margin:12px 0 4px}
.layer figcaption{font-weight:600;margin-bottom:6px}
.layer figcaption code{font-weight:600}
ol.sublayers{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
li.sublayer{border:1px solid var(--line);border-radius:6px;background:var(--bg);padding:6px 10px}
li.sublayer.ours{border:2px solid var(--ours);background:var(--oursbg)}
.sl-head{display:flex;justify-content:space-between;gap:10px;font-size:.88rem;color:var(--muted)}
.sl-head b{color:#1f2328}
ol.filters{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-direction:column;gap:4px}
li.filter{display:grid;grid-template-columns:92px 1fr auto;gap:8px;align-items:baseline;
background:#fff;border:1px solid var(--line);border-radius:4px;padding:4px 8px;font-size:.88rem}
li.filter.ours{border:2px solid var(--ours);font-weight:600}
.act{font-weight:700;font-size:.78rem;text-transform:uppercase;letter-spacing:.02em}
.act.block{color:var(--fail)}.act.permit{color:var(--ok)}.act.callout{color:var(--shadow)}
.w{color:var(--muted);font-size:.8rem;white-space:nowrap}
.more{color:var(--muted);font-size:.85rem;margin-top:4px}
.legend{color:var(--muted);font-size:.88rem}
.why{color:var(--muted);font-size:.85rem}
code{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:.85em}
footer{color:var(--muted);font-size:.85rem;padding:24px}
a{color:var(--ours)}
:focus-visible{outline:3px solid var(--ours);outline-offset:2px}
@media print{details{display:block}th{position:static}}
"""

_SCRIPT: Final = """
(function () {
  var box = document.getElementById("host-filter");
  var rows = document.querySelectorAll("#hosts tbody tr");
  box.parentNode.parentNode.hidden = false;
  box.addEventListener("input", function () {
    var needle = box.value.toLowerCase();
    rows.forEach(function (row) {
      row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
    });
  });
})();
"""

_CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
)


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _anchor(index: int, host: str) -> str:
    return f"h{index}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", host)[:40]


def _badge(status: str) -> str:
    return f'<span class="badge s-{_e(status)}">{_e(_LABELS.get(status, status))}</span>'


def _tags(item: Mapping[str, Any]) -> str:
    tags = []
    if item.get("counted"):
        tags.append('<span class="tag counted">counted</span>')
    tags.append(f'<span class="tag">{_e(item.get("certainty"))}</span>')
    tags.append(f'<span class="tag">affects {_e(item.get("coverage", "some"))}</span>')
    if item.get("stock"):
        tags.append('<span class="tag stock">stock Windows</span>')
    return "".join(tags)


def _action_class(action: Any) -> tuple[str, str]:
    text = str(action or "").removeprefix("FWP_ACTION_")
    if text == "BLOCK":
        return "block", "block"
    if text == "PERMIT":
        return "permit", "permit"
    return "callout", "callout"


def _bar(summary: Mapping[str, int]) -> str:
    """The fleet as one stacked bar (SVG), described for screen readers."""
    total = max(summary["hosts"], 1)
    colours = {"in_sync": "#1a7f37", "drift": "#9a6700", "shadowed": "#8250df"}
    parts, x = [], 0.0
    for status in ("in_sync", "drift", "shadowed", "failed", "unreachable", "no_result"):
        width = 1000 * summary[status] / total
        if width:
            colour = colours.get(status, "#cf222e")
            parts.append(
                f'<rect x="{x:.1f}" y="0" width="{width:.1f}" height="22" fill="{colour}">'
                f"<title>{_e(_LABELS[status])}: {summary[status]}</title></rect>"
            )
            x += width
    label = ", ".join(f"{summary[s]} {_LABELS[s]}" for s in SEVERITY[::-1] if summary[s])
    return (
        f'<svg class="bar" viewBox="0 0 1000 22" preserveAspectRatio="none" role="img" '
        f'aria-label="Hosts by status: {_e(label or "no hosts")}">{"".join(parts)}</svg>'
    )


def _glance(report: Mapping[str, Any]) -> list[str]:
    summary = report["summary"]
    cards = []
    for css, statuses, hint in _CARDS:
        count = sum(summary[s] for s in statuses)
        detail = ""
        if len(statuses) > 1 and count:
            parts = [f"{summary[s]} {_LABELS[s]}" for s in statuses if summary[s]]
            detail = " (" + ", ".join(parts) + ")" if parts != [f"{count} {css}"] else ""
        cards.append(
            f'<li class="card s-{css}"><span class="n">{count}</span>'
            f'<span class="what">{_e(_LABELS[css])}</span>{_e(detail)}'
            f'<span class="hint">{_e(hint)}</span></li>'
        )
    return [
        '<section aria-labelledby="glance">',
        '<h2 id="glance">Fleet at a glance</h2>',
        f'<ul class="cards">{"".join(cards)}</ul>',
        _bar(summary),
        "</section>",
    ]


def _host_table(report: Mapping[str, Any], anchors: Mapping[str, str]) -> list[str]:
    rows = []
    for entry in report["hosts"]:
        drift = entry["drift"]
        name = _e(entry["host"])
        if entry["host"] in anchors:
            name = f'<a href="#{anchors[entry["host"]]}">{name}</a>'
        rows.append(
            f'<tr><th scope="row">{name}</th><td>{_badge(entry["status"])}</td>'
            f'<td class="num">{drift["missing"]}</td><td class="num">{drift["unexpected"]}</td>'
            f'<td class="num">{drift["changed"]}</td>'
            f'<td class="num">{entry["shadowing_counted"]} / {len(entry["shadowing"])}</td>'
            f"<td>{_e(entry['backend'] or '')}</td></tr>"
        )
    return [
        '<section aria-labelledby="hosts-title">',
        '<h2 id="hosts-title">Hosts</h2>',
        '<p hidden><label>Filter hosts: <input id="host-filter" type="search" '
        'placeholder="name or status"></label></p>',
        '<table id="hosts"><caption>Most severe first. Shadowing: findings that make the host '
        f"fail (threshold <code>{_e(report['shadowing_threshold'])}</code>) / all findings."
        "</caption>",
        '<thead><tr><th scope="col">Host</th><th scope="col">Status</th>'
        '<th scope="col" class="num">Missing</th><th scope="col" class="num">Unexpected</th>'
        '<th scope="col" class="num">Changed</th><th scope="col" class="num">Shadowing</th>'
        '<th scope="col">Backend</th></tr></thead>',
        f"<tbody>{''.join(rows)}</tbody></table>",
        "</section>",
    ]


def _names(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(_e(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _group_row(group: Mapping[str, Any], total: int, prefix: str) -> str:
    theirs = group["theirs"]
    css, verb = _action_class(theirs["action"])
    hosts = group["hosts"]
    on = f"all {total}" if len(hosts) == total > 1 else _names(hosts)
    counted = len(group["counted_hosts"])
    if counted and counted != len(hosts):
        on += f" (fails {counted}: {_names(group['counted_hosts'], 4)})"
    layers = "<br>".join(
        f"<code>{_e(str(x).removeprefix('FWPM_LAYER_'))}</code>" for x in group["layers"]
    )
    ours = [
        name.removeprefix(prefix) + (" (counted)" if name in group["ours_counted"] else "")
        for name in sorted(group["ours"], key=lambda n: n not in group["ours_counted"])
    ]
    return (
        f'<tr><td class="tags">{_tags(group)}</td><td class="filter-name">'
        f'<span class="act {css}">{verb}</span> '
        f'<b>{_e(theirs["name"])}</b><br><span class="why">{_e(theirs["provider"])}'
        f"</span></td><td>{layers}</td>"
        f'<td class="num">{len(hosts)}</td><td>{on}</td><td>{_names(ours, 4)}</td></tr>'
    )


def _groups_table(report: Mapping[str, Any], prefix: str) -> list[str]:
    groups = report.get("findings") or []
    if not groups:
        return []
    total = report["summary"]["hosts"]
    head = (
        '<thead><tr><th scope="col">Classification</th><th scope="col">Foreign filter</th>'
        '<th scope="col">Layers</th><th scope="col" class="num">Hosts</th>'
        '<th scope="col">On</th><th scope="col">Our filters</th></tr></thead>'
    )
    notable = [g for g in groups if is_notable(g)]
    routine = [g for g in groups if not is_notable(g)]
    lines = [
        '<section aria-labelledby="groups-title">',
        '<h2 id="groups-title">Shadowing by foreign filter</h2>',
    ]
    if prefix:
        lines.append(
            f'<p class="legend">Our filters without the prefix &quot;{_e(prefix)}&quot;.</p>'
        )
    if notable:
        lines += [
            "<table><caption>One row per foreign filter: counted, certain and third-party "
            "findings first.</caption>",
            head,
            f"<tbody>{''.join(_group_row(g, total, prefix) for g in notable)}</tbody></table>",
        ]
    if routine:
        lines += [
            f"<details><summary>{len(routine)} stock Windows filter(s) with possible findings "
            "only (they block traffic our policy does not name)</summary>",
            f"<table>{head}<tbody>",
            *[_group_row(g, total, prefix) for g in routine],
            "</tbody></table></details>",
        ]
    lines.append("</section>")
    return lines


def _worst(old: Mapping[str, Any] | None, finding: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the most important classification of a foreign filter on one layer."""
    new = {
        "counted": bool(finding.get("counted")),
        "certainty": finding.get("certainty"),
        "coverage": finding.get("coverage", "some"),
        "stock": bool(finding.get("stock")),
        "why": finding.get("why"),
    }
    if old is None:
        return new
    return dict(old) if finding_rank(old) >= finding_rank(new) else new


def arbitration(findings: Iterable[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per layer, the sublayers (heaviest first) with the filters that decide our traffic
    (heaviest first): ours and the foreign filters of the findings, with their classification."""
    layers: dict[str, dict[str, dict[str, Any]]] = {}
    for finding in findings:
        layer = layers.setdefault(str(finding.get("layer")), {})
        for side in ("ours", "theirs"):
            ref = finding.get(side) or {}
            place = str(ref.get("sublayer_key") or ref.get("sublayer"))
            sublayer = layer.setdefault(
                place,
                {
                    "name": ref.get("sublayer"),
                    "weight": ref.get("sublayer_weight"),
                    "ours": side == "ours",
                    "filters": {},
                },
            )
            key = str(ref.get("key") or ref.get("name"))
            item = sublayer["filters"].setdefault(
                key,
                {
                    "name": ref.get("name"),
                    "owner": ref.get("provider"),
                    "action": ref.get("action"),
                    "weight": ref.get("effective_weight"),
                    "shown_weight": shown_weight(ref),
                    "ours": side == "ours",
                    "finding": None,
                },
            )
            if side == "theirs":
                item["finding"] = _worst(item["finding"], finding)
    result = {}
    for name, sublayers in sorted(layers.items()):
        ordered = sorted(
            sublayers.values(),
            key=lambda s: -(s["weight"] if isinstance(s["weight"], int) else -1),
        )
        for sublayer in ordered:
            sublayer["filters"] = sorted(
                sublayer["filters"].values(),
                key=lambda f: -(f["weight"] if isinstance(f["weight"], int) else -1),
            )
        result[name] = ordered
    return result


def _filter_item(item: Mapping[str, Any], prefix: str) -> str:
    css, verb = _action_class(item["action"])
    shown = item["shown_weight"]
    who = "ours" if item["ours"] else _e(item["owner"] or "no provider")
    finding = item["finding"]
    tags = _tags(finding) if finding else ""
    title = f' title="{_e(finding["why"])}"' if finding else ""
    return (
        f'<li class="filter{" ours" if item["ours"] else ""}"{title}>'
        f'<span class="act {css}">{verb}</span>'
        f"<span>{_e(str(item['name'] or '').removeprefix(prefix))} "
        f'<span class="why">({who})</span> {tags}</span>'
        f'<span class="w">weight {_e(shown)}</span></li>'
    )


def _layer_figure(layer: str, sublayers: list[dict[str, Any]], prefix: str) -> list[str]:
    items = []
    quiet: list[str] = []  # sublayers whose filters are all stock Windows and possible only
    quiet_filters = 0
    for sublayer in sublayers:
        shown = [f for f in sublayer["filters"] if _decides(f)]
        hidden = len(sublayer["filters"]) - len(shown)
        ours = sublayer["ours"]
        if not shown and not ours:
            quiet.append(f"{sublayer['name']} ({sublayer['weight']})")
            quiet_filters += hidden
            continue
        more = (
            f'<p class="more">and {hidden} stock Windows filter(s) with possible findings only</p>'
            if hidden
            else ""
        )
        head = (
            f'<div class="sl-head"><span><b>{_e(sublayer["name"])}</b>'
            f"{' — our sublayer' if ours else ''}</span>"
            f"<span>sublayer weight {_e(sublayer['weight'])}</span></div>"
        )
        body = "".join(_filter_item(f, prefix) for f in shown)
        items.append(
            f'<li class="sublayer{" ours" if ours else ""}">{head}'
            f'<ol class="filters">{body}</ol>{more}</li>'
        )
    lines = [
        '<figure class="layer">',
        f"<figcaption><code>{_e(layer)}</code>: sublayers in the order WFP evaluates them "
        "(highest weight first)</figcaption>",
        f'<ol class="sublayers">{"".join(items)}</ol>',
    ]
    if quiet:
        lines.append(
            f'<p class="more">Also on this layer: {quiet_filters} stock Windows filter(s) with '
            f"possible findings only, in {_e(', '.join(quiet))}.</p>"
        )
    return [*lines, "</figure>"]


def _decides(item: Mapping[str, Any]) -> bool:
    finding = item["finding"]
    if item["ours"] or finding is None:
        return True
    return is_notable(finding)


def _host_section(entry: Mapping[str, Any], anchor: str, prefix: str) -> list[str]:
    lines = [
        f'<article class="host" id="{anchor}" aria-labelledby="{anchor}-t">',
        f'<h3 id="{anchor}-t">{_e(entry["host"])} {_badge(entry["status"])}</h3>',
        f"<p>{_e(host_reason(entry))}</p>",
    ]
    if entry["message"] and entry["status"] not in ERRORS:
        lines.append(f"<p>{_e(entry['message'])}</p>")
    if entry["plan"]:
        plan = plan_lines(entry["plan"])
        lines += [
            f"<details><summary>What a converge would do ({len(entry['plan'])} operations)"
            "</summary><ul>",
            *[f"<li>{_e(line)}</li>" for line in plan],
            "</ul></details>",
        ]
    if entry["shadowing"]:
        lines.append("<p>Arbitration on our layers (ours highlighted):</p>")
        for layer, sublayers in arbitration(entry["shadowing"]).items():
            lines += _layer_figure(layer, sublayers, prefix)
        groups = group_findings((entry["host"], f) for f in entry["shadowing"])
        notable = [g for g in groups if is_notable(g)]
        routine = sorted({g["theirs"]["name"] for g in groups if not is_notable(g)})
        lines += [
            f"<details><summary>Findings by foreign filter ({len(groups)})</summary><ul>",
            *[f"<li>{_tags(g)} {_e(g['example'])}</li>" for g in notable],
        ]
        if routine:
            lines.append(
                f"<li>Stock Windows, possible only ({len(routine)}): {_names(routine, 50)}</li>"
            )
        lines.append("</ul></details>")
    lines.append("</article>")
    return lines


def to_html(report: Mapping[str, Any]) -> str:
    """The whole report as one HTML document."""
    detailed = [e for e in report["hosts"] if e["status"] != "in_sync" or e["shadowing"]]
    prefix = common_prefix(n for g in report.get("findings") or [] for n in g["ours"])
    anchors = {e["host"]: _anchor(i, str(e["host"])) for i, e in enumerate(detailed)}
    verdict = (
        '<span class="verdict ok">OK: every host in sync</span>'
        if report["ok"]
        else '<span class="verdict bad">Not OK</span>'
    )
    body = [
        "<header>",
        f"<h1>{_e(report['title'])}</h1>",
        f'<p class="meta">{verdict} · {report["summary"]["hosts"]} hosts · generated '
        f"{_e(report.get('generated_at') or 'n/a')} · shadowing threshold "
        f"<code>{_e(report['shadowing_threshold'])}</code></p>",
        "</header>",
        "<main>",
        *_glance(report),
        *_host_table(report, anchors),
        *_groups_table(report, prefix),
    ]
    if detailed:
        body += [
            '<section aria-labelledby="detail-title">',
            '<h2 id="detail-title">Hosts in detail</h2>',
            '<p class="legend">WFP evaluates every sublayer of a layer, highest weight first; '
            "inside a sublayer the heaviest matching filter with a terminating action decides. "
            "A block decides across sublayers unless a hard permit of a higher sublayer came "
            "first. Our sublayer and filters are outlined in blue and marked &quot;ours&quot;.</p>",
        ]
        for entry in detailed:
            body += _host_section(entry, anchors[entry["host"]], prefix)
        body.append("</section>")
    body += [
        "</main>",
        "<footer>wfp.ipsec drift report · format <code>"
        f"{_e(report.get('format'))}</code> · the JSON report holds every field.</footer>",
        f"<script>{_SCRIPT}</script>",
    ]
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{_e(report['title'])}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"
