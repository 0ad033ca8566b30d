"""Deterministic keys and the builder that stamps our provider, sublayer and persistence.

Every key the collection derives is a UUIDv5: the provider's from the collection namespace and
the provider name, every other one from the provider key and a logical object name (e.g.
`guaranteed_encryption/v4/recv_accept/unicast`). The same declaration gives the same keys on
every run and every host; two providers never collide.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any, Final

from ..model import LIST_NAMES, PERSISTENT_FLAG, Obj, State, empty_state

# Namespace of every key the collection derives (UUIDv5 of the collection's name).
COLLECTION_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "ansible-collection:wfp.ipsec")

DEFAULT_PROVIDER_NAME: Final = "wfp.ipsec"
DEFAULT_SUBLAYER_WEIGHT: Final = 0x8001  # just above FWPM_SUBLAYER_UNIVERSAL (0x8000)


# Pure: cached per process. The policy action's warm-up fills the cache in the controller's
# main process before Ansible forks a worker per host (docs/performance.md).
@lru_cache(maxsize=8192)
def derived_key(namespace: str | uuid.UUID, logical_name: str) -> str:
    """UUIDv5 of a namespace (collection or provider key) and a logical object name."""
    base = namespace if isinstance(namespace, uuid.UUID) else uuid.UUID(namespace)
    return str(uuid.uuid5(base, logical_name))


def provider_key_of(declaration: dict[str, Any]) -> str:
    provider = declaration.get("provider") or {}
    if provider.get("key"):
        return str(uuid.UUID(provider["key"]))
    return derived_key(
        COLLECTION_NAMESPACE, "provider/" + (provider.get("name") or DEFAULT_PROVIDER_NAME)
    )


def sublayer_key_of(declaration: dict[str, Any]) -> str:
    sublayer = declaration.get("sublayer") or {}
    if sublayer.get("key"):
        return str(uuid.UUID(sublayer["key"]))
    return derived_key(provider_key_of(declaration), "sublayer")


class Builder:
    """Collects the desired objects with the shared fields filled in."""

    def __init__(self, declaration: dict[str, Any]) -> None:
        self.provider_key = provider_key_of(declaration)
        self.sublayer_key = sublayer_key_of(declaration)
        self.persistent = bool(declaration.get("persistent", True))
        self.prefix = (
            (declaration.get("provider") or {}).get("name") or DEFAULT_PROVIDER_NAME
        ) + " "
        self.state: State = empty_state()

    def flags(self, object_type: str, *extra: str) -> list[str]:
        flags = list(extra)
        if self.persistent:
            flags.append(PERSISTENT_FLAG[object_type])
        return flags

    def add(self, object_type: str, obj: Obj) -> Obj:
        obj.setdefault("description", None)
        obj.setdefault("provider_data", None)
        obj.setdefault("flags", self.flags(object_type))
        if object_type != "provider":
            obj.setdefault("provider_key", self.provider_key)
        self.state[LIST_NAMES[object_type]].append(obj)
        return obj

    def key(self, logical_name: str) -> str:
        return derived_key(self.provider_key, logical_name)
