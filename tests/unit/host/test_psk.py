"""Rung 4 (pre-shared keys): idempotence whether BFE returns a stored key on enumeration or
blanks it (issue 9, section 5). The host stores the key's digest with the context (a record in
providerData, hidden from the canonical form) and falls back to it when the key is blanked; the
key itself never leaves the host."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, plan

from . import states
from .conftest import Build, Host

pytestmark = pytest.mark.slow
UNKNOWN_DIGEST = "hmac-sha256:" + "0" * 64


def psk_context(state: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in state["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKE_MM_CONTEXT")


def psk_method(context: dict[str, Any]) -> dict[str, Any]:
    methods = context["policy"]["authentication_methods"]
    return next(m for m in methods if m["type"] == "IKEEXT_PRESHARED_KEY")


def converge(host: Host, desired: dict[str, Any], provider_key: str) -> dict[str, Any]:
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    host.call("apply", plan=the_plan)
    return the_plan


def with_env(build: Build, **env: str) -> Host:
    return Host(build, {name.upper(): value for name, value in env.items()})


@pytest.mark.parametrize("blank", ["", "empty", "zero"], ids=["returned", "blanked", "zeroed"])
def test_pre_shared_key_contexts_are_idempotent_whether_bfe_returns_the_key_or_not(
    build: Build, blank: str
) -> None:
    host = with_env(build, fwpsim_blank_psk=blank)
    try:
        provider_key, desired = states.rich()
        psk_context(desired)["provider_data"] = "c0ffee"  # declared data survives the record
        converge(host, desired, provider_key)
        actual = host.call("read", provider_key=provider_key)
        context = psk_context(actual)
        assert psk_method(context)["key_digest"] == model.psk_digest(context["key"], states.PSK)
        assert context["provider_data"] == "c0ffee"
        assert plan.make_plan(desired, actual, provider_key)["operations"] == []
        text = json.dumps(host.call("read_all"), ensure_ascii=False)
        assert states.PSK not in text and states.PSK.encode("utf-16-le").hex() not in text
        # A changed key replaces the context (and the filters that use it) and reads back.
        changed = copy.deepcopy(desired)
        psk_method(psk_context(changed))["key"] = "another key"
        the_plan = converge(host, changed, provider_key)
        replaced = {(op["op"], op["key"]) for op in the_plan["operations"]}
        assert ("add", context["key"]) in replaced and ("delete", context["key"]) in replaced
        after = psk_context(host.call("read", provider_key=provider_key))
        assert psk_method(after)["key_digest"] == model.psk_digest(context["key"], "another key")
    finally:
        host.close()


def test_a_blanked_key_without_a_stored_digest_drifts_and_is_replaced(build: Build) -> None:
    host = with_env(build, fwpsim_blank_psk="empty", fwpsim_drop_provider_data="1")
    try:
        provider_key, desired = states.rich()
        converge(host, desired, provider_key)
        actual = host.call("read", provider_key=provider_key)
        assert psk_method(psk_context(actual))["key_digest"] == UNKNOWN_DIGEST
        operations = plan.make_plan(desired, actual, provider_key)["operations"]
        assert ("add", psk_context(desired)["key"]) in {(o["op"], o["key"]) for o in operations}
    finally:
        host.close()


def test_a_returned_key_wins_over_the_stored_digest(build: Build) -> None:
    """Without blanking, the digest is computed from the key BFE returns: the stored record
    cannot hide a key that was replaced behind the collection's back."""
    host = with_env(build, fwpsim_drop_provider_data="1")
    try:
        provider_key, desired = states.rich()
        converge(host, desired, provider_key)
        actual = host.call("read", provider_key=provider_key)
        context = psk_context(actual)
        assert psk_method(context)["key_digest"] == model.psk_digest(context["key"], states.PSK)
        assert plan.make_plan(desired, actual, provider_key)["operations"] == []
    finally:
        host.close()
