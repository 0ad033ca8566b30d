"""Bad input gets a clear error naming the field and the fix, before any host is touched."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import (
    DeclarationError,
    validate,
)


def _problems(arguments: dict[str, Any]) -> list[str]:
    with pytest.raises(DeclarationError) as caught:
        validate(arguments)
    return [str(problem) for problem in caught.value.problems]


def ge(**options: Any) -> dict[str, Any]:
    return {"scenario": {"guaranteed_encryption": options}}


def test_defaults_are_valid_and_modern() -> None:
    assert validate(ge()).warnings == []
    assert validate({"state": "absent"}).warnings == []


@pytest.mark.parametrize(
    ("arguments", "path", "fix"),
    [
        (
            ge(required_ports=[{"port": 70000}]),
            "scenario.guaranteed_encryption.required_ports[0].port",
            "from 1 to 65535",
        ),
        (
            ge(required_ports=[{"port": 0}]),
            "scenario.guaranteed_encryption.required_ports[0].port",
            "from 1 to 65535",
        ),
        (
            ge(required_ports=[{"port": 22, "protocol": "sctp"}]),
            "scenario.guaranteed_encryption.required_ports[0].protocol",
            "use one of ['tcp', 'udp']",
        ),
        (ge(colour="blue"), "scenario.guaranteed_encryption", "unknown option 'colour'"),
        ({"state": "gone"}, "state", "use one of ['present', 'absent']"),
        ({"provider": {"key": "not-a-guid"}}, "provider.key", "is not a GUID"),
        ({"sublayer": {"weight": 70000}}, "sublayer.weight", "from 0 to 65535"),
        (
            ge(keying_modules=[]),
            "scenario.guaranteed_encryption.keying_modules",
            "list at least one",
        ),
        (
            ge(main_mode={"authentication": [{"method": "preshared_key"}]}),
            "scenario.guaranteed_encryption.main_mode.authentication[0]",
            "'key' is a required property",
        ),
        (
            ge(
                main_mode={
                    "proposals": [{"encryption": "rot13", "integrity": "sha1", "dh_group": "dh14"}]
                }
            ),
            "scenario.guaranteed_encryption.main_mode.proposals[0].encryption",
            "use one of",
        ),
    ],
)
def test_schema_errors_name_the_field_and_the_fix(
    arguments: dict[str, Any], path: str, fix: str
) -> None:
    problems = _problems(arguments)
    assert any(p.startswith(path + ":") and fix in p for p in problems), problems


def test_quick_mode_proposals_must_all_encrypt() -> None:
    problems = _problems(
        ge(
            quick_mode={
                "proposals": [
                    {"encryption": "aes256", "integrity": "sha256"},
                    {"protocol": "esp", "integrity": "sha256"},
                    {"protocol": "ah", "integrity": "sha256"},
                ]
            }
        )
    )
    assert problems == [
        "scenario.guaranteed_encryption.quick_mode.proposals[1]: does not encrypt; guaranteed encryption needs every "
        "quick-mode proposal to be ESP with encryption (e.g. {protocol: esp, encryption: aes_gcm256})",
        "scenario.guaranteed_encryption.quick_mode.proposals[2]: does not encrypt; guaranteed encryption needs every "
        "quick-mode proposal to be ESP with encryption (e.g. {protocol: esp, encryption: aes_gcm256})",
    ]


def test_esp_cbc_without_integrity_is_refused() -> None:
    problems = _problems(ge(quick_mode={"proposals": [{"encryption": "aes256"}]}))
    assert problems[0].startswith(
        "scenario.guaranteed_encryption.quick_mode.proposals[0]: ESP encryption without integrity"
    )


def test_psk_is_refused_on_authip_but_fine_on_ike() -> None:
    psk = {"authentication": [{"method": "preshared_key", "key": "s3cret"}]}
    problems = _problems(ge(main_mode=psk))
    assert problems == [
        "scenario.guaranteed_encryption.main_mode.authentication[0].method: AuthIP main mode does not support "
        "preshared_key; use one of ['anonymous', 'certificate', 'kerberos', 'ntlm_v2']"
    ]
    assert validate(ge(keying_modules=["ike"], main_mode=psk)).warnings == []


def test_extended_mode_needs_authip() -> None:
    problems = _problems(
        ge(keying_modules=["ike"], extended_mode={"authentication": [{"method": "kerberos"}]})
    )
    assert problems == [
        "scenario.guaranteed_encryption.extended_mode: extended mode is an AuthIP feature; add authip to "
        "keying_modules or remove extended_mode"
    ]


def test_ntlm_is_refused_on_ike_main_mode() -> None:
    problems = _problems(
        ge(keying_modules=["ike"], main_mode={"authentication": [{"method": "ntlm_v2"}]})
    )
    assert "IKE main mode does not support ntlm_v2" in problems[0]


def test_duplicate_port_is_refused() -> None:
    problems = _problems(ge(required_ports=[{"port": 5555}, {"port": 5555, "protocol": "tcp"}]))
    assert problems == [
        "scenario.guaranteed_encryption.required_ports[1]: tcp/5555 is already declared at required_ports[0]; remove one"
    ]


def test_weak_crypto_warns() -> None:
    validated = validate(
        ge(
            main_mode={
                "proposals": [{"encryption": "3des", "integrity": "sha1", "dh_group": "dh2"}]
            }
        )
    )
    assert validated.warnings and "3des" in validated.warnings[0] and "dh2" in validated.warnings[0]


RAW_FILTER = {
    "name": "block telnet",
    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
    "action": {"type": "FWP_ACTION_BLOCK"},
}


def test_raw_objects_are_validated_with_their_paths() -> None:
    bad = dict(RAW_FILTER, layer_key="FWPM_LAYER_NOPE")
    assert _problems({"objects": {"filters": [RAW_FILTER, bad]}}) == [
        "objects.filters[1]: 'block telnet' is already declared at objects.filters[0]; give it a unique id"
    ]
    problems = _problems({"objects": {"filters": [dict(bad, id="x")]}})
    assert problems[0].startswith("objects.filters[0].layer_key: unknown symbol 'FWPM_LAYER_NOPE'")
    weight = dict(RAW_FILTER, weight={"type": "FWP_UINT8", "value": 300})
    assert _problems({"objects": {"filters": [weight]}})[0].startswith(
        "objects.filters[0].weight.value: 300 is outside 0..255"
    )
    both = dict(
        RAW_FILTER, raw_context=1, provider_context_key="11111111-2222-3333-4444-555555555555"
    )
    assert "share a union" in _problems({"objects": {"filters": [both]}})[0]


def test_raw_filter_reference_must_exist() -> None:
    problems = _problems({"objects": {"filters": [dict(RAW_FILTER, provider_context_key="qm")]}})
    assert problems[0].startswith(
        "objects.filters[0].provider_context_key: no provider context with id 'qm'"
    )


def test_raw_object_may_not_claim_another_provider() -> None:
    problems = _problems(
        {
            "objects": {
                "filters": [dict(RAW_FILTER, provider_key="11111111-2222-3333-4444-555555555555")]
            }
        }
    )
    assert problems == [
        "objects.filters[0].provider_key: raw objects always belong to our provider; remove provider_key"
    ]


def test_two_declarations_of_the_same_key() -> None:
    key = "11111111-2222-3333-4444-555555555555"
    filters = [dict(RAW_FILTER, id="a", key=key), dict(RAW_FILTER, id="b", key=key, name="other")]
    problems = _problems({"objects": {"filters": filters}})
    assert problems == [
        f"objects.filters: key {key} is declared twice ('block telnet' and 'other'); give one of them another key"
    ]


def test_absent_ignores_the_rest() -> None:
    assert validate({"state": "absent", "scenario": {"guaranteed_encryption": {}}}).warnings == []


def test_a_port_cannot_be_both_required_and_exempt() -> None:
    problems = _problems(
        ge(required_ports=[{"port": 5555}], exempt_ports=[{"port": 5986}, {"port": 5555}])
    )
    assert problems == [
        "scenario.guaranteed_encryption.exempt_ports[1]: tcp/5555 is already declared at required_ports[0]; "
        "a port cannot be both; remove one"
    ]
