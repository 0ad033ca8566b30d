"""The engine model refuses what BFE (or the host layer) would refuse, before anything is sent.

Every case of issue 8 ("Accepted but wrong") is here: conditions a layer does not have, value
types that do not fit the field, match types that do not fit the value, callouts at a layer they
do not apply to, provider contexts the host layer cannot write, the all-zero GUID as a key. Each
refusal carries the FWP_E_* code, the field and the fix; the declaration names the option path;
check mode refuses too. A property compares the engine with an oracle written from Microsoft's
FWP_MATCH_TYPE page, over random filters built from the layer tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, engine
from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils._layer_data import LAYER_FIELDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import (
    DeclarationError,
    validate,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import (
    Engine,
    WfpError,
    host_problems,
    preflight,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import empty_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import RunOptions, converge
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.core.builders import (
    add_op,
    basic_objects,
    basic_state,
    context,
    filter_,
    mm_policy,
    plan_for,
    provider,
    qm_policy,
    sublayer,
)

Obj = dict[str, Any]
ZERO = "00000000-0000-0000-0000-000000000000"
OURS = basic_objects()
PK = OURS["provider"]["key"]


def condition(field: str, value_type: str, value: Any, match: str = "FWP_MATCH_EQUAL") -> Obj:
    return {
        "field_key": GUIDS[field],
        "match_type": match,
        "value": {"type": value_type, "value": value},
    }


def port_range(low: int, high: int, bound_type: str = "FWP_UINT16") -> Obj:
    return {
        "field_key": GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"],
        "match_type": "FWP_MATCH_RANGE",
        "value": {
            "type": "FWP_RANGE_TYPE",
            "low": {"type": bound_type, "value": low},
            "high": {"type": bound_type, "value": high},
        },
    }


def a_filter(
    layer: str, *conditions: Obj, name: str = "case", sublayer_key: str = "", **fields: Any
) -> Obj:
    return filter_(
        name,
        OURS["provider"],
        sublayer_key or OURS["sublayer"]["key"],
        layer_key=GUIDS[layer],
        conditions=list(conditions),
        **fields,
    )


def callout(name: str) -> Obj:
    return {"type": "FWP_ACTION_CALLOUT_TERMINATING", "callout_key": GUIDS[name]}


def only_problem(object_type: str, obj: Obj) -> WfpError:
    problems = host_problems(object_type, obj, basic_state())
    assert len(problems) == 1, problems
    return problems[0]


# ---- each refusal of the issue, with its code, field and fix ---------------------------------

REFUSED_FILTERS = [
    pytest.param(
        a_filter(
            "FWPM_LAYER_IKEEXT_V4",
            condition("FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100"),
        ),
        "FWP_E_CONDITION_NOT_FOUND",
        "conditions[0].field_key",
        "its fields are FWPM_CONDITION_CURRENT_PROFILE_ID",
        id="ALE_APP_ID at IKEEXT_V4",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_INBOUND_TRANSPORT_V4",
            condition("FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100"),
        ),
        "FWP_E_CONDITION_NOT_FOUND",
        "conditions[0].field_key",
        "not a field of FWPM_LAYER_INBOUND_TRANSPORT_V4",
        id="ALE_APP_ID at INBOUND_TRANSPORT_V4",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V6",
            condition("FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100"),
        ),
        "FWP_E_CONDITION_NOT_FOUND",
        "conditions[0].field_key",
        "not a field of FWPM_LAYER_OUTBOUND_TRANSPORT_V6",
        id="ALE_APP_ID at OUTBOUND_TRANSPORT_V6",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_SID", "S-1-5-18"),
        ),
        "FWP_E_TYPE_MISMATCH",
        "conditions[0].value.type",
        "is FWP_UINT16; a FWP_SID value cannot match it, use one of",
        id="FWP_SID for a local port",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT64", 6),
        ),
        "FWP_E_TYPE_MISMATCH",
        "conditions[0].value.type",
        "is FWP_UINT8",
        id="FWP_UINT64 for the protocol",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_UINT16", 445, "FWP_MATCH_RANGE"),
        ),
        "FWP_E_MATCH_TYPE_MISMATCH",
        "conditions[0].match_type",
        "a range needs {type: FWP_RANGE_TYPE",
        id="FWP_MATCH_RANGE with FWP_UINT16",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", 6, "FWP_MATCH_PREFIX"),
        ),
        "FWP_E_MATCH_TYPE_MISMATCH",
        "conditions[0].match_type",
        "for FWP_UINT8 use one of FWP_MATCH_EQUAL",
        id="FWP_MATCH_PREFIX with FWP_UINT8",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_IP_REMOTE_ADDRESS", "FWP_V4_ADDR_MASK", "10.0.0.0/8")
            | {"match_type": "FWP_MATCH_GREATER"},
        ),
        "FWP_E_MATCH_TYPE_MISMATCH",
        "conditions[0].match_type",
        "for FWP_V4_ADDR_MASK use one of FWP_MATCH_EQUAL",
        id="address mask with GREATER",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_FLAGS", "FWP_INT32", 1, "FWP_MATCH_FLAGS_ALL_SET"),
        ),
        "FWP_E_TYPE_MISMATCH",
        "conditions[0].value.type",
        "is FWP_UINT32",
        id="signed flags",
    ),
    pytest.param(
        a_filter("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", port_range(500, 100)),
        "FWP_E_INVALID_RANGE",
        "conditions[0].value",
        "swap them",
        id="range low above high",
    ),
    pytest.param(
        a_filter("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", port_range(1, 2, "FWP_UINT32")),
        "FWP_E_TYPE_MISMATCH",
        "conditions[0].value.low.type",
        "must be FWP_UINT16",
        id="range of the wrong type",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_CONNECT_V6", action=callout("FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4")
        ),
        "FWP_E_INCOMPATIBLE_LAYER",
        "action.callout_key",
        "use one of FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6",
        id="ALE_CONNECT_V4 callout at ALE_AUTH_CONNECT_V6",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            action=callout("FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4"),
        ),
        "FWP_E_INCOMPATIBLE_LAYER",
        "action.callout_key",
        "or move the filter to FWPM_LAYER_INBOUND_TRANSPORT_V4",
        id="inbound transport callout at ALE connect",
    ),
    pytest.param(
        a_filter("FWPM_LAYER_ALE_AUTH_CONNECT_V4", key=ZERO),
        "ZERO_KEY",
        "key",
        "give a real key",
        id="all-zero filter key",
    ),
    pytest.param(
        a_filter("FWPM_LAYER_ALE_AUTH_CONNECT_V4", name="cut\x00here"),
        "CONTROL_CHARACTER",
        "name",
        "U+0000 at position 3",
        id="NUL in a name",
    ),
]


@pytest.mark.parametrize(("obj", "code", "field", "fix"), REFUSED_FILTERS)
def test_refused_filter(obj: Obj, code: str, field: str, fix: str) -> None:
    problem = only_problem("filter", obj)
    assert (problem.code, problem.context["field"]) == (code, field)
    assert fix in str(problem)


@pytest.mark.parametrize(("obj", "code", "field", "fix"), REFUSED_FILTERS)
def test_preflight_refuses_before_anything_is_sent(
    obj: Obj, code: str, field: str, fix: str
) -> None:
    base = basic_state()
    plan = plan_for(base, PK, add_op("filter", obj))
    with pytest.raises(WfpError) as raised:
        preflight(base, plan)
    assert raised.value.code == code
    assert raised.value.context["op_index"] == 0 and raised.value.context["field"] == field
    assert base == basic_state()  # nothing changed


ACCEPTED_FILTERS = [
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            condition("FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100"),
        ),
        id="ALE_APP_ID at ALE connect",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V4",
            condition("FWPM_CONDITION_IP_REMOTE_ADDRESS", "FWP_V4_ADDR_MASK", "10.20.0.0/16"),
            action=callout("FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4"),
        ),
        id="address mask, transport callout at its layer",
    ),
    pytest.param(
        a_filter("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6", port_range(1000, 2000)),
        id="port range",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
            condition("FWPM_CONDITION_FLAGS", "FWP_UINT32", 1, "FWP_MATCH_FLAGS_ALL_SET"),
        ),
        id="flags",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            condition(
                "FWPM_CONDITION_ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:LSD:(A;;CC;;;WD)"
            ),
        ),
        id="security descriptor for a token field",
    ),
    pytest.param(
        a_filter(
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            condition(
                "FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100", "FWP_MATCH_PREFIX"
            ),
        ),
        id="prefix on a byte blob",
    ),
]


@pytest.mark.parametrize("obj", ACCEPTED_FILTERS)
def test_accepted_filter(obj: Obj) -> None:
    assert host_problems("filter", obj, basic_state()) == []
    Engine(basic_state()).add("filter", obj)


@pytest.mark.parametrize(
    ("object_type", "obj"),
    [
        ("provider", provider("zero", key=ZERO)),
        ("sublayer", sublayer("zero", OURS["provider"], key=ZERO)),
        ("provider_context", context("zero", OURS["provider"], key=ZERO)),
    ],
)
def test_all_zero_keys_are_refused(object_type: str, obj: Obj) -> None:
    problem = only_problem(object_type, obj)
    assert (problem.code, problem.context["field"]) == ("ZERO_KEY", "key")


def test_zero_sublayer_reference_is_refused() -> None:
    obj = a_filter("FWPM_LAYER_ALE_AUTH_CONNECT_V4", sublayer_key=ZERO)
    assert [p.context["field"] for p in host_problems("filter", obj)] == ["sublayer_key"]


def test_provider_context_type_the_host_layer_cannot_write() -> None:
    obj = context("tunnel", OURS["provider"], "FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT", policy={})
    problem = only_problem("provider_context", obj)
    assert (problem.code, problem.context["field"]) == ("E_INVALIDARG", "type")
    assert "FWPM_IPSEC_IKE_MM_CONTEXT" in str(problem)  # the fix: a type it can write
    assert problem.details()["hresult"] == "0x80070057"


CERTIFICATE: Obj = {"type": "IKEEXT_CERTIFICATE", "root_subjects": ["CN=Root"]}


def ikev2_mm(**policy: Any) -> Obj:
    fields = {
        **mm_policy(),
        "authentication_methods": [CERTIFICATE],
        "retransmit_duration_seconds": 120,
    }
    return context(
        "ikev2 mm", OURS["provider"], "FWPM_IPSEC_IKEV2_MM_CONTEXT", policy={**fields, **policy}
    )


def test_ikev2_contexts_with_certificates_are_accepted() -> None:
    ecdsa = {**CERTIFICATE, "type": "IKEEXT_CERTIFICATE_ECDSA_P384"}
    assert host_problems("provider_context", ikev2_mm(), basic_state()) == []
    assert host_problems("provider_context", ikev2_mm(authentication_methods=[ecdsa])) == []
    qm = context("ikev2 qm", OURS["provider"], "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT")
    assert host_problems("provider_context", qm, basic_state()) == []


@pytest.mark.parametrize(
    ("policy", "field", "text"),
    [
        (
            {"authentication_methods": [CERTIFICATE, {"type": "IKEEXT_PRESHARED_KEY", "key": "k"}]},
            "policy.authentication_methods[1].type",
            "IKEEXT_PRESHARED_KEY is not for IKEv2; use IKEEXT_CERTIFICATE",
        ),
        (
            {"authentication_methods": [{"type": "IKEEXT_KERBEROS", "flags": []}]},
            "policy.authentication_methods[0].type",
            "IKEEXT_KERBEROS is not for IKEv2",
        ),
        (
            {"flags": ["IKEEXT_POLICY_FLAG_ENABLE_OPTIONAL_DH"]},
            "policy.flags",
            "applies only to AuthIP",
        ),
        (
            {"initiator_impersonation": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL"},
            "policy.initiator_impersonation",
            "use IKEEXT_IMPERSONATION_NONE",
        ),
        (
            {"retransmit_duration_seconds": 0},
            "policy.retransmit_duration_seconds",
            "below the 120 seconds IKEv2 needs",
        ),
    ],
)
def test_what_is_not_ikev2s_is_refused_by_the_host_layer(
    policy: Obj, field: str, text: str
) -> None:
    problem = only_problem("provider_context", ikev2_mm(**policy))
    assert (problem.code, problem.context["field"]) == ("E_INVALIDARG", field)
    assert text in str(problem)


def test_authip_only_quick_mode_flag_is_refused_on_ikev2() -> None:
    policy = {**qm_policy(), "flags": ["IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY"]}
    ikev2 = context("q", OURS["provider"], "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT", policy=policy)
    problem = only_problem("provider_context", ikev2)
    assert (problem.code, problem.context["field"]) == ("E_INVALIDARG", "policy.flags")
    authip = context("a", OURS["provider"], "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT", policy=policy)
    assert host_problems("provider_context", authip, basic_state()) == []


def test_host_problems_checks_references_with_a_state() -> None:
    orphan = a_filter("FWPM_LAYER_ALE_AUTH_CONNECT_V4", sublayer_key=GUIDS["FWPM_SUBLAYER_LIPS"])
    assert host_problems("filter", orphan) == []  # without a state: no references checked
    stranger = filter_("x", provider("stranger"), OURS["sublayer"]["key"])
    [problem] = host_problems("filter", stranger, basic_state())
    assert problem.code == "FWP_E_PROVIDER_NOT_FOUND"
    [problem] = host_problems("nothing", {})
    assert problem.code == "FWP_E_INVALID_PARAMETER"
    [problem] = host_problems("filter", {"name": "no key"})
    assert problem.code == "FWP_E_INVALID_PARAMETER" and "filter.key" in str(problem)


def test_all_problems_are_listed() -> None:
    obj = a_filter(
        "FWPM_LAYER_IKEEXT_V4",
        condition("FWPM_CONDITION_ALE_APP_ID", "FWP_BYTE_BLOB_TYPE", "6100"),
        condition("FWPM_CONDITION_IP_REMOTE_ADDRESS", "FWP_UINT64", 1),
        key=ZERO,
    )
    codes = sorted(p.code for p in host_problems("filter", obj))
    assert codes == ["FWP_E_CONDITION_NOT_FOUND", "FWP_E_TYPE_MISMATCH", "ZERO_KEY"]


# ---- declarations: the option path, in check mode too ------------------------------------------


def declared_filter(**fields: Any) -> dict[str, Any]:
    base = {"name": "f", "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"}
    base.setdefault("action", {"type": "FWP_ACTION_PERMIT"})
    return {"provider": {"name": "rules"}, "objects": {"filters": [base | fields]}}


def problems_of(arguments: dict[str, Any]) -> list[str]:
    with pytest.raises(DeclarationError) as raised:
        validate(arguments)
    return [str(problem) for problem in raised.value.problems]


def test_declared_path_names_the_condition_as_declared() -> None:
    declaration = declared_filter(
        conditions=[
            {"field_key": "FWPM_CONDITION_IP_PROTOCOL", "value": {"type": "FWP_UINT8", "value": 6}},
            {
                "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                "match_type": "FWP_MATCH_RANGE",
                "value": {"type": "FWP_UINT16", "value": 445},
            },
        ]
    )
    declaration["objects"]["filters"] = [
        {
            "name": "fine",
            "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            "action": {"type": "FWP_ACTION_PERMIT"},
        },
        {
            "name": "also fine",
            "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V6",
            "action": {"type": "FWP_ACTION_PERMIT"},
        },
        *declaration["objects"]["filters"],
    ]
    [problem] = problems_of(declaration)
    assert problem.startswith("objects.filters[2].conditions[1].match_type: FWP_MATCH_RANGE")
    assert "FWP_E_MATCH_TYPE_MISMATCH (0x80320026)" in problem


def test_declared_callout_and_context_at_the_wrong_layer() -> None:
    declaration: dict[str, Any] = {
        "provider": {"name": "rules"},
        "objects": {
            "provider_contexts": [
                {
                    "id": "mm",
                    "name": "mm",
                    "type": "FWPM_IPSEC_IKE_MM_CONTEXT",
                    "policy": {
                        "authentication_methods": [{"type": "IKEEXT_KERBEROS"}],
                        "proposals": [
                            {
                                "cipher": "IKEEXT_CIPHER_AES_256",
                                "integrity": "IKEEXT_INTEGRITY_SHA_256",
                                "dh_group": "IKEEXT_DH_GROUP_14",
                                "max_lifetime_seconds": 28800,
                            }
                        ],
                    },
                }
            ],
            "filters": [
                {
                    "name": "connect",
                    "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V6",
                    "action": {
                        "type": "FWP_ACTION_CALLOUT_TERMINATING",
                        "callout_key": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4",
                    },
                },
                {
                    "name": "mm at ipsec",
                    "layer_key": "FWPM_LAYER_IPSEC_V4",
                    "action": {"type": "FWP_ACTION_PERMIT"},
                    "provider_context_key": "mm",
                },
            ],
        },
    }
    found = problems_of(declaration)
    assert found[0].startswith("objects.filters[0].action.callout_key: ")
    assert "FWP_E_INCOMPATIBLE_LAYER" in found[0]
    assert found[1].startswith("objects.filters[1].provider_context_key: 'mm' is a ")
    assert "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER" in found[1]


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        (declared_filter(key=ZERO), "objects.filters[0].key"),
        (declared_filter(provider_context_key=ZERO), "objects.filters[0].provider_context_key"),
        ({**declared_filter(), "provider": {"name": "cut\x00"}}, "provider.name"),
        (declared_filter(description="two\nlines"), "objects.filters[0].description"),
    ],
)
def test_declared_keys_and_texts(arguments: dict[str, Any], path: str) -> None:
    [problem] = problems_of(arguments)
    assert problem.startswith(f"{path}: ")


def test_check_mode_refuses_before_reading_the_host(tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps(empty_state()))
    declaration = declared_filter(
        conditions=[
            {"field_key": "FWPM_CONDITION_IP_PROTOCOL", "value": {"type": "FWP_UINT64", "value": 6}}
        ]
    )
    with pytest.raises(
        DeclarationError, match=r"objects\.filters\[0\]\.conditions\[0\]\.value\.type"
    ):
        converge(declaration, OfflineBackend(path), RunOptions(check_mode=True))
    assert json.loads(path.read_text()) == empty_state()


# ---- property: the engine accepts exactly what the tables allow --------------------------------
#
# The oracle is written from Microsoft's FWP_MATCH_TYPE page independently of catalogue.py.

_INTS = {"FWP_UINT8", "FWP_UINT16", "FWP_UINT32", "FWP_UINT64"}
_SIGNED = {"FWP_INT8", "FWP_INT16", "FWP_INT32", "FWP_INT64"}
_SORTABLE = (
    _INTS | _SIGNED | {"FWP_BYTE_ARRAY16_TYPE", "FWP_BYTE_BLOB_TYPE", "FWP_UNICODE_STRING_TYPE"}
)
_SAMPLES: dict[str, Any] = {
    "FWP_UINT8": 1,
    "FWP_UINT16": 2,
    "FWP_UINT32": 3,
    "FWP_UINT64": 4,
    "FWP_INT8": -1,
    "FWP_INT16": -2,
    "FWP_INT32": -3,
    "FWP_INT64": -4,
    "FWP_BYTE_ARRAY16_TYPE": "fe80::1",
    "FWP_BYTE_BLOB_TYPE": "6100",
    "FWP_BYTE_ARRAY6_TYPE": "001122aabbcc",
    "FWP_SID": "S-1-5-18",
    "FWP_SECURITY_DESCRIPTOR_TYPE": "O:LSD:(A;;CC;;;WD)",
    "FWP_UNICODE_STRING_TYPE": "name",
    "FWP_V4_ADDR_MASK": "10.0.0.0/8",
    "FWP_V6_ADDR_MASK": "fd00::/8",
}


def _oracle_fits(match_type: str, value_type: str) -> bool:
    if match_type == "FWP_MATCH_EQUAL":
        return value_type != "FWP_RANGE_TYPE"
    if match_type == "FWP_MATCH_RANGE":
        return value_type == "FWP_RANGE_TYPE"
    if match_type.startswith("FWP_MATCH_FLAGS_"):
        return value_type in _INTS
    if match_type == "FWP_MATCH_EQUAL_CASE_INSENSITIVE":
        return value_type == "FWP_UNICODE_STRING_TYPE"
    if match_type in ("FWP_MATCH_PREFIX", "FWP_MATCH_NOT_PREFIX"):
        return value_type in {"FWP_BYTE_BLOB_TYPE", "FWP_UNICODE_STRING_TYPE"}
    return value_type in _SORTABLE  # GREATER, LESS, ..._OR_EQUAL, NOT_EQUAL


def _oracle_value_ok(field_type: str, data_type: str, value_type: str, bound: str | None) -> bool:
    if value_type == "FWP_EMPTY":
        return True
    if value_type == "FWP_RANGE_TYPE":
        return data_type in _SORTABLE and bound == data_type
    if data_type.startswith("FWP_TOKEN_"):
        return value_type == "FWP_SECURITY_DESCRIPTOR_TYPE"
    if field_type == "FWPM_FIELD_IP_ADDRESS":
        masks = {"FWP_UINT32": "FWP_V4_ADDR_MASK", "FWP_BYTE_ARRAY16_TYPE": "FWP_V6_ADDR_MASK"}
        if value_type == masks.get(data_type):
            return True
    return value_type == data_type


_KNOWN_LAYERS = sorted(layer for layer in LAYER_FIELDS if catalogue.is_layer(layer))
_CONDITIONS = sorted(GUIDS[name] for name in GUIDS if name.startswith("FWPM_CONDITION_"))


@st.composite
def random_filters(draw: st.DrawFn) -> tuple[Obj, bool]:
    layer = draw(st.sampled_from(_KNOWN_LAYERS))
    own_fields = sorted(f for f in LAYER_FIELDS[layer] if catalogue.is_condition(f))
    field = draw(
        st.sampled_from(own_fields)
        if own_fields and draw(st.booleans())
        else st.sampled_from(_CONDITIONS)
    )
    entry = LAYER_FIELDS[layer].get(field)
    # Half of the time the field's own type and FWP_MATCH_EQUAL, so accepted filters are common.
    own = entry[1] if entry and entry[1] in _SAMPLES else "FWP_SECURITY_DESCRIPTOR_TYPE"
    any_type = st.sampled_from([*sorted(_SAMPLES), "FWP_EMPTY", "FWP_RANGE_TYPE"])
    value_type = draw(st.one_of(st.just(own), any_type))
    any_match = st.sampled_from(sorted(catalogue.MATCH_TYPES.members))
    match_type = draw(st.one_of(st.just("FWP_MATCH_EQUAL"), any_match))
    bound = None
    if value_type == "FWP_RANGE_TYPE":
        bound = draw(st.sampled_from(sorted(_INTS | _SIGNED)))
        low, high = sorted([_SAMPLES[bound], _SAMPLES[bound] + 1])
        value: Obj = {
            "type": value_type,
            "low": {"type": bound, "value": low},
            "high": {"type": bound, "value": high},
        }
    elif value_type == "FWP_EMPTY":
        value = {"type": value_type}
    else:
        value = {"type": value_type, "value": _SAMPLES[value_type]}
    obj = filter_(
        "random",
        OURS["provider"],
        OURS["sublayer"]["key"],
        layer_key=layer,
        conditions=[{"field_key": field, "match_type": match_type, "value": value}],
    )
    allowed = (
        entry is not None
        and _oracle_value_ok(entry[0], entry[1], value_type, bound)
        and _oracle_fits(match_type, value_type)
    )
    return obj, allowed


@given(random_filters())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_engine_accepts_exactly_what_the_tables_allow(case: tuple[Obj, bool]) -> None:
    obj, allowed = case
    problems = host_problems("filter", obj, basic_state())
    assert (problems == []) == allowed, problems
    if not allowed:
        with pytest.raises(WfpError):
            Engine(basic_state()).add("filter", obj)


def test_engine_module_names_the_function_for_the_generated_input_suite() -> None:
    assert engine.host_problems is host_problems


def test_a_misspelt_conditions_key_is_no_block_everything_filter() -> None:
    declaration = declared_filter(
        action={"type": "FWP_ACTION_BLOCK"},
        conditons=[
            {
                "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                "value": {"type": "FWP_UINT16", "value": 445},
            }
        ],
    )
    [problem] = problems_of(declaration)
    assert problem.startswith("objects.filters[0].conditons: unknown key 'conditons'; did you mean")


@pytest.mark.parametrize(
    ("context_type", "policy_change", "field"),
    [
        ("FWPM_IPSEC_IKE_MM_CONTEXT", {"proposals": []}, "policy.proposals"),
        (
            "FWPM_IPSEC_AUTHIP_MM_CONTEXT",
            {"authentication_methods": []},
            "policy.authentication_methods",
        ),
        ("FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", {"proposals": []}, "policy.proposals"),
    ],
)
def test_policies_need_their_arrays(context_type: str, policy_change: Obj, field: str) -> None:
    obj = context("empty", OURS["provider"], context_type)
    obj["policy"].update(policy_change)
    problem = only_problem("provider_context", obj)
    assert (problem.code, problem.context["field"]) == ("FWP_E_ZERO_LENGTH_ARRAY", field)


def test_quick_mode_proposals_need_a_transform() -> None:
    obj = context("no transform", OURS["provider"])
    obj["policy"]["proposals"][0]["transforms"] = []
    problem = only_problem("provider_context", obj)
    assert problem.context["field"] == "policy.proposals[0].transforms"


@pytest.mark.parametrize(
    ("object_type", "obj"),
    [
        ("filter", "not a mapping"),
        ("filter", {**OURS["filter"], "action": "FWP_ACTION_BLOCK"}),
        ("filter", {**OURS["filter"], "conditions": "abc"}),
        ("filter", {**OURS["filter"], "conditons": []}),
        ("provider_context", {**OURS["context"], "policy": ["x"]}),
        ("sublayer", {**OURS["sublayer"], "weight": "heavy"}),
        ("provider", {"key": 5}),
    ],
)
def test_host_problems_never_raises_on_garbage(object_type: str, obj: Any) -> None:
    problems = host_problems(object_type, obj, basic_state())
    assert problems and all(p.code == "FWP_E_INVALID_PARAMETER" for p in problems)


def test_host_problems_ignores_runtime_fields_of_read_objects() -> None:
    read_back = {**OURS["filter"], "runtime": {"filter_id": 7}}
    state = basic_state()
    state["filters"] = [f for f in state["filters"] if f["key"] != OURS["filter"]["key"]]
    assert host_problems("filter", read_back, state) == []


def test_host_problems_finds_control_characters_at_any_depth() -> None:
    obj = context("certs", OURS["provider"], "FWPM_IPSEC_IKE_MM_CONTEXT")
    obj["policy"]["authentication_methods"] = [
        {"type": "IKEEXT_CERTIFICATE", "root_subjects": ["CN=Corp\x00Root"]}
    ]
    problem = only_problem("provider_context", obj)
    assert problem.code == "CONTROL_CHARACTER"
    assert problem.context["field"] == "policy.authentication_methods[0].root_subjects[0]"


def test_preflight_refuses_control_characters_in_nested_strings() -> None:
    obj = a_filter(
        "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
        condition("FWPM_CONDITION_ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", "O:LS\x01D:"),
    )
    with pytest.raises(WfpError) as raised:
        Engine(basic_state()).add("filter", obj)
    assert raised.value.code == "CONTROL_CHARACTER"
    assert raised.value.context["field"] == "conditions[0].value.value"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"keying_modules": ["ike"], "ip_versions": [4]},
        {
            "required_ports": [{"port": 445, "protocol": "tcp"}],
            "exempt_ports": [{"port": 5986}, {"port": 53, "protocol": "udp"}],
        },
    ],
)
def test_every_scenario_object_passes_the_engine_rules(options: dict[str, Any]) -> None:
    """The guaranteed-encryption scenario only uses what Microsoft's tables allow."""
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import iter_objects
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand

    desired = expand({"scenario": {"guaranteed_encryption": options}})
    checked = 0
    for object_type, obj in iter_objects(desired):
        assert engine.object_problems(object_type, obj) == [], (object_type, obj["name"])
        checked += 1
    assert checked > 10


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "value", "low", "conditions", "action", "policy", "x"]),
            children,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@given(
    st.dictionaries(
        st.sampled_from(
            ["name", "key", "layer_key", "weight", "conditions", "action", "flags", "conditons"]
        ),
        _JSON,
    ),
    st.sampled_from(["filter", "provider_context"]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_hostile_raw_objects_get_messages_not_tracebacks(raw: Obj, object_type: str) -> None:
    list_name = "filters" if object_type == "filter" else "provider_contexts"
    found = engine.declaration_problems({"objects": {list_name: [raw]}})
    assert all(path.startswith(f"objects.{list_name}[0]") for path, _message in found)
    assert all(isinstance(error, WfpError) for error in host_problems(object_type, raw))


def test_a_declared_ikev2_context_with_a_pre_shared_key_is_refused_before_the_host(
    tmp_path: Path,
) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps(empty_state()))
    policy = {
        "authentication_methods": [{"type": "IKEEXT_PRESHARED_KEY", "key": "s3cret-v2"}],
        "proposals": [
            {
                "cipher": "IKEEXT_CIPHER_AES_256",
                "integrity": "IKEEXT_INTEGRITY_SHA_256",
                "dh_group": "IKEEXT_DH_GROUP_14",
                "max_lifetime_seconds": 28800,
            }
        ],
        "retransmit_duration_seconds": 120,
    }
    declaration = {
        "provider": {"name": "rules"},
        "objects": {
            "provider_contexts": [
                {"id": "v2", "name": "v2", "type": "FWPM_IPSEC_IKEV2_MM_CONTEXT", "policy": policy}
            ]
        },
    }
    [problem] = problems_of(declaration)
    assert problem.startswith(
        "objects.provider_contexts[0].policy.authentication_methods[0].type: "
    )
    assert "IKEEXT_PRESHARED_KEY is not for IKEv2" in problem
    assert "s3cret-v2" not in problem  # a pre-shared key is never shown
    with pytest.raises(DeclarationError):
        converge(declaration, OfflineBackend(path), RunOptions())
    assert json.loads(path.read_text()) == empty_state()
    policy["authentication_methods"] = [{"type": "IKEEXT_CERTIFICATE", "root_subjects": ["CN=R"]}]
    assert converge(declaration, OfflineBackend(path), RunOptions())["changed"] is True
