"""The HTML report: one self-contained page, the fleet at a glance, the arbitration per host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report import build_report
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report_html import arbitration, to_html

from tests.unit.report.fleet import DUMPS, IN_SYNC, dump_result

pytestmark = pytest.mark.slow  # imports the real dumps


class Page(HTMLParser):
    """Collects tags, their attributes and the text of the page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all((a.get(k) or "").split().count(v) for k, v in attrs.items())
        ]


def fleet_results() -> dict[str, Any]:
    results: dict[str, Any] = {name.split("__", maxsplit=1)[0]: dump_result(name) for name in DUMPS}
    results["converged"] = IN_SYNC
    results["broken"] = {"failed": True, "msg": "WinRM: access denied"}
    return results


@pytest.fixture(scope="module")
def page_text() -> str:
    return to_html(build_report(fleet_results(), generated_at="2026-01-01T00:00:00+00:00"))


def test_the_page_is_self_contained(page_text: str) -> None:
    page = Page(page_text)
    assert page_text.startswith("<!DOCTYPE html>")
    csp = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    assert all(not attrs.get("src") for _tag, attrs in page.tags)  # inline script and style only
    hrefs = [a.get("href") or "" for a in page.find("a")]
    assert hrefs and all(href.startswith("#") for href in hrefs)
    assert not re.search(r"(?:https?:)?//", page_text.replace("http-equiv", ""))


def test_the_fleet_at_a_glance(page_text: str) -> None:
    page = Page(page_text)
    cards = "".join(page.text)
    assert re.search(r"1\s*in sync", cards) and re.search(r"5\s*drift", cards)
    assert re.search(r"1\s*failed", cards)
    svg = page.find("svg", role="img")
    assert svg and "5 drift" in (svg[0]["aria-label"] or "")
    rows = page_text[page_text.index('<table id="hosts">') :]
    rows = rows[: rows.index("</table>")]
    assert rows.count("<tr>") == 1 + 7  # header + every host
    assert rows.index("broken") < rows.index("jenincare") < rows.index("converged")


def test_each_host_gets_the_arbitration_of_its_layers(page_text: str) -> None:
    page = Page(page_text)
    hosts = page.find("article", **{"class": "host"})
    assert len(hosts) == 6  # every host but the converged one
    for link in page.find("a"):
        assert page.find("article", id=(link["href"] or "")[1:])  # links land on a host
    vpn = page_text[page_text.index(">jenincare <") :]
    vpn = vpn[: vpn.index("</article>")]
    assert "FWPM_LAYER_ALE_AUTH_CONNECT_V4</code>" in vpn
    assert 'class="sublayer ours"' in vpn and 'class="filter ours"' in vpn
    assert "ProtonVPN block IPv4" in vpn and "counted" in vpn
    assert "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)" in vpn


def test_sublayers_and_filters_are_in_weight_order() -> None:
    result = dump_result("jenincare__wfpstate.xml.gz")
    layers = arbitration(build_report({"h": result})["hosts"][0]["shadowing"])
    assert "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4" in layers
    for sublayers in layers.values():
        weights = [s["weight"] for s in sublayers]
        assert weights == sorted(weights, reverse=True)
        assert sum(s["ours"] for s in sublayers) == 1
        for sublayer in sublayers:
            filters = [f["weight"] for f in sublayer["filters"]]
            assert filters == sorted(filters, reverse=True)


def test_hostile_names_are_escaped() -> None:
    finding = dump_result("jenincare__wfpstate.xml.gz")["shadowing"][0]
    finding["theirs"]["name"] = '<script>alert(1)</script>"><img src=x>'
    text = to_html(build_report({"<b>host</b>": {**IN_SYNC, "shadowing": [finding]}}))
    assert "<script>alert(1)" not in text and "<img src=x>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "&lt;b&gt;host&lt;/b&gt;" in text
