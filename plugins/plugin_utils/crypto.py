"""Friendly crypto and authentication names of the declaration -> canonical policy parts.

Operators write `aes256`, `sha256`, `dh14`, `kerberos`; the canonical form carries the
IKEEXT_*/IPSEC_* symbols. Each table is the single place a friendly name is defined.
"""

from __future__ import annotations

from typing import Any, Final

MM_CIPHERS: Final = {
    "des": "IKEEXT_CIPHER_DES",
    "3des": "IKEEXT_CIPHER_3DES",
    "aes128": "IKEEXT_CIPHER_AES_128",
    "aes192": "IKEEXT_CIPHER_AES_192",
    "aes256": "IKEEXT_CIPHER_AES_256",
    "aes_gcm128": "IKEEXT_CIPHER_AES_GCM_128_16ICV",
    "aes_gcm256": "IKEEXT_CIPHER_AES_GCM_256_16ICV",
}
MM_INTEGRITY: Final = {
    "md5": "IKEEXT_INTEGRITY_MD5",
    "sha1": "IKEEXT_INTEGRITY_SHA1",
    "sha256": "IKEEXT_INTEGRITY_SHA_256",
    "sha384": "IKEEXT_INTEGRITY_SHA_384",
}
DH_GROUPS: Final = {
    "none": "IKEEXT_DH_GROUP_NONE",
    "dh1": "IKEEXT_DH_GROUP_1",
    "dh2": "IKEEXT_DH_GROUP_2",
    "dh14": "IKEEXT_DH_GROUP_14",
    "ecp256": "IKEEXT_DH_ECP_256",
    "ecp384": "IKEEXT_DH_ECP_384",
    "dh24": "IKEEXT_DH_GROUP_24",
}
PFS_GROUPS: Final = {
    "none": "IPSEC_PFS_NONE",
    "dh1": "IPSEC_PFS_1",
    "dh2": "IPSEC_PFS_2",
    "dh14": "IPSEC_PFS_14",
    "ecp256": "IPSEC_PFS_ECP_256",
    "ecp384": "IPSEC_PFS_ECP_384",
    "mm": "IPSEC_PFS_MM",
    "dh24": "IPSEC_PFS_24",
}
# ESP/AH integrity: (IPSEC_AUTH_TYPE, IPSEC_AUTH_CONFIG).
QM_INTEGRITY: Final = {
    "md5": ("IPSEC_AUTH_MD5", "IPSEC_AUTH_CONFIG_HMAC_MD5_96"),
    "sha1": ("IPSEC_AUTH_SHA_1", "IPSEC_AUTH_CONFIG_HMAC_SHA_1_96"),
    "sha256": ("IPSEC_AUTH_SHA_256", "IPSEC_AUTH_CONFIG_HMAC_SHA_256_128"),
    "aes_gmac128": ("IPSEC_AUTH_AES_128", "IPSEC_AUTH_CONFIG_GCM_AES_128"),
    "aes_gmac192": ("IPSEC_AUTH_AES_192", "IPSEC_AUTH_CONFIG_GCM_AES_192"),
    "aes_gmac256": ("IPSEC_AUTH_AES_256", "IPSEC_AUTH_CONFIG_GCM_AES_256"),
}
# ESP encryption: (IPSEC_CIPHER_TYPE, IPSEC_CIPHER_CONFIG, integrity implied by a GCM cipher).
QM_ENCRYPTION: Final = {
    "des": ("IPSEC_CIPHER_TYPE_DES", "IPSEC_CIPHER_CONFIG_CBC_DES", None),
    "3des": ("IPSEC_CIPHER_TYPE_3DES", "IPSEC_CIPHER_CONFIG_CBC_3DES", None),
    "aes128": ("IPSEC_CIPHER_TYPE_AES_128", "IPSEC_CIPHER_CONFIG_CBC_AES_128", None),
    "aes192": ("IPSEC_CIPHER_TYPE_AES_192", "IPSEC_CIPHER_CONFIG_CBC_AES_192", None),
    "aes256": ("IPSEC_CIPHER_TYPE_AES_256", "IPSEC_CIPHER_CONFIG_CBC_AES_256", None),
    "aes_gcm128": ("IPSEC_CIPHER_TYPE_AES_128", "IPSEC_CIPHER_CONFIG_GCM_AES_128", "aes_gmac128"),
    "aes_gcm192": ("IPSEC_CIPHER_TYPE_AES_192", "IPSEC_CIPHER_CONFIG_GCM_AES_192", "aes_gmac192"),
    "aes_gcm256": ("IPSEC_CIPHER_TYPE_AES_256", "IPSEC_CIPHER_CONFIG_GCM_AES_256", "aes_gmac256"),
}
WEAK: Final = frozenset({"des", "3des", "md5", "dh1", "dh2"})
IMPERSONATION: Final = {
    "none": "IKEEXT_IMPERSONATION_NONE",
    "socket_principal": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL",
}
CERT_CONFIGS: Final = {
    "explicit_trust_list": "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST",
    "enterprise_store": "IKEEXT_CERT_CONFIG_ENTERPRISE_STORE",
    "trusted_root_store": "IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE",
}
AUTH_METHODS: Final = {
    "kerberos": "IKEEXT_KERBEROS",
    "certificate": "IKEEXT_CERTIFICATE",
    "certificate_ecdsa_p256": "IKEEXT_CERTIFICATE_ECDSA_P256",
    "certificate_ecdsa_p384": "IKEEXT_CERTIFICATE_ECDSA_P384",
    "preshared_key": "IKEEXT_PRESHARED_KEY",
    "ntlm_v2": "IKEEXT_NTLM_V2",
    "anonymous": "IKEEXT_ANONYMOUS",
}


# Declared certificate methods: RSA, and ECDSA P-256 / P-384 ("available only for IKE and IKEv2",
# IKEEXT_AUTHENTICATION_METHOD_TYPE); all fill IKEEXT_CERTIFICATE_AUTHENTICATION2.
CERTIFICATE_METHODS: Final = frozenset(
    {"certificate", "certificate_ecdsa_p256", "certificate_ecdsa_p384"}
)


def mm_proposal(proposal: dict[str, Any], lifetime_seconds: int) -> dict[str, Any]:
    return {
        "cipher": MM_CIPHERS[proposal["encryption"]],
        "integrity": MM_INTEGRITY[proposal["integrity"]],
        "dh_group": DH_GROUPS[proposal["dh_group"]],
        "max_lifetime_seconds": lifetime_seconds,
        "quick_mode_limit": proposal.get("quick_mode_limit", 0),
    }


def qm_transform(proposal: dict[str, Any]) -> dict[str, Any]:
    """One IPsec SA transform from {protocol, encryption, integrity}."""
    protocol = proposal.get("protocol", "esp")
    encryption = proposal.get("encryption")
    integrity = proposal.get("integrity")
    if encryption is not None:
        cipher_type, cipher_config, gcm_integrity = QM_ENCRYPTION[encryption]
        integrity = gcm_integrity or integrity
    cipher = None if encryption is None else {"type": cipher_type, "config": cipher_config}
    auth = (
        None
        if integrity is None
        else dict(zip(("type", "config"), QM_INTEGRITY[integrity], strict=True))
    )
    if protocol == "ah":
        return {"type": "IPSEC_TRANSFORM_AH", "auth": auth}
    if cipher and auth:
        return {"type": "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER", "auth": auth, "cipher": cipher}
    if cipher:
        return {"type": "IPSEC_TRANSFORM_ESP_CIPHER", "cipher": cipher}
    return {"type": "IPSEC_TRANSFORM_ESP_AUTH", "auth": auth}


def transform_encrypts(transform: dict[str, Any]) -> bool:
    return transform.get("cipher") is not None


def auth_method(method: dict[str, Any]) -> dict[str, Any]:
    """A canonical IKEEXT authentication method from its declaration."""
    kind = method["method"]
    result: dict[str, Any] = {"type": AUTH_METHODS[kind]}
    if kind in ("kerberos", "ntlm_v2"):
        result["flags"] = []
    elif kind == "preshared_key":
        result["key"] = method["key"]
    elif kind in CERTIFICATE_METHODS:
        config = CERT_CONFIGS[method.get("trust", "explicit_trust_list")]
        result.update(
            inbound_config=config,
            outbound_config=config,
            root_subjects=list(method.get("root_subjects") or []),
            flags=["IKEEXT_CERT_AUTH_FLAG_DISABLE_CRL_CHECK"]
            if method.get("disable_crl_check")
            else [],
        )
    return result
