"""Bad input gets a clear error naming the field and the fix, before any host is touched."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import (
    DeclarationError,
    validate,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def _problems(arguments: dict[str, Any]) -> list[str]:
    with pytest.raises(DeclarationError) as caught:
        validate(arguments)
    return [str(problem) for problem in caught.value.problems]


def ge(**options: Any) -> dict[str, Any]:
    """A guaranteed-encryption declaration; required_ports defaults to TCP 5555 here only."""
    options.setdefault("required_ports", [{"port": 5555}])
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
            ge(required_ports=[{"port": "5010-5000"}]),
            "scenario.guaranteed_encryption.required_ports[0].port",
            "or a range such as 5000-5010",
        ),
        (
            ge(required_ports=[{"port": 22, "protocol": "sctp"}]),
            "scenario.guaranteed_encryption.required_ports[0].protocol",
            "use one of ['tcp', 'udp']",
        ),
        (ge(colour="blue"), "scenario.guaranteed_encryption.colour", "unknown option 'colour'"),
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
            "scenario.guaranteed_encryption.main_mode.authentication[0].key",
            "is required with method preshared_key; set key",
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
    assert validate({"state": "absent"}).declaration == {"state": "absent"}


def test_a_port_cannot_be_both_required_and_exempt() -> None:
    problems = _problems(
        ge(required_ports=[{"port": 5555}], exempt_ports=[{"port": 5986}, {"port": 5555}])
    )
    assert problems == [
        "scenario.guaranteed_encryption.exempt_ports[1]: tcp/5555 is already declared at required_ports[0]; "
        "a port cannot be both; remove one"
    ]


# ---- options as Ansible users write them: strings from -e, surveys and templates --------------


def test_strings_are_converted_like_any_ansible_module() -> None:
    declaration = validate(
        {
            "persistent": "false",
            "sublayer": {"weight": "40000"},
            "shadow_check": "no",
            "scenario": {
                "guaranteed_encryption": {
                    "keying_modules": "ike",
                    "ip_versions": "4",
                    "icmp_exemption": "yes",
                    "required_ports": [{"port": "8443"}],
                }
            },
        }
    ).declaration
    assert declaration["persistent"] is False
    assert declaration["shadow_check"] is False
    assert declaration["sublayer"] == {"weight": 40000}
    scenario = declaration["scenario"]["guaranteed_encryption"]
    assert scenario["keying_modules"] == ["ike"]
    assert scenario["ip_versions"] == [4]
    assert scenario["icmp_exemption"] is True
    assert scenario["required_ports"] == [{"port": 8443, "protocol": "tcp"}]


def test_a_comma_separated_string_is_a_list() -> None:
    scenario = validate(ge(keying_modules="ike,authip")).declaration["scenario"]
    assert scenario["guaranteed_encryption"]["keying_modules"] == ["ike", "authip"]


def test_choices_accept_any_case() -> None:
    scenario = validate(
        ge(
            required_ports=[{"port": 5555, "protocol": "TCP"}, {"port": 53, "protocol": "Udp"}],
            keying_modules=["IKE"],
        )
    ).declaration["scenario"]["guaranteed_encryption"]
    assert [p["protocol"] for p in scenario["required_ports"]] == ["tcp", "udp"]
    assert scenario["keying_modules"] == ["ike"]
    assert validate({"state": "ABSENT"}).declaration["state"] == "absent"


@pytest.mark.parametrize(
    ("port", "normalised"),
    [
        (5000, {"port": 5000, "protocol": "tcp"}),
        ("5000-5010", {"port": 5000, "port_end": 5010, "protocol": "tcp"}),
        (" 5000 - 5010 ", {"port": 5000, "port_end": 5010, "protocol": "tcp"}),
        ("5000-5000", {"port": 5000, "protocol": "tcp"}),
    ],
)
def test_port_ranges_are_normalised(port: Any, normalised: dict[str, Any]) -> None:
    scenario = validate(ge(required_ports=[{"port": port}])).declaration["scenario"]
    assert scenario["guaranteed_encryption"]["required_ports"] == [normalised]


def test_a_range_overlapping_a_port_is_a_duplicate() -> None:
    problems = _problems(ge(required_ports=[{"port": "5000-5010"}], exempt_ports=[{"port": 5005}]))
    assert problems == [
        "scenario.guaranteed_encryption.exempt_ports[0]: tcp/5005 is already declared at "
        "required_ports[0]; a port cannot be both; remove one"
    ]
    assert validate(ge(required_ports=[{"port": "5000-5010"}, {"port": 5011}]))


# ---- port lists written short, as -e key=value, AWX survey text fields and templates give them --


@pytest.mark.parametrize(
    ("written", "ports"),
    [
        ("8443", [{"port": 8443, "protocol": "tcp"}]),
        (8443, [{"port": 8443, "protocol": "tcp"}]),
        (
            "8443, 5000-5010/UDP",
            [
                {"port": 8443, "protocol": "tcp"},
                {"port": 5000, "port_end": 5010, "protocol": "udp"},
            ],
        ),
        (
            ["8443/tcp", 53, {"port": "9000", "protocol": "udp"}],
            [
                {"port": 8443, "protocol": "tcp"},
                {"port": 53, "protocol": "tcp"},
                {"port": 9000, "protocol": "udp"},
            ],
        ),
        (["8443,9443"], [{"port": 8443, "protocol": "tcp"}, {"port": 9443, "protocol": "tcp"}]),
        ('[{"port": 8443, "protocol": "udp"}]', [{"port": 8443, "protocol": "udp"}]),
        ("[]", []),
    ],
    ids=["text", "number", "text-list", "mixed-list", "text-in-list", "json-text", "json-empty"],
)
def test_port_lists_may_be_written_short(written: Any, ports: list[dict[str, Any]]) -> None:
    declared = validate(ge(required_ports=written)).declaration["scenario"]
    assert declared["guaranteed_encryption"]["required_ports"] == ports


def test_every_port_list_of_every_scenario_may_be_written_short() -> None:
    declared = validate(ge(required_ports="8443", exempt_ports="5985-5986")).declaration
    assert declared["scenario"]["guaranteed_encryption"]["exempt_ports"] == [
        {"port": 5985, "port_end": 5986, "protocol": "tcp"}
    ]
    authorized = validate(
        {
            "scenario": {
                "remote_identity_authorization": {
                    "authorized_ports": "3389/TCP",
                    "remote_machine_sddl": "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-515)",
                    "extended_mode": {"authentication": [{"method": "kerberos"}]},
                }
            }
        }
    ).declaration["scenario"]["remote_identity_authorization"]
    assert authorized["authorized_ports"] == [{"port": 3389, "protocol": "tcp"}]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "",
            "required_ports: is empty; list ports such as 8443, 5000-5010/udp, or give [] for none",
        ),
        (" , ", "required_ports: is empty; list ports such as 8443, 5000-5010/udp"),
        ("8443,,9443", "required_ports[1]: is an empty list item; give a port or remove the comma"),
        ("/udp", "required_ports[0]: '/udp' names no port; write PORT or PORT/PROTOCOL"),
        ("8443/sctp", "required_ports[0].protocol: 'sctp' is not valid; use one of ['tcp', 'udp']"),
        ("https", "required_ports[0].port: 'https' is not a port"),
        ("8443/tcp/x", "required_ports[0]: '8443/tcp/x' is not PORT or PORT/PROTOCOL"),
        ('[{"port": 8443', "required_ports: looks like JSON but is not"),
    ],
    ids=[
        "empty",
        "blank-entries",
        "double-comma",
        "no-port",
        "protocol",
        "name",
        "two-slashes",
        "bad-json",
    ],
)
def test_short_port_lists_that_mean_nothing_are_refused(written: str, expected: str) -> None:
    problems = _problems(ge(required_ports=written))
    assert len(problems) == 1, problems
    assert problems[0].startswith("scenario.guaranteed_encryption." + expected), problems


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 65535),
            st.integers(0, 20),
            st.sampled_from(["tcp", "udp", "TCP", "Udp"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda entry: entry[0],
    )
)
def test_a_short_port_list_means_its_long_form(
    entries: list[tuple[int, int, str, bool]],
) -> None:
    """The text an operator types (`8443, 5000-5010/udp`) declares what the mappings do."""
    spans = sorted(
        {
            (low, min(low + width, 65535), protocol.lower() if named else "tcp", named)
            for low, width, protocol, named in entries
        }
    )
    # keep the spans disjoint per protocol, or both forms are (equally) refused as duplicates
    kept: list[tuple[int, int, str, bool]] = []
    for span in spans:
        if all(span[2] != other[2] or span[0] > other[1] for other in kept):
            kept.append(span)
    text = ", ".join(
        (f"{low}" if high == low else f"{low}-{high}") + (f"/{protocol.upper()}" if named else "")
        for low, high, protocol, named in kept
    )
    mappings = [
        {"port": f"{low}-{high}", **({"protocol": protocol} if named else {})}
        for low, high, protocol, named in kept
    ]
    short = validate(ge(required_ports=text)).declaration
    long = validate(ge(required_ports=mappings)).declaration
    assert short == long


def test_management_port_ranges_expand() -> None:
    declaration = validate(dict(ge(), management_ports=["2222-2224", "8443"])).declaration
    assert declaration["management_ports"] == [2222, 2223, 2224, 8443]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ge(keying_module=["ike"]),
            "scenario.guaranteed_encryption.keying_module: unknown option 'keying_module'; "
            "did you mean 'keying_modules'? (valid options here: dhcp_exemption, dns_exemption, "
            "exempt_addresses, exempt_ports, extended_mode, filter_sublayer, icmp_exemption, "
            "ike_exemption, ip_versions, keying_modules, main_mode, quick_mode, "
            "recv_accept_raw_context, required_ports)",
        ),
        (
            {"scenario": None, "guaranteed_encryption": {"required_ports": []}},
            "guaranteed_encryption: unknown option 'guaranteed_encryption'; it belongs under "
            "scenario (check the indentation) (valid options here: adopt_provider, "
            "allow_management_lockout, confirm_timeout, management_ports, objects, persistent, "
            "provider, role_variables, scenario, shadow_check, state, sublayer)",
        ),
        ({"persistent": "maybe"}, "persistent: 'maybe' is not true or false"),
        (
            {"sublayer": {"weight": "heavy"}},
            "sublayer.weight: 'heavy' is not a whole number; write a number such as 8443",
        ),
        ({"sublayer": {"weight": True}}, "sublayer.weight: True is not a whole number"),
        (
            {"scenario": "guaranteed_encryption"},
            "scenario: 'guaranteed_encryption' is not a mapping",
        ),
        (
            ge(required_ports=[True]),
            "scenario.guaranteed_encryption.required_ports[0]: True is not a mapping",
        ),
        ({"provider": {"name": {"a": 1}}}, "provider.name: {'a': 1} is not a string"),
    ],
)
def test_type_errors_name_the_option_and_the_fix(arguments: dict[str, Any], expected: str) -> None:
    problems = _problems(arguments)
    assert any(p.startswith(expected) for p in problems), problems
    assert not any("is not of type" in p for p in problems)


# ---- mistakes never destroy anything ---------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"scenario": None},
        {"scenario": {}},
        {"scenario": {"guaranteed_encryption": None}},
        {"objects": {"filters": []}},
        {"state": "present", "persistent": True},
    ],
)
def test_a_declaration_of_nothing_is_refused(arguments: dict[str, Any]) -> None:
    problems = _problems(arguments)
    assert len(problems) == 1
    assert problems[0].startswith("nothing is declared")
    assert "set state: absent" in problems[0]


def test_required_ports_must_be_named() -> None:
    problems = _problems({"scenario": {"guaranteed_encryption": {}}})
    assert problems == [
        "scenario.guaranteed_encryption.required_ports: is required; name the ports that must be "
        "encrypted (for example [{port: 8443}]), or [] to require encryption on no port"
    ]
    assert validate({"scenario": {"guaranteed_encryption": {"required_ports": []}}})


# ---- no input ever raises anything but DeclarationError -------------------------------------


def nested(depth: int) -> Any:
    value: Any = "x"
    for _level in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"provider": {"key": "11111111-2222-3333-4444-555555555555\n"}}, "provider.key"),
        ({"sublayer": {"key": "{11111111-2222-3333-4444-555555555555}\nx"}}, "sublayer.key"),
        ({"provider": {"description": nested(900)}}, "provider.description.a.a"),
        ({1: "x", "state": "absent"}, ""),
        ({"sublayer": {"weight": "1e400"}}, "sublayer.weight"),
        ({"sublayer": {"weight": float("inf")}}, "sublayer.weight"),
        ({"sublayer": {"weight": "Infinity"}}, "sublayer.weight"),
        ({"scenario": "{" * 5000}, "scenario"),
        (
            ge(required_ports=[{"port": None}]),
            "scenario.guaranteed_encryption.required_ports[0].port",
        ),
        ({"objects": {"filters": [{"key": "nope"}]}}, "objects.filters[0]"),
    ],
)
def test_hostile_input_is_a_problem_not_a_traceback(arguments: Any, path: str) -> None:
    problems = _problems(arguments)
    assert problems and any(p.startswith(path) for p in problems), problems


def test_hostile_input_is_a_problem_not_a_traceback_for_a_non_mapping() -> None:
    assert _problems(["state", "absent"])  # type: ignore[arg-type]


def test_a_pre_shared_key_never_appears_in_a_problem() -> None:
    secret = "s3cr3t-psk"
    arguments = ge(
        keying_modules=["ike"],
        main_mode={"authentication": [{"method": "preshared_key", "key": secret}]},
        exempt_ports=[{"port": secret}],
    )
    problems = _problems(arguments)
    assert problems and all(secret not in p for p in problems)
    wrong_type = ge(main_mode={"authentication": [{"method": "preshared_key", "key": [secret]}]})
    assert all(secret not in p for p in _problems(wrong_type))


LONG_SECRET = "Fragment-0d9c7a-" + "x" * 40 + "-tail-5e21"


@pytest.mark.parametrize(
    "main_mode",
    [
        {"authentication": {"method": "preshared_key", "key": LONG_SECRET}},
        {"authentication": {"method": "PreShared_Key", "key": LONG_SECRET}},
        {"authentication": [{"method": "preshared_key", "key": LONG_SECRET, "extra": 1}]},
        {"authentication": [[{"method": "preshared_key", "key": LONG_SECRET}]]},
        {"authentication": [{"method": "certificate", "key": LONG_SECRET}]},
    ],
    ids=["dict-not-list", "method-case", "unknown-member", "nested-list", "wrong-method"],
)
def test_no_part_of_a_pre_shared_key_appears_in_a_problem(main_mode: dict[str, Any]) -> None:
    """Messages shorten long values (head ... tail): the tail must not carry the key."""
    problems = _problems(ge(keying_modules=["ike"], main_mode=main_mode))
    fragments = [LONG_SECRET[i : i + 8] for i in range(len(LONG_SECRET) - 7)]
    assert problems
    assert not [p for p in problems if any(part in p for part in fragments)], problems


def test_raw_object_symbols_accept_any_case() -> None:
    lower = {
        "name": "block telnet",
        "layer_key": "fwpm_layer_ale_auth_recv_accept_v4",
        "action": {"type": "fwp_action_block"},
        "conditions": [
            {
                "field_key": "FWPM_Condition_IP_Local_Port",
                "match_type": "fwp_match_equal",
                "value": {"type": "fwp_uint16", "value": 23},
            }
        ],
    }
    upper = {
        "name": "block telnet",
        "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
        "action": {"type": "FWP_ACTION_BLOCK"},
        "conditions": [
            {
                "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT16", "value": 23},
            }
        ],
    }
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand

    assert expand(validate({"objects": {"filters": [lower]}}).declaration) == expand(
        validate({"objects": {"filters": [upper]}}).declaration
    )


# ---- generated input: any option value ends in problems or a declaration, never a crash ------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["5555", "5000-5010", "TCP", "ike", "yes", "1e400", "{", "a=b", "\n"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["port", "protocol", "key", "name"]), st.integers()),
            children,
            max_size=3,
        ),
    ),
    max_leaves=12,
)
_PATHS = [
    ("state",),
    ("persistent",),
    ("provider", "key"),
    ("provider", "description"),
    ("sublayer", "weight"),
    ("scenario",),
    ("scenario", "guaranteed_encryption", "keying_modules"),
    ("scenario", "guaranteed_encryption", "required_ports"),
    ("scenario", "guaranteed_encryption", "main_mode", "authentication"),
    ("scenario", "guaranteed_encryption", "quick_mode", "lifetime"),
    ("objects", "filters"),
    ("management_ports",),
]


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(_PATHS), value=_VALUES)
def test_any_option_value_is_a_declaration_or_problems(path: tuple[str, ...], value: Any) -> None:
    arguments: dict[str, Any] = ge()
    node = arguments
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    try:
        validate(arguments)
    except DeclarationError as error:
        assert error.problems and all(str(p) for p in error.problems)


def test_a_partial_quick_mode_lifetime_keeps_the_other_defaults() -> None:
    declaration = validate(ge(quick_mode={"lifetime": {"seconds": "7200"}})).declaration
    lifetime = declaration["scenario"]["guaranteed_encryption"]["quick_mode"]["lifetime"]
    assert lifetime == {"seconds": 7200, "kilobytes": 100000, "packets": 2147483647}
    assert validate(ge(quick_mode={"lifetime": {}}))
