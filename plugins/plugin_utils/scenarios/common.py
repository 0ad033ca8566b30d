"""Options every transport-family scenario shares: defaults and semantic checks.

Their spec (types, choices) is the DOCUMENTATION of plugins/modules/policy.py (options layer).
"""

from __future__ import annotations

import ipaddress
from array import array
from typing import Any, Final

from .. import crypto
from . import exemptions
from .base import Findings

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
    "ike": {
        "kerberos",
        "certificate",
        "certificate_ecdsa_p256",
        "certificate_ecdsa_p384",
        "preshared_key",
    },
    "authip": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
    "ikev2": {"certificate", "certificate_ecdsa_p256", "certificate_ecdsa_p384"},
    "extended_mode": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
}
_MODULE_OWNERS: Final = {"ike": "IKE", "authip": "AuthIP", "ikev2": "IKEv2"}


def _auth(
    findings: Findings, methods: list[dict[str, Any]], allowed: set[str], owner: str, path: str
) -> None:
    for index, method in enumerate(methods):
        name = method["method"]
        if name not in allowed:
            findings.add(
                f"{path}[{index}].method",
                f"{owner} does not support {name}; use one of {sorted(allowed)}",
            )
        needed = "root_subjects" if name in crypto.CERTIFICATE_METHODS else None
        needed = "key" if name == "preshared_key" else needed
        if needed and not method.get(needed):
            findings.add(
                f"{path}[{index}].{needed}", f"is required with method {name}; set {needed}"
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


_PORTS: Final = 65535


def _span(entry: dict[str, Any]) -> tuple[int, int]:
    return entry["port"], entry.get("port_end") or entry["port"]


def check_ports(
    merged: dict[str, Any], path: str, findings: Findings, lists: tuple[str, ...]
) -> None:
    """A reversed range, a port listed twice (or in two lists), a port range that overlaps.

    Each entry is named against the first earlier entry it overlaps. The entries are indexed
    by port per protocol (`_PortOwners`), so a long list costs time in proportion to its length,
    not to its square (a template that expands to tens of thousands of ports)."""
    owners: dict[str, _PortOwners] = {}
    seen: list[tuple[str, str]] = []  # (where, option) by entry number
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
            ports = owners.get(protocol)
            if ports is None:
                ports = owners[protocol] = _PortOwners()
            first = ports.first_owner(low, high)
            if first is not None:
                other_where, other_option = seen[first]
                fix = (
                    "remove one" if other_option == option else "a port cannot be both; remove one"
                )
                findings.add(
                    f"{path}.{where}",
                    f"{protocol}/{low if low == high else f'{low}-{high}'} is already declared at {other_where}; {fix}",
                )
            ports.claim(low, high, len(seen))
            seen.append((where, option))


class _PortOwners:
    """For one protocol, the first entry that covers each port (0-65535).

    Owners only ever go to ports that have none, in increasing entry order, so the first entry
    overlapping a span is the smallest owner in it. Block minimums make that a few C-speed slices;
    `_next_free` (path-halving union-find) skips owned ports, so each port is claimed once."""

    _BLOCK: Final = 256
    _NONE: Final = 1 << 62

    def __init__(self) -> None:
        size = _PORTS + 1
        self._owner = array("q", [self._NONE]) * size
        self._block_min = array("q", [self._NONE]) * (size // self._BLOCK + 1)
        self._next_free = list(range(size + 1))

    def first_owner(self, low: int, high: int) -> int | None:
        block, owner = self._BLOCK, self._owner
        low_block, high_block = low // block, high // block
        if low_block == high_block:
            first = min(owner[low : high + 1])
        else:  # the partial blocks at both ends, and the whole blocks between them
            first = min(
                *owner[low : (low_block + 1) * block],
                *owner[high_block * block : high + 1],
                *self._block_min[low_block + 1 : high_block],
            )
        return None if first == self._NONE else first

    def claim(self, low: int, high: int, entry: int) -> None:
        port = self._free_from(low)
        while port <= high:
            self._owner[port] = entry
            self._block_min[port // self._BLOCK] = min(self._block_min[port // self._BLOCK], entry)
            self._next_free[port] = port + 1
            port = self._free_from(port + 1)

    def _free_from(self, port: int) -> int:
        nxt = self._next_free
        while nxt[port] != port:
            nxt[port] = nxt[nxt[port]]
            port = nxt[port]
        return port


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
