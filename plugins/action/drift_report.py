# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wfp.ipsec.drift_report: aggregate check-mode results of a fleet into JSON, Markdown, HTML and
JUnit XML files.

Runs on the controller (in a play on localhost, or with run_once); the core is
plugin_utils/report.py (report_html.py for the HTML page).
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Mapping
from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import internal_error, redact
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report import (
    DEFAULT_SHADOWING_THRESHOLD,
    SHADOWING_THRESHOLDS,
    build_report,
    failing_hosts,
    host_reason,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.report_formats import (
    FILE_NAMES,
    RENDERERS,
    render,
)

DEFAULT_VAR = "guaranteed_encryption_result"
NAMED_HOSTS = 10  # hosts named in a message; the rest are counted ("and 290 more")


def _hosts_text(entries: list[Mapping[str, Any]]) -> str:
    """The hosts with why each one fails, the first NAMED_HOSTS of them."""
    text = "; ".join(f"{e['host']}: {host_reason(e)}" for e in entries[:NAMED_HOSTS])
    more = len(entries) - NAMED_HOSTS
    return text + (f"; and {more} more (see the report)" if more > 0 else "")


def summary_text(report: Mapping[str, Any], dest: str) -> str:
    """One readable line: counts by status, the most severe hosts, where the files are."""
    summary = report["summary"]
    counts = ", ".join(
        f"{summary[status]} {status.replace('_', ' ')}"
        for status in ("in_sync", "drift", "shadowed", "failed", "unreachable", "no_result")
    )
    worst = [e["host"] for e in report["hosts"] if e["status"] != "in_sync"][:NAMED_HOSTS]
    more = sum(e["status"] != "in_sync" for e in report["hosts"]) - len(worst)
    line = f"{summary['hosts']} hosts: {counts}"
    if worst:
        line += "; most severe first: " + ", ".join(worst) + (f" and {more} more" if more else "")
    return line + f"; reports in {dest}"


def _write(path: str, text: str) -> bool:
    """Replace `path` atomically with `text`; False when it already had that content."""
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except FileNotFoundError:
        pass
    directory = os.path.dirname(path) or "."
    descriptor, temp_path = tempfile.mkstemp(dir=directory, prefix=".wfp-ipsec-report.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, path)
    except BaseException:
        if os.path.exists(temp_path):
            os.unlink(temp_path)
        raise
    return True


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(
        {
            "results",
            "var",
            "hosts",
            "dest",
            "formats",
            "fail_on_drift",
            "fail_on_errors",
            "shadowing_threshold",
            "title",
            "full_report",
        }
    )

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        result: dict[str, Any] = super().run(tmp, task_vars)
        try:
            result = self._report(result, task_vars or {})
        except Exception as error:
            message, details = internal_error("wfp.ipsec.drift_report", error)
            result = self._failed(result, message)
            result.update(details)
        # Results come from wfp.ipsec.policy, already redacted; masking again costs nothing.
        redacted: dict[str, Any] = redact(result)
        return redacted

    def _report(self, result: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        args = self._task.args
        dest = args.get("dest")
        if not dest:
            return self._failed(result, "dest is required: the directory to write the reports in")
        formats = args.get("formats") or list(RENDERERS)
        formats = [formats] if isinstance(formats, str) else list(formats)
        unknown = [name for name in formats if name not in RENDERERS]
        if unknown:
            return self._failed(
                result, f"unknown formats {unknown}; choose from {sorted(RENDERERS)}"
            )
        threshold = str(args.get("shadowing_threshold") or DEFAULT_SHADOWING_THRESHOLD)
        if threshold not in SHADOWING_THRESHOLDS:
            return self._failed(
                result, f"shadowing_threshold must be one of {list(SHADOWING_THRESHOLDS)}"
            )
        results = args.get("results")
        if results is None:
            results = self._from_hostvars(task_vars, str(args.get("var") or DEFAULT_VAR))
        elif not isinstance(results, Mapping):
            return self._failed(result, "results must be a mapping of host name to task result")
        report = build_report(
            {str(host): value for host, value in results.items()},
            title=str(args.get("title") or "wfp.ipsec drift report"),
            generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            shadowing_threshold=threshold,
        )
        dest = os.path.abspath(os.path.expanduser(str(dest)))
        paths = {name: os.path.join(dest, FILE_NAMES[name]) for name in formats}
        full_report = args.get("full_report") or " and ".join(
            FILE_NAMES[name] for name in ("html", "json") if name in paths
        )
        changed = False
        if not self._task.check_mode:
            try:
                os.makedirs(dest, exist_ok=True)
                for name, path in paths.items():
                    text = render(name, report, full_report=str(full_report or "the JSON report"))
                    changed = _write(path, text) or changed
            except OSError as error:
                return self._failed(result, f"cannot write the reports in {dest}: {error}")
        drifted = failing_hosts(report, include_errors=False)
        errors = [h for h in failing_hosts(report) if h not in drifted]
        by_host = {entry["host"]: entry for entry in report["hosts"]}
        result.update(
            changed=changed,
            paths=paths,
            summary=report["summary"],
            summary_text=summary_text(report, dest),
            ok=report["ok"],
            drifted_hosts=drifted,
            error_hosts=errors,
        )
        fail_on_drift = bool(args.get("fail_on_drift", False))
        fail_on_errors = bool(args.get("fail_on_errors", fail_on_drift))
        problems = []
        if fail_on_drift and drifted:
            problems.append(
                f"{len(drifted)} of {len(by_host)} host(s) drift or are shadowed: "
                + _hosts_text([by_host[h] for h in drifted])
            )
        if fail_on_errors and errors:
            problems.append(
                f"{len(errors)} host(s) could not be checked: "
                + _hosts_text([by_host[h] for h in errors])
            )
        if problems:
            return self._failed(result, " | ".join(problems) + f" (reports in {dest})")
        return result

    @staticmethod
    def _failed(result: dict[str, Any], message: str) -> dict[str, Any]:
        result.update(failed=True, msg=message)
        return result

    def _from_hostvars(self, task_vars: dict[str, Any], var: str) -> dict[str, Any]:
        hosts = self._task.args.get("hosts") or task_vars.get("ansible_play_hosts_all") or []
        hostvars = task_vars.get("hostvars") or {}
        results: dict[str, Any] = {}
        for host in hosts:
            host_vars = hostvars.get(host) if hasattr(hostvars, "get") else None
            value = host_vars.get(var) if host_vars is not None else None
            results[str(host)] = dict(value) if isinstance(value, Mapping) else None
        return results
