"""One classification per run: plan_and_drift gives make_plan's plan and drift_counts' counts.

And the shortcuts it takes stay exact: equal objects compare equal without their comparable
form, a PSK digest on the host still matches the declared key, an empty plan needs no
fingerprint, and the comparable/redacted forms never change the objects they are made from.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import (
    drift_counts,
    make_plan,
    plan_and_drift,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of
from hypothesis import HealthCheck, given, settings

from tests.unit.core.test_properties import hosts

PSK = {
    "scenario": {
        "guaranteed_encryption": {
            "keying_modules": ["ike"],
            "main_mode": {"authentication": [{"method": "preshared_key", "key": "s3cret"}]},
        }
    }
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hosts())
def test_plan_and_drift_equal_make_plan_and_drift_counts(
    host: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    declaration, desired, actual = host
    provider_key = provider_key_of(declaration)
    plan, drift = plan_and_drift(desired, actual, provider_key)
    assert plan == make_plan(desired, actual, provider_key)
    assert drift == drift_counts(desired, actual, provider_key)
    lean, _drift = plan_and_drift(desired, actual, provider_key, fingerprint_empty=False)
    assert lean["operations"] == plan["operations"]
    assert lean["base_fingerprint"] == (plan["base_fingerprint"] if plan["operations"] else None)
    reported, reported_drift = plan_and_drift(desired, actual, provider_key, for_apply=False)
    assert reported["operations"] == plan["operations"] and reported_drift == drift
    assert reported["base_fingerprint"] is None  # check mode: never applied, never fingerprinted


def _host_form(desired: dict[str, Any]) -> dict[str, Any]:
    """The state as a host returns it: PSKs replaced by their digest."""
    on_host = copy.deepcopy(desired)
    for context in on_host["provider_contexts"]:
        for method in context["policy"].get("authentication_methods", []):
            if "key" in method:
                method["key_digest"] = model.psk_digest(context["key"], method.pop("key"))
    return on_host


def test_a_psk_digest_on_the_host_matches_the_declared_key_and_nothing_is_mutated() -> None:
    desired = expand(PSK)
    on_host = _host_form(desired)
    snapshot = copy.deepcopy((desired, on_host))
    provider_key = provider_key_of(PSK)
    plan, drift = plan_and_drift(desired, on_host, provider_key)
    assert plan["operations"] == [] and drift == {"missing": 0, "unexpected": 0, "changed": 0}
    for context in on_host["provider_contexts"]:
        shown = model.redacted("provider_context", context)
        assert "s3cret" not in repr(shown)
    assert (desired, on_host) == snapshot


def test_comparable_forms_share_nothing_they_rewrite() -> None:
    desired = expand(PSK)
    for context in desired["provider_contexts"] + _host_form(desired)["provider_contexts"]:
        before = copy.deepcopy(context)
        model.redacted("provider_context", context)
        model.comparable("provider_context", context)
        assert context == before
