"""Offline hosts: a JSON state file read and changed through the engine model."""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError, HostBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import (
    OfflineBackend,
    ReadOnlyStateBackend,
    serialise_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of

from tests.unit.core.builders import (
    add_op,
    basic_objects,
    basic_state,
    delete_op,
    filter_,
    plan_for,
)

OURS = basic_objects()
PK = OURS["provider"]["key"]


def host_state() -> dict[str, Any]:
    """Our objects and a foreign provider's."""
    doc = basic_state()
    foreign = basic_state("foreign")
    for list_name in model.LIST_NAMES.values():
        doc[list_name] = sorted(doc[list_name] + foreign[list_name], key=lambda o: o["key"])
    return doc


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(serialise_state(doc), encoding="utf-8")
    return path


def backend_error(action: Any) -> BackendError:
    with pytest.raises(BackendError) as caught:
        action()
    return caught.value


def test_offline_backend_implements_the_host_backend_protocol(tmp_path: Path) -> None:
    backend: HostBackend = OfflineBackend(tmp_path / "host.json")
    assert backend.kind == "offline"
    dump: HostBackend = ReadOnlyStateBackend(model.empty_state(), "dump.xml")
    assert dump.kind == "offline-dump"


def test_read_returns_only_the_providers_objects_and_read_all_everything(tmp_path: Path) -> None:
    backend = OfflineBackend(write(tmp_path / "host.json", host_state()))
    assert backend.read(PK) == basic_state()
    assert backend.read_all() == host_state()


def test_read_canonicalises_the_file(tmp_path: Path) -> None:
    doc = host_state()
    doc["filters"][0]["flags"] = list(
        reversed(doc["filters"][0]["flags"] + ["FWPM_FILTER_FLAG_INDEXED"])
    )
    doc["filters"].reverse()
    path = tmp_path / "host.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    everything = OfflineBackend(path).read_all()
    assert everything == model.canonical_state(doc)
    assert [f["key"] for f in everything["filters"]] == sorted(f["key"] for f in doc["filters"])


def test_apply_writes_the_new_state_and_reports_the_result(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    backend = OfflineBackend(path)
    extra = filter_("extra", OURS["provider"], OURS["sublayer"]["key"], port=22)
    plan = plan_for(host_state(), PK, delete_op("filter", OURS["filter"]), add_op("filter", extra))
    result = backend.apply(plan)
    assert result["applied"] == 2
    assert result["backend"] == "offline"
    assert result["path"] == str(path)
    owned = backend.read(PK)
    assert {f["key"] for f in owned["filters"]} == {extra["key"], OURS["context_filter"]["key"]}
    stored = next(f for f in owned["filters"] if f["key"] == extra["key"])
    assert isinstance(stored["runtime"]["filter_id"], int)
    assert result["fingerprint"] == model.fingerprint(owned)
    assert backend.read_all()["providers"] == host_state()["providers"]  # foreign untouched
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["host.json"]  # no temp or lock files left


def test_apply_keeps_the_file_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    path.chmod(0o640)
    OfflineBackend(path).apply(plan_for(host_state(), PK, delete_op("filter", OURS["filter"])))
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_failing_plan_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    before = path.read_bytes()
    plan = plan_for(
        host_state(),
        PK,
        delete_op("filter", OURS["filter"]),
        delete_op("sublayer", OURS["sublayer"]),  # the context filter still uses it
    )
    error = backend_error(lambda: OfflineBackend(path).apply(plan))
    assert error.details["code"] == "FWP_E_IN_USE"
    assert error.details["op_index"] == 1
    assert error.details["op"] == "delete"
    assert error.details["type"] == "sublayer"
    assert error.details["key"] == OURS["sublayer"]["key"]
    assert error.details["name"] == OURS["sublayer"]["name"]
    assert "referenced by" in error.details["message"]
    assert "FWP_E_IN_USE" in str(error)
    assert path.read_bytes() == before


def test_a_plan_made_from_another_state_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    before = path.read_bytes()
    stale = host_state()
    stale["filters"] = [f for f in stale["filters"] if f["key"] != OURS["filter"]["key"]]
    plan = plan_for(stale, PK, delete_op("filter", OURS["context_filter"]))
    error = backend_error(lambda: OfflineBackend(path).apply(plan))
    assert str(error).startswith("plan refused: ")
    assert error.details["code"] == "STATE_CHANGED"
    assert error.details["expected_fingerprint"] == plan["base_fingerprint"]
    assert path.read_bytes() == before


def test_a_missing_file_is_an_error_unless_create_is_set(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    error = backend_error(lambda: OfflineBackend(path).read(PK))
    assert str(error).startswith(f"state file not found: {path}")
    assert "wfp_ipsec_offline_state" in str(error)
    assert "wfp_ipsec_offline_create" in str(error)
    backend_error(lambda: OfflineBackend(path).apply(plan_for(model.empty_state(), PK)))
    assert not path.exists()

    creating = OfflineBackend(path, create=True)
    assert creating.read(PK) == model.empty_state()
    desired = expand({})
    provider_key = provider_key_of({})
    result = creating.apply(make_plan(desired, creating.read(provider_key), provider_key))
    assert result["added"] == {"provider": 1, "sublayer": 1}
    assert (
        make_plan(desired, OfflineBackend(path).read(provider_key), provider_key)["operations"]
        == []
    )


def test_invalid_json_names_the_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "wfp.ipsec.state/1",\n "providers": [,]}', encoding="utf-8")
    error = backend_error(lambda: OfflineBackend(path).read_all())
    assert str(path) in str(error)
    assert "line 2 column 16" in str(error)
    assert error.details == {"path": str(path), "line": 2, "column": 16}


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda doc: doc["filters"][1]["weight"].update(type="FWP_NOPE"),
            "$.filters[1].weight.type",
        ),
        (lambda doc: doc["sublayers"][0].update(weight=70000), "$.sublayers[0].weight"),
        (lambda doc: doc["providers"][0].update(key="not a guid"), "$.providers[0].key"),
    ],
)
def test_objects_that_are_not_canonical_name_the_json_path(
    tmp_path: Path, mutate: Any, where: str
) -> None:
    doc = copied(basic_state())  # plain parts, free to break
    mutate(doc)
    path = tmp_path / "host.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    error = backend_error(lambda: OfflineBackend(path).read_all())
    assert error.details["json_path"] == where
    assert str(error).startswith(f"{path}: invalid object at {where}")


def test_other_documents_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    assert "JSON object" in str(backend_error(lambda: OfflineBackend(path).read_all()))
    path.write_text('{"format": "wfp.ipsec.plan/1"}', encoding="utf-8")
    assert "unsupported format" in str(backend_error(lambda: OfflineBackend(path).read_all()))


def test_a_file_with_a_duplicate_key_cannot_be_applied_to(tmp_path: Path) -> None:
    doc = basic_state()
    doc["filters"].append(dict(doc["filters"][0]))
    path = write(tmp_path / "host.json", doc)
    before = path.read_bytes()
    plan = plan_for(model.canonical_state(doc), PK)
    error = backend_error(lambda: OfflineBackend(path).apply(plan))
    assert error.details["code"] == "FWP_E_ALREADY_EXISTS"
    assert path.read_bytes() == before


def _apply_one(path: str, index: int) -> str:
    """In a separate process: read, plan one more filter, apply; retry when refused."""
    backend = OfflineBackend(path)
    extra = filter_(f"worker {index}", OURS["provider"], OURS["sublayer"]["key"], port=1000 + index)
    for _attempt in range(50):
        owned = backend.read(PK)
        plan = {
            "format": model.PLAN_FORMAT,
            "provider_key": PK,
            "base_fingerprint": model.fingerprint(owned),
            "operations": [add_op("filter", extra)],
        }
        try:
            backend.apply(plan)
        except BackendError as error:
            if error.details.get("code") != "STATE_CHANGED":
                raise
            continue
        return extra["key"]
    raise AssertionError("never applied")


def test_concurrent_forks_serialise_on_the_lock_file(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        keys = pool.starmap(_apply_one, [(str(path), index) for index in range(8)])
    owned = OfflineBackend(path).read(PK)
    assert set(keys) <= {f["key"] for f in owned["filters"]}
    assert len(owned["filters"]) == 2 + 8
    ids = [f["runtime"]["filter_id"] for f in owned["filters"] if "runtime" in f]
    assert len(ids) == len(set(ids)) == 8


def test_a_dump_backend_reads_but_refuses_apply() -> None:
    doc = host_state()
    dump = ReadOnlyStateBackend(doc, "/tmp/wfpstate.xml")
    assert dump.read(PK) == basic_state()
    assert dump.read_all() == host_state()
    dump.read_all()["filters"].clear()  # callers get copies
    assert dump.read_all() == host_state()
    error = backend_error(
        lambda: dump.apply(plan_for(doc, PK, delete_op("filter", OURS["filter"])))
    )
    assert str(error).startswith("/tmp/wfpstate.xml is a netsh dump (read-only); apply is refused")
    assert "check mode" in str(error)


def test_the_written_file_is_the_canonical_serialisation(tmp_path: Path) -> None:
    path = write(tmp_path / "host.json", host_state())
    OfflineBackend(path).apply(plan_for(host_state(), PK, delete_op("filter", OURS["filter"])))
    text = path.read_text(encoding="utf-8")
    assert text == serialise_state(json.loads(text))
    assert json.loads(text)["format"] == model.STATE_FORMAT
    assert os.path.getsize(path) == len(text.encode("utf-8"))


def test_create_makes_the_state_directory(tmp_path: Path) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import empty_state
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of

    path = tmp_path / "new" / "dir" / "host.json"
    backend = OfflineBackend(path, create=True)
    desired = expand({"scenario": {"guaranteed_encryption": {}}})
    backend.apply(make_plan(desired, empty_state(), provider_key_of({})))
    assert len(json.loads(path.read_text())["filters"]) == 36


@pytest.mark.parametrize("confirm_timeout", [0, 120])
@pytest.mark.parametrize("with_psk", [False, True])
def test_what_the_backend_wrote_reads_back_as_the_file_would_parse(
    tmp_path: Path, confirm_timeout: int, with_psk: bool
) -> None:
    """The second phase of commit confirmed reuses the document the first phase wrote instead
    of parsing the file again: that document is exactly what parsing the file gives."""
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import parse_state
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import RunOptions, converge

    path = write(tmp_path / "host.json", host_state())
    scenario: dict[str, Any] = {"keying_modules": ["ike"], "required_ports": [{"port": 5555}]}
    if with_psk:
        scenario["main_mode"] = {
            "proposals": [{"encryption": "aes128", "integrity": "sha256", "dh_group": "dh14"}],
            "authentication": [{"method": "preshared_key", "key": "a key of test"}],
        }
    writes: list[tuple[str, Any]] = []
    backend = OfflineBackend(path)
    original = backend._write

    def recording_write(state: dict[str, Any]) -> None:
        original(state)
        assert backend._written is not None
        text, document = backend._written
        writes.append((text, copy.deepcopy(document)))

    backend._write = recording_write  # type: ignore[method-assign]
    arguments = {"scenario": {"guaranteed_encryption": scenario}}
    result = converge(arguments, backend, RunOptions(confirm_timeout=confirm_timeout))
    assert result["changed"] is True
    assert len(writes) == (2 if confirm_timeout else 1)  # tentative + confirm, or one apply
    for text, document in writes:
        assert parse_state(text, str(path), require_format=True) == document
    assert path.read_text(encoding="utf-8") == writes[-1][0]
    assert "a key of test" not in path.read_text(encoding="utf-8")
    again = converge(arguments, OfflineBackend(path), RunOptions(confirm_timeout=confirm_timeout))
    assert again["changed"] is False
