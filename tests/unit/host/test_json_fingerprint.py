"""The C# JSON writer, fingerprint and address text are byte-identical to Python's."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import states
from .conftest import Build, Host

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shared_host(build: Build) -> Iterator[Host]:
    instance = Host(build)
    yield instance
    instance.close()


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(1 << 63), (1 << 64) - 1) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=JSON_VALUES)
def test_serialisation_equals_python_json_dumps(shared_host: Host, value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert shared_host.call("serialize", value=value) == expected


def test_fingerprint_equals_python_for_non_ascii_and_64_bit_values(shared_host: Host) -> None:
    _key, rich = states.rich()
    # The host only ever holds digests (comparable() turns the declared key into one).
    kinds = {
        "providers": "provider",
        "sublayers": "sublayer",
        "provider_contexts": "provider_context",
    }
    desired = {
        name: [model.comparable(kinds.get(name, "filter"), o) for o in rich[name]] for name in kinds
    }
    desired["filters"] = rich["filters"]
    assert states.PSK not in json.dumps(desired, ensure_ascii=False)
    desired["providers"][0]["description"] = 'quotes " \\ tab\t newline\n bell\x07 DEL\x7f ü 🔑'
    assert any(ord(c) > 0xFFFF for c in json.dumps(desired, ensure_ascii=False))
    assert shared_host.call("fingerprint", state=desired) == model.fingerprint(desired)
    desired["filters"][0]["runtime"] = {"filter_id": 1, "effective_weight": {"type": "FWP_EMPTY"}}
    assert shared_host.call("fingerprint", state=desired) == model.fingerprint(
        desired
    )  # runtime ignored
    changed = json.loads(json.dumps(desired))
    changed["filters"][-1]["weight"]["value"] -= 1
    assert shared_host.call("fingerprint", state=changed) != model.fingerprint(desired)


ADDRESSES = [
    "::",
    "::1",
    "fe80::1",
    "1::",
    "1:0:0:2::",
    "1:0:0:2:0:0:0:3",
    "2001:db8::ff00:42:8329",
    "0:0:1::",
    "1:2:3:4:5:6:7:8",
    "::ffff:10.1.2.3",
    "::ffff:0:a01:203",
    "64:ff9b::102:304",
    "fd00:0:0:1:0:0:1:0",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_ipv6_text_equals_python_ipaddress(shared_host: Host, address: str) -> None:
    raw = ipaddress.IPv6Address(address).packed.hex()
    assert shared_host.call("format_v6", bytes=raw) == str(ipaddress.IPv6Address(address))


def test_psk_digest_equals_python(shared_host: Host) -> None:
    key = "b14b7bdb-dbbd-473e-bed4-8b4708d4f270"
    assert shared_host.call("psk_digest", context_key=key, key=states.PSK) == model.psk_digest(
        key, states.PSK
    )
