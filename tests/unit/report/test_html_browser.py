"""The HTML report in a real browser: Debian's chromium, headless.

It renders, its script runs, the console stays empty (no error, no blocked request: the page's
Content-Security-Policy forbids the network, so any request would log), and a screenshot is kept
in .build/report-screenshot.png as a CI artifact. Outside CI the test skips when chromium is not
installed; in CI (CI=true) it must run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report import build_report
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report_html import to_html

from tests.unit.conftest import BUILD
from tests.unit.report.test_html import fleet_results

pytestmark = pytest.mark.slow
SCREENSHOT = BUILD / "report-screenshot.png"
WINDOW = (1280, 1800)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is missing in CI: scripts/setup installs the Debian package")
    pytest.skip("chromium is not installed (Debian package `chromium`, see scripts/setup)")


def browse(page: Path, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        *flags,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "wfp-ipsec-drift.html"
    report = build_report(fleet_results(), generated_at="2026-01-01T00:00:00+00:00")
    path.write_text(to_html(report), encoding="utf-8")
    return path


def console(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stderr.splitlines() if ":CONSOLE" in line]


def test_the_page_renders_without_console_messages(page: Path, tmp_path: Path) -> None:
    run = browse(page, tmp_path, "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    assert console(run) == []
    dom = run.stdout
    assert '<h2 id="glance">Fleet at a glance</h2>' in dom
    assert dom.count('<article class="host"') == 6
    # the script ran: the host filter box is shown
    assert '<p><label>Filter hosts: <input id="host-filter"' in dom


def test_a_screenshot_is_kept_for_ci(page: Path, tmp_path: Path) -> None:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    run = browse(
        page, tmp_path, f"--screenshot={SCREENSHOT}", f"--window-size={WINDOW[0]},{WINDOW[1]}"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert console(run) == []
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == WINDOW
    assert len(data) > 50_000  # a rendered page, not a blank one
