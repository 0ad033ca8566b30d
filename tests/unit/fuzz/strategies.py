"""Generated input: JSON values, and mutations of valid documents at any path."""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import GUIDS
from hypothesis import strategies as st

_SYMBOLS = [
    *sorted(GUIDS)[::7],
    "FWP_UINT8",
    "FWP_UINT64",
    "FWP_RANGE_TYPE",
    "FWP_MATCH_RANGE",
    "FWP_ACTION_BLOCK",
    "FWP_ACTION_CALLOUT_TERMINATING",
    "IKEEXT_PRESHARED_KEY",
    "FWPM_IPSEC_IKE_MM_CONTEXT",
    "preshared_key",
    "certificate",
    "kerberos",
    "tcp",
    "udp",
    "present",
    "absent",
]
_NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e",
    "😀" * 3,
    "0" * 400,
    "../../etc/passwd",
    "{{ lookup('env','HOME') }}",
    "\\ud800",
    "-1",
    "1e400",
    "NaN",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, 15, 16, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(_SYMBOLS),
    st.sampled_from([*list(GUIDS.values())[::5], "00000000-0000-0000-0000-000000000000"]),
    st.sampled_from(_NASTY_TEXT),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["key", "type", "value", "name", "x"]) | st.text(max_size=6),
            children,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document (dict keys and list indexes)."""
    found = [prefix]
    if isinstance(document, dict):
        for name, value in document.items():
            found += paths(value, (*prefix, name))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def _apply(document: Any, path: tuple[Any, ...], op: str, value: Any, name: str) -> Any:
    if not path:
        return value if op == "set" else document
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "set":
        parent[last] = value
    elif op == "delete":
        del parent[last]
    elif op == "add" and isinstance(parent[last], dict):
        parent[last][name] = value
    elif op == "add" and isinstance(parent[last], list):
        parent[last].append(value)
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[last]))
    return document


@st.composite
def mutated(draw: st.DrawFn, base: Any, max_mutations: int = 3) -> Any:
    """`base` with a few random changes: values replaced, members deleted, added, duplicated."""
    document = copy.deepcopy(base)
    for _mutation in range(draw(st.integers(1, max_mutations))):
        path = draw(st.sampled_from(paths(document)))
        op = draw(st.sampled_from(["set", "set", "delete", "add", "duplicate"]))
        document = _apply(
            document, path, op, draw(json_values), draw(st.sampled_from(["key", "conditons", "x"]))
        )
    return document
