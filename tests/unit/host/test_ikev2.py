"""Rung 4: IKEv2 provider contexts through the C# host layer and the native stand-in.

FWPM_IPSEC_IKEV2_MM_CONTEXT and FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT are written with
FwpmProviderContextAdd2 through the ikeV2MmPolicy / ikeV2QmTransportPolicy arms of
FWPM_PROVIDER_CONTEXT2; the stand-in deep-copies each through that arm (IKEEXT_POLICY2 with its
certificate methods and roots, IPSEC_TRANSPORT_POLICY2 with its proposals and transforms) and
enumerates it back, so what the reader returns went through the nested structs both ways.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model, plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import validate
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import host_problems
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import provider_key_of
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .conftest import Host, HostError

pytestmark = pytest.mark.slow
MM = "FWPM_IPSEC_IKEV2_MM_CONTEXT"
QM = "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT"
CERTIFICATE = {"method": "certificate", "root_subjects": ["CN=Corp Root CA, O=Corp"]}


def _desired() -> tuple[str, dict[str, Any]]:
    desired = validate(
        {"scenario": {"ikev2_transport": {"main_mode": {"authentication": [CERTIFICATE]}}}}
    ).desired
    return provider_key_of({}), copy.deepcopy(desired)


def _context(state: dict[str, Any], context_type: str) -> dict[str, Any]:
    return next(c for c in state["provider_contexts"] if c["type"] == context_type)


def _rich(context_type: str) -> tuple[str, dict[str, Any]]:
    """The scenario with the context of `context_type` using every IKEv2 field it may carry."""
    provider_key, desired = _desired()
    policy = _context(desired, context_type)["policy"]
    if context_type == MM:
        policy["authentication_methods"] = [
            {
                "type": "IKEEXT_CERTIFICATE_ECDSA_P384",
                "inbound_config": "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST",
                "outbound_config": "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST",
                "root_subjects": ["CN=Corp ECC Root, O=Corp, C=DE"],
                "flags": ["IKEEXT_CERT_AUTH_FLAG_DISABLE_CRL_CHECK"],
            },
            {
                "type": "IKEEXT_CERTIFICATE_ECDSA_P256",
                "inbound_config": "IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE",
                "outbound_config": "IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE",
                "root_subjects": [],
                "flags": [],
            },
            *policy["authentication_methods"],
        ]
        policy["flags"] = ["IKEEXT_POLICY_FLAG_DISABLE_DIAGNOSTICS"]
        policy["retransmit_duration_seconds"] = 300
        policy["max_dynamic_filters"] = 7
    else:
        policy["flags"] = ["IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT"]
        policy["idle_timeout_seconds"] = 240
        policy["idle_timeout_fail_over_seconds"] = 60
    return provider_key, desired


def _comparable(state: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (model.comparable("provider_context", c) for c in state["provider_contexts"]),
        key=lambda c: c["key"],
    )


@pytest.mark.parametrize("context_type", [MM, QM])
def test_ikev2_context_round_trips_through_its_union_arm(host: Host, context_type: str) -> None:
    provider_key, desired = _rich(context_type)
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    assert host.call("apply", plan=the_plan)["applied"] == len(the_plan["operations"])
    after = host.call("read", provider_key=provider_key)
    written = _context(after, context_type)
    assert written["type"] == context_type  # read back through the same arm, not "unsupported"
    assert (
        written["policy"]
        == model.canonical_provider_context(_context(desired, context_type))["policy"]
    )
    assert _comparable(after) == _comparable(desired)
    assert plan.make_plan(desired, after, provider_key)["operations"] == []


def test_extended_mode_on_an_ikev2_context_is_rejected_by_the_engine(host: Host) -> None:
    provider_key, desired = _desired()
    qm = _context(desired, QM)
    qm["policy"]["em_policy"] = {
        "authentication_methods": [],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_NONE",
    }
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    with pytest.raises(HostError) as raised:
        host.call("apply", plan=the_plan)
    assert raised.value.details["error"] == "FWP_E_EM_NOT_SUPPORTED"
    assert raised.value.details["key"] == qm["key"]
    assert host.call("read", provider_key=provider_key)["provider_contexts"] == []


@pytest.mark.parametrize(
    ("context_type", "change", "field"),
    [
        (
            MM,
            {"authentication_methods": [{"type": "IKEEXT_PRESHARED_KEY", "key": "k"}]},
            "policy.authentication_methods[0].type: IKEEXT_PRESHARED_KEY is not for IKEv2",
        ),
        (
            MM,
            {"authentication_methods": [{"type": "IKEEXT_KERBEROS", "flags": []}]},
            "policy.authentication_methods[0].type: IKEEXT_KERBEROS is not for IKEv2",
        ),
        (MM, {"retransmit_duration_seconds": 0}, "policy.retransmit_duration_seconds"),
        (
            MM,
            {"initiator_impersonation": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL"},
            "policy.initiator_impersonation",
        ),
        (MM, {"flags": ["IKEEXT_POLICY_FLAG_ENABLE_OPTIONAL_DH"]}, "policy.flags"),
        (QM, {"flags": ["IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY"]}, "policy.flags"),
    ],
)
def test_the_writer_refuses_what_is_not_ikev2s_with_its_path(
    host: Host, context_type: str, change: dict[str, Any], field: str
) -> None:
    provider_key, desired = _desired()
    context = _context(desired, context_type)
    context["policy"].update(change)
    # The engine model (offline hosts, check mode, the pre-flight) refuses the same field.
    [problem] = host_problems("provider_context", model.canonical_provider_context(context))
    assert problem.code == "E_INVALIDARG" and field.startswith(problem.context["field"])
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    with pytest.raises(HostError) as raised:
        host.call("apply", plan=the_plan)
    assert f"provider_context.{field}" in raised.value.error["message"]
    assert host.call("read", provider_key=provider_key)["providers"] == []


# ---- the engine model and the C# writer agree on every IKEv2 policy ---------------------------

_METHODS = {
    "IKEEXT_CERTIFICATE": {"root_subjects": ["CN=Root"]},
    "IKEEXT_CERTIFICATE_ECDSA_P256": {"root_subjects": ["CN=Root"]},
    "IKEEXT_CERTIFICATE_ECDSA_P384": {"root_subjects": ["CN=Root"]},
    "IKEEXT_SSL": {"root_subjects": ["CN=Root"]},
    "IKEEXT_PRESHARED_KEY": {"key": "s3cret"},
    "IKEEXT_KERBEROS": {},
    "IKEEXT_NTLM_V2": {},
    "IKEEXT_ANONYMOUS": {},
}
_MM_FLAGS = sorted(catalogue.IKEEXT_POLICY_FLAGS.members)
_QM_FLAGS = [
    "IPSEC_POLICY_FLAG_ND_SECURE",
    "IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT",
    "IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY",
    "IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_NOTIFY_KEY",
]


@st.composite
def _ikev2_policies(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Half the time only what IKEv2 takes (per the docs), else anything of the families."""
    ikev2_only = draw(st.booleans())
    methods = sorted(_METHODS)
    mm_flags, qm_flags = _MM_FLAGS, _QM_FLAGS
    impersonations = ["IKEEXT_IMPERSONATION_NONE", "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL"]
    retransmits = [0, 119, 120, 600]
    if ikev2_only:
        methods = [m for m in methods if m.startswith("IKEEXT_CERTIFICATE")]
        mm_flags = [f for f in mm_flags if f not in catalogue.AUTHIP_ONLY_MM_FLAGS]
        qm_flags = [f for f in qm_flags if f not in catalogue.AUTHIP_ONLY_QM_FLAGS]
        impersonations, retransmits = impersonations[:1], retransmits[2:]
    chosen = draw(st.lists(st.sampled_from(methods), min_size=1, max_size=3))
    mm = {
        "authentication_methods": [{"type": m, **_METHODS[m]} for m in chosen],
        "flags": draw(st.lists(st.sampled_from(mm_flags), unique=True, max_size=2)),
        "initiator_impersonation": draw(st.sampled_from(impersonations)),
        "retransmit_duration_seconds": draw(st.sampled_from(retransmits)),
    }
    qm = {"flags": draw(st.lists(st.sampled_from(qm_flags), unique=True, max_size=2))}
    return mm, qm


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policies=_ikev2_policies())
def test_the_engine_model_and_the_writer_refuse_the_same_ikev2_policies(
    host: Host, policies: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    provider_key, desired = _desired()
    mm_change, qm_change = policies
    _context(desired, MM)["policy"].update(mm_change)
    _context(desired, QM)["policy"].update(qm_change)
    desired["provider_contexts"] = [
        model.canonical_provider_context(c) for c in desired["provider_contexts"]
    ]
    refused = [
        problem
        for context in desired["provider_contexts"]
        for problem in host_problems("provider_context", context)
    ]
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    try:
        host.call("apply", plan=the_plan)
    except HostError as error:
        event("refused")
        assert refused, error.error["message"]  # the writer refused what the model accepts
        assert any(p.context["field"] in error.error["message"] for p in refused)
        return
    event("written")
    assert refused == []  # the model refused what the writer wrote
    empty = model.empty_state()
    host.call(
        "apply",
        plan=plan.make_plan(empty, host.call("read", provider_key=provider_key), provider_key),
    )
