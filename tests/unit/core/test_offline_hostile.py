"""Offline state files under hostile conditions: strict JSON, what may be overwritten, disk faults.

docs/offline-state.md lists the rules these tests hold the backend to.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import offline_backend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import (
    OfflineBackend,
    parse_state,
    serialise_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.strict_json import StrictJsonError, loads

from tests.unit.core.builders import basic_objects, basic_state, context, delete_op, plan_for

OURS = basic_objects()
PK = OURS["provider"]["key"]
PSK = "planted-psk-7d1f0c"


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(serialise_state(doc), encoding="utf-8")
    return path


def delete_plan() -> dict[str, Any]:
    return plan_for(basic_state(), PK, delete_op("filter", OURS["filter"]))


def refused(action: Any) -> BackendError:
    with pytest.raises(BackendError) as caught:
        action()
    return caught.value


# ---- strict JSON -----------------------------------------------------------------------------


def test_a_duplicate_member_is_an_error_naming_it(tmp_path: Path) -> None:
    doc = basic_state()
    text = serialise_state(doc)
    # A second `filters` member that would silently replace the first (dropping its filters).
    duplicated = text.rstrip().rstrip("}") + ', "filters": []\n}\n'
    path = tmp_path / "host.json"
    path.write_text(duplicated, encoding="utf-8")
    error = refused(lambda: OfflineBackend(path).read_all())
    assert "'filters' appears twice" in str(error) and str(path) in str(error)
    before = path.read_bytes()
    refused(lambda: OfflineBackend(path).apply(delete_plan()))
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1, "a": 2}', "'a' appears twice"),
        ('{"x": {"b": [], "b": []}}', "'b' appears twice"),
        ('{"n": NaN}', "NaN is not a JSON number"),
        ('{"n": -Infinity}', "-Infinity is not a JSON number"),
        ('{"name": "\\ud800"}', "$.name: contains a lone UTF-16 surrogate"),
        ('{"\\udfff": 1}', "member name contains a lone UTF-16 surrogate"),
        ("[" * 20000 + "]" * 20000, "nested too deeply"),
    ],
)
def test_strict_json_refusals(text: str, expected: str) -> None:
    with pytest.raises(StrictJsonError) as caught:
        loads(text)
    assert expected in str(caught.value)


def test_strict_json_keeps_valid_surrogate_pairs() -> None:
    assert loads('{"k": "\\ud83d\\udd11"}') == {"k": "\U0001f511"}


def test_a_lone_surrogate_in_a_foreign_name_is_refused_before_any_write(tmp_path: Path) -> None:
    doc = basic_state()
    text = serialise_state(doc).replace('"name": "foreign', '"name": "\\ud800foreign', 1)
    text = text.replace(f'"name": "{OURS["filter"]["name"]}"', '"name": "\\udc00x"', 1)
    path = tmp_path / "host.json"
    path.write_text(text, encoding="utf-8")
    error = refused(lambda: OfflineBackend(path).apply(delete_plan()))
    assert "lone UTF-16 surrogate" in str(error)
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "runtime",
    [[1], "x", {"filter_id": "1"}, {"filter_id": -1}, {"bogus": 1}, {"effective_weight": 3}],
)
def test_malformed_runtime_fields_are_refused(tmp_path: Path, runtime: Any) -> None:
    doc = basic_state()
    doc["filters"][0]["runtime"] = runtime
    path = tmp_path / "host.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    error = refused(lambda: OfflineBackend(path).read_all())
    assert "runtime" in str(error)


@pytest.mark.parametrize("callouts", ["abc", [1], [{"key": "nope"}], {"key": 1}])
def test_malformed_callouts_are_refused(callouts: Any) -> None:
    doc = {**basic_state(), "callouts": callouts}
    with pytest.raises(BackendError, match="callouts"):
        parse_state(json.dumps(doc), "host.json")


# ---- what may be overwritten -----------------------------------------------------------------


def test_a_file_without_the_format_marker_is_read_but_never_overwritten(tmp_path: Path) -> None:
    doc = basic_state()
    doc.pop("format")
    path = tmp_path / "host.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = path.read_bytes()
    assert OfflineBackend(path).read(PK) == basic_state()
    error = refused(lambda: OfflineBackend(path).apply(delete_plan()))
    assert "is not a wfp.ipsec state file" in str(error) and "refusing to overwrite" in str(error)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [b"", b"#!/bin/sh\necho hi\n", b"\x89PNG\r\n\x1a\n\x00", b'{"format": "something/else"}'],
)
def test_files_of_other_kinds_are_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "host.json"
    path.write_bytes(content)
    refused(lambda: OfflineBackend(path, create=True).apply(delete_plan()))
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["host.json"]


def test_a_symlinked_state_file_is_written_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = write(tmp_path / "real" / "host.json", basic_state())
    link = tmp_path / "link.json"
    link.symlink_to(target)
    OfflineBackend(link).apply(delete_plan())
    assert link.is_symlink() and os.readlink(link) == str(target)
    keys = {f["key"] for f in json.loads(target.read_text())["filters"]}
    assert OURS["filter"]["key"] not in keys
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["host.json"]


def test_a_fifo_or_directory_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        assert "not a regular file" in str(refused(lambda p=path: OfflineBackend(p).read_all()))
        refused(lambda p=path: OfflineBackend(p, create=True).apply(delete_plan()))


def test_a_read_only_state_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", basic_state())
    path.chmod(0o444)
    before = path.read_bytes()
    error = refused(lambda: OfflineBackend(path).apply(delete_plan()))
    assert "read-only (mode 0444)" in str(error) and "chmod u+w" in str(error)
    assert path.read_bytes() == before and path.stat().st_mode & 0o777 == 0o444


def test_no_lock_file_is_left_behind(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", basic_state())
    backend = OfflineBackend(path)
    backend.read_all()
    backend.apply(delete_plan())
    created = OfflineBackend(tmp_path / "new" / "host.json", create=True)
    created.apply(plan_for(model.empty_state(), PK))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["host.json", "new"]
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["host.json"]


def test_home_and_environment_variables_expand_as_in_ansible_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("WFP_STATES", str(tmp_path / "states"))
    home = offline_backend("~/web01.json", "/playbooks")
    env = offline_backend("$WFP_STATES/web02.json", "/playbooks")
    assert isinstance(home, OfflineBackend) and home.path == str(tmp_path / "web01.json")
    assert isinstance(env, OfflineBackend) and env.path == str(tmp_path / "states" / "web02.json")
    relative = offline_backend("states/web03.json", "/playbooks")
    assert isinstance(relative, OfflineBackend)
    assert relative.path == "/playbooks/states/web03.json"


# ---- disk faults -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ("fsync", errno.ENOSPC),
        ("fsync", errno.EIO),
        ("replace", errno.EXDEV),
        ("write", errno.ENOSPC),
    ],
)
def test_disk_faults_name_the_file_and_keep_it_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, code: int
) -> None:
    path = write(tmp_path / "host.json", basic_state())
    before = path.read_bytes()

    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    if where == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, handle: Any) -> None:
                self.handle = handle

            def __enter__(self) -> Any:
                return self

            def __exit__(self, *exc: Any) -> None:
                self.handle.close()

            write = fail

        monkeypatch.setattr(os, "fdopen", lambda *a, **k: Failing(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(os, where, fail)
    error = refused(lambda: OfflineBackend(path).apply(delete_plan()))
    monkeypatch.undo()
    assert str(path) in str(error) and os.strerror(code) in str(error)
    assert errno.errorcode[code] in str(error) and "unchanged" in str(error)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["host.json"]  # no temp file left


# ---- secrets ---------------------------------------------------------------------------------


def _psk_state() -> dict[str, Any]:
    doc = basic_state()
    mm = context("ours mm", OURS["provider"], "FWPM_IPSEC_IKE_MM_CONTEXT")
    mm["policy"]["authentication_methods"] = [{"type": "IKEEXT_PRESHARED_KEY", "key": PSK}]
    doc["provider_contexts"].insert(0, mm)
    return doc


def test_a_state_file_never_holds_a_pre_shared_key(tmp_path: Path) -> None:
    assert _psk_state()["provider_contexts"][0]["type"].endswith("MM_CONTEXT")
    path = write(tmp_path / "host.json", _psk_state())
    assert PSK not in path.read_text(encoding="utf-8")
    OfflineBackend(path).apply(plan_for(_psk_state(), PK, delete_op("filter", OURS["filter"])))
    text = path.read_text(encoding="utf-8")
    assert PSK not in text and model.PSK_DIGEST_PREFIX in text


def test_a_legacy_file_with_a_plain_key_is_read_as_its_digest(tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps(_psk_state()), encoding="utf-8")  # an older version's file
    assert PSK in path.read_text(encoding="utf-8")
    state = OfflineBackend(path).read_all()
    assert PSK not in json.dumps(state)
    method = state["provider_contexts"][0]["policy"]["authentication_methods"][0]
    context_key = state["provider_contexts"][0]["key"]
    assert method == {
        "type": "IKEEXT_PRESHARED_KEY",
        "key_digest": model.psk_digest(context_key, PSK),
    }
