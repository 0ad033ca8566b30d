"""Generated replies of the host module, through the policy action plugin's live backend."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import strict_json
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.fuzz.harness import assert_clean, run_policy
from tests.unit.fuzz.profiles import FUZZ
from tests.unit.fuzz.strategies import json_values, mutated

POLICY = {"scenario": {"guaranteed_encryption": {"ip_versions": [4]}}, "shadow_check": False}
STATE = json.loads(json.dumps(expand(POLICY)))

_texts = st.one_of(
    mutated(STATE, max_mutations=3).map(json.dumps),
    json_values.map(json.dumps),
    st.sampled_from(
        ['{"format": "wfp.ipsec.state/1", "providers": [], "providers": []}', "{", "", "null"]
    ),
    st.text(max_size=20),
)
replies = st.one_of(
    st.fixed_dictionaries({"state_json": _texts}),
    st.fixed_dictionaries({"changed": st.booleans(), "result_json": _texts}),
    st.fixed_dictionaries(
        {
            "failed": st.just(True),
            "msg": json_values,
            "error": st.dictionaries(
                st.sampled_from(["message", "code", "msg", "failed", "op"]), json_values
            )
            | json_values,
        }
    ),
    st.fixed_dictionaries({"unreachable": st.just(True), "msg": json_values}),
    json_values,
)


@FUZZ
@given(read=replies, apply=replies, check_mode=st.booleans())
def test_any_host_reply_is_handled(read: Any, apply: Any, check_mode: bool) -> None:
    calls = iter([read, apply])

    def execute(module_name: str, module_args: dict[str, Any], task_vars: Any) -> Any:
        return next(calls, {"failed": True, "msg": "no more replies"})

    result = run_policy(POLICY, {}, check_mode=check_mode, execute=execute)
    assert_clean(result)


# ---- a member given twice, in the host's own form of a state -----------------------------------

_TRICKY_TEXT = st.sampled_from(
    ["a:b", '":"', 'say "x": y', "C:\\\\dir\\\\", '\\"', "\\", "{", "}", ",", "", "\u2013:"]
)


def _dicts(document: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        found.append(document)
        for value in document.values():
            _dicts(value, found)
    elif isinstance(document, list):
        for value in document:
            _dicts(value, found)
    return found


@st.composite
def host_texts(draw: st.DrawFn) -> tuple[str, dict[str, Any], str | None]:
    """A valid state as the host writes it (sorted, compact, not ASCII-escaped), names and
    descriptions holding ':', quotes and backslashes; maybe one object given a member twice."""
    document = json.loads(json.dumps(STATE))
    for obj in document["filters"] + document["providers"]:
        obj["name"] = draw(_TRICKY_TEXT) + obj["name"]
        obj["description"] = draw(st.none() | _TRICKY_TEXT)
    duplicated = None
    if draw(st.booleans()):
        target = draw(st.sampled_from([d for d in _dicts(document, []) if d]))
        duplicated = draw(st.sampled_from(sorted(target)))
        target["\x00twice"] = draw(st.none() | st.integers() | _TRICKY_TEXT | st.just({"a": ":"}))
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if draw(st.booleans()):  # a ':' written as an escape: the count cannot tell, the reader can
        text = text.replace("a:b", "a\\u003ab", 1)
    if duplicated is not None:
        text = text.replace('"\\u0000twice":', json.dumps(duplicated) + ":")
        del target["\x00twice"]
    return text, document, duplicated


@FUZZ
@given(host_texts())
def test_a_member_given_twice_in_a_reply_is_refused_by_name(
    case: tuple[str, dict[str, Any], str | None],
) -> None:
    text, document, duplicated = case
    backend = ModuleBackend(lambda _arguments: {"state_json": text})
    if duplicated is None:
        assert backend.read_all() == document
        return
    with pytest.raises(BackendError) as caught:
        backend.read_all()
    assert f"member {duplicated!r} appears twice" in str(caught.value)


def test_a_clean_reply_is_read_by_counting_not_by_the_strict_reader(monkeypatch: Any) -> None:
    text = json.dumps(STATE, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def strict_reader(_text: Any) -> Any:
        raise AssertionError("the strict reader read a clean reply")

    monkeypatch.setattr(strict_json, "loads", strict_reader)
    assert ModuleBackend(lambda _arguments: {"state_json": text}).read_all() == STATE


@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
def test_an_escaped_colon_goes_to_the_strict_reader(twice: bool) -> None:
    document = json.loads(json.dumps(STATE))
    document["filters"][0]["name"] = "a:b"
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace('"a:b"', '"a\\u003ab"')
    if twice:
        text = text.replace('"name":"a\\u003ab"', '"name":"a\\u003ab","name":"x"')
    backend = ModuleBackend(lambda _arguments: {"state_json": text})
    if not twice:
        assert backend.read_all() == document
        return
    with pytest.raises(BackendError, match="member 'name' appears twice"):
        backend.read_all()
