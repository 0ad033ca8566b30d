"""The option checker's own conversion equals ansible-core's for values of the wanted type."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.options import OptionChecker
from hypothesis import given, settings
from hypothesis import strategies as st

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
TYPES = ("str", "int", "bool", "float", "list", "dict", "raw")


def ansible_conversion(wanted: str, value: Any) -> Any:
    result = ArgumentSpecValidator({"value": {"type": wanted}}).validate({"value": value})
    return None if result.error_messages else result.validated_parameters["value"]


def _identities(value: Any) -> set[int]:
    found = {id(value)} if isinstance(value, dict | list) else set()
    for item in (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    ):
        found |= _identities(item)
    return found


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), DATA)
def test_conversion_equals_ansible_cores(wanted: str, value: Any) -> None:
    checker = OptionChecker({})
    ours = checker._convert({"type": wanted}, value)
    theirs = ansible_conversion(wanted, value)
    if theirs is None and ours.__class__.__name__ == "_Invalid":
        return
    assert ours == theirs and type(ours) is type(theirs)
    # A copy, as ansible-core's: no dict or list of the task's arguments is shared.
    assert not _identities(ours) & _identities(value)


@given(DATA)
def test_copied_is_an_equal_unshared_copy(value: Any) -> None:
    copy = copied(value)
    assert copy == value
    assert not _identities(copy) & _identities(value)


def test_copied_takes_deep_values_without_recursion() -> None:
    deep: Any = []
    for _level in range(100_000):
        deep = [deep]
    assert copied(deep) is not deep
