"""Options every scenario shares: their JSON Schema, defaults and semantic checks."""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from .. import crypto
from . import exemptions
from .base import Findings

NULL: Final = {"type": "null"}
EMPTY_OBJECT: Final = {"type": "object", "maxProperties": 0}
UINT32: Final = {"type": "integer", "minimum": 0, "maximum": 0xFFFFFFFF}
POSITIVE_UINT32: Final = {"type": "integer", "minimum": 1, "maximum": 0xFFFFFFFF}


def names(table: dict[str, Any]) -> list[str]:
    return sorted(table)


def obj(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [NULL, schema]}


AUTH_METHOD: Final = obj(
    {
        "method": {"enum": names(crypto.AUTH_METHODS)},
        "key": {"type": "string", "minLength": 1},
        "root_subjects": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "trust": {"enum": names(crypto.CERT_CONFIGS)},
        "disable_crl_check": {"type": "boolean"},
    },
    ("method",),
    allOf=[
        {
            "if": {"properties": {"method": {"const": "preshared_key"}}},
            "then": {"required": ["key"]},
        },
        {
            "if": {"properties": {"method": {"const": "certificate"}}},
            "then": {"required": ["root_subjects"]},
        },
    ],
)
_PORT_NUMBER: Final = {"type": "integer", "minimum": 1, "maximum": 65535}
PORTS: Final = {
    "type": "array",
    "items": obj(
        {"port": _PORT_NUMBER, "port_end": _PORT_NUMBER, "protocol": {"enum": ["tcp", "udp"]}},
        ("port",),
    ),
}
MAIN_MODE: Final = nullable(
    obj(
        {
            "proposals": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "encryption": {"enum": names(crypto.MM_CIPHERS)},
                        "integrity": {"enum": names(crypto.MM_INTEGRITY)},
                        "dh_group": {"enum": names(crypto.DH_GROUPS)},
                        "quick_mode_limit": UINT32,
                    },
                    ("encryption", "integrity", "dh_group"),
                ),
            },
            "lifetime_seconds": {"type": "integer", "minimum": 60, "maximum": 0xFFFFFFFF},
            "authentication": {"type": "array", "minItems": 1, "items": AUTH_METHOD},
        }
    )
)
QUICK_MODE: Final = nullable(
    obj(
        {
            "proposals": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "protocol": {"enum": ["esp", "ah"]},
                        "encryption": {"enum": names(crypto.QM_ENCRYPTION)},
                        "integrity": {"enum": names(crypto.QM_INTEGRITY)},
                    },
                    anyOf=[{"required": ["encryption"]}, {"required": ["integrity"]}],
                ),
            },
            "lifetime": obj(
                {
                    "seconds": POSITIVE_UINT32,
                    "kilobytes": POSITIVE_UINT32,
                    "packets": POSITIVE_UINT32,
                }
            ),
            "pfs_group": {"enum": names(crypto.PFS_GROUPS)},
            "nd_allow_clear_timeout_seconds": UINT32,
            "idle_timeout_seconds": UINT32,
            "idle_timeout_fail_over_seconds": UINT32,
        }
    )
)
# An empty dict also means "no extended mode" (what the roles pass by default).
EXTENDED_MODE: Final = {
    "anyOf": [
        NULL,
        EMPTY_OBJECT,
        obj(
            {
                "authentication": {"type": "array", "minItems": 1, "items": AUTH_METHOD},
                "impersonation": {"enum": names(crypto.IMPERSONATION)},
            },
            ("authentication",),
        ),
    ]
}


def unique_list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items, "minItems": 1, "uniqueItems": True}


def schema(
    keying_modules: list[str], required: tuple[str, ...] = (), **particular: Any
) -> dict[str, Any]:
    """The options of a transport-family scenario: shared ones plus `particular`."""
    return obj(
        {
            "keying_modules": unique_list({"enum": keying_modules}),
            "ip_versions": unique_list({"enum": [4, 6]}),
            "icmp_exemption": {"type": "boolean"},
            "ike_exemption": {"type": "boolean"},
            "dhcp_exemption": {"type": "boolean"},
            "dns_exemption": {"type": "boolean"},
            "exempt_addresses": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "exempt_ports": PORTS,
            "filter_sublayer": {"enum": ["ours", "universal"]},
            "main_mode": MAIN_MODE,
            "quick_mode": QUICK_MODE,
            "extended_mode": EXTENDED_MODE,
            **particular,
        },
        required,
    )


# Defaults shared by the transport family (Guaranteed Encryption's, unchanged).
DEFAULTS: Final[dict[str, Any]] = {
    "keying_modules": ["authip", "ike"],
    "ip_versions": [4, 6],
    **exemptions.DEFAULTS,
    "filter_sublayer": "ours",
    "main_mode": {
        "proposals": [
            {"encryption": "aes256", "integrity": "sha256", "dh_group": "dh14"},
            {"encryption": "aes128", "integrity": "sha256", "dh_group": "ecp256"},
        ],
        "lifetime_seconds": 28800,
        "authentication": [{"method": "kerberos"}],
    },
    "quick_mode": {
        "proposals": [
            {"protocol": "esp", "encryption": "aes_gcm256"},
            {"protocol": "esp", "encryption": "aes256", "integrity": "sha256"},
            {"protocol": "esp", "encryption": "aes128", "integrity": "sha256"},
        ],
        "lifetime": {"seconds": 3600, "kilobytes": 100000, "packets": 2147483647},
        "pfs_group": "none",
        "nd_allow_clear_timeout_seconds": 10,
        "idle_timeout_seconds": 300,
        "idle_timeout_fail_over_seconds": 60,
    },
    "extended_mode": None,
}

# Authentication methods each keying module (and AuthIP extended mode) accepts (Microsoft's
# IKEEXT_AUTHENTICATION_METHOD_TYPE: "Available only for IKE", "... for IKE and IKEv2", ...).
ALLOWED_AUTH: Final = {
    "ike": {"kerberos", "certificate", "preshared_key"},
    "authip": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
    "ikev2": {"certificate"},
    "extended_mode": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
}
_MODULE_OWNERS: Final = {"ike": "IKE", "authip": "AuthIP", "ikev2": "IKEv2"}


def _auth(
    findings: Findings, methods: list[dict[str, Any]], allowed: set[str], owner: str, path: str
) -> None:
    for index, method in enumerate(methods):
        if method["method"] not in allowed:
            findings.add(
                f"{path}[{index}].method",
                f"{owner} does not support {method['method']}; use one of {sorted(allowed)}",
            )


def check(
    merged: dict[str, Any],
    path: str,
    findings: Findings,
    port_lists: tuple[str, ...] = ("exempt_ports",),
) -> None:
    """Checks every transport-family scenario shares (`port_lists`: its port options)."""
    modules = merged["keying_modules"]
    for module in modules:
        _auth(
            findings,
            merged["main_mode"]["authentication"],
            ALLOWED_AUTH[module],
            f"{_MODULE_OWNERS[module]} main mode",
            f"{path}.main_mode.authentication",
        )
    if merged.get("extended_mode"):
        if "authip" not in modules:
            findings.add(
                f"{path}.extended_mode",
                "extended mode is an AuthIP feature; add authip to keying_modules or remove extended_mode",
            )
        _auth(
            findings,
            merged["extended_mode"]["authentication"],
            ALLOWED_AUTH["extended_mode"],
            "AuthIP extended mode",
            f"{path}.extended_mode.authentication",
        )
    for index, proposal in enumerate(merged["quick_mode"]["proposals"]):
        encryption = proposal.get("encryption")
        if (
            proposal.get("protocol", "esp") == "esp"
            and encryption is not None
            and proposal.get("integrity") is None
            and not encryption.startswith("aes_gcm")
        ):
            findings.add(
                f"{path}.quick_mode.proposals[{index}]",
                "ESP encryption without integrity is not allowed; add integrity (e.g. sha256) or use aes_gcm*",
            )
    for index, text in enumerate(merged["exempt_addresses"]):
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            findings.add(
                f"{path}.exempt_addresses[{index}]",
                f"{text!r} is not an IP address or prefix; use e.g. 10.0.0.10 or 10.1.0.0/16",
            )
    check_ports(merged, path, findings, port_lists)
    weak = weak_choices(merged)
    if weak:
        findings.warnings.append(
            f"{path}: weak cryptography declared ({', '.join(sorted(weak))}); prefer aes256/sha256/dh14"
        )


def _span(entry: dict[str, Any]) -> tuple[int, int]:
    return entry["port"], entry.get("port_end") or entry["port"]


def check_ports(
    merged: dict[str, Any], path: str, findings: Findings, lists: tuple[str, ...]
) -> None:
    """A reversed range, a port listed twice (or in two lists), a port range that overlaps."""
    seen: list[tuple[str, tuple[int, int], str, str]] = []
    for option in lists:
        for index, entry in enumerate(merged[option]):
            where = f"{option}[{index}]"
            low, high = _span(entry)
            if high < low:
                findings.add(
                    f"{path}.{where}.port_end", f"{high} is below port {low}; use port_end >= port"
                )
                continue
            protocol = entry.get("protocol", "tcp")
            for other_protocol, (other_low, other_high), other_where, other_option in seen:
                if protocol == other_protocol and low <= other_high and other_low <= high:
                    fix = (
                        "remove one"
                        if other_option == option
                        else "a port cannot be both; remove one"
                    )
                    findings.add(
                        f"{path}.{where}",
                        f"{protocol}/{low if low == high else f'{low}-{high}'} is already declared at {other_where}; {fix}",
                    )
                    break
            seen.append((protocol, (low, high), where, option))


def weak_choices(merged: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for proposal in merged["main_mode"]["proposals"]:
        values |= {proposal["encryption"], proposal["integrity"], proposal["dh_group"]}
    for proposal in merged["quick_mode"]["proposals"]:
        values |= {proposal.get("encryption") or "", proposal.get("integrity") or ""}
    values.add(merged["quick_mode"]["pfs_group"])
    return values & crypto.WEAK


def check_encrypts(merged: dict[str, Any], path: str, findings: Findings, why: str) -> None:
    """Every quick-mode proposal must be ESP with encryption (a scenario that guarantees it)."""
    for index, proposal in enumerate(merged["quick_mode"]["proposals"]):
        if proposal.get("protocol", "esp") == "ah" or proposal.get("encryption") is None:
            findings.add(
                f"{path}.quick_mode.proposals[{index}]",
                f"does not encrypt; {why} needs every quick-mode proposal to be ESP "
                "with encryption (e.g. {protocol: esp, encryption: aes_gcm256})",
            )
