"""Ownership the collection can prove (docs/ownership.md).

When the collection adds its provider it writes a fixed, versioned byte string into the
provider's `providerData` (FWPM_PROVIDER0.providerData). A provider that exists on a host without
that mark was made by someone else: the runner refuses to plan anything for it (and so to delete
or change any of its objects) unless the operator adopts it with `adopt_provider: true`.
Windows' built-in providers and sublayers and the all-zero GUID are refused always.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from . import catalogue
from ._catalogue_data import GUIDS
from .model import Obj, State
from .netsh import EXTRA_SYMBOLS  # symbols of newer SDKs (MPSSVC providers and sublayers)

#: The mark in our provider's providerData. Never change it: add a new version beside it.
OWNERSHIP_MARK: Final = b"wfp.ipsec/owned/v1"
#: Every mark this version recognises (older versions stay readable).
KNOWN_MARKS: Final = frozenset({OWNERSHIP_MARK})
ADOPT_OPTION: Final = "adopt_provider"

_BUILTIN_PREFIXES: Final = {"provider": "FWPM_PROVIDER_", "sublayer": "FWPM_SUBLAYER_"}


@cache
def _builtin_keys(prefix: str) -> dict[str, str]:
    """GUID -> symbol of Windows' own objects of one kind (the catalogue and newer SDKs)."""
    symbols = {**GUIDS, **EXTRA_SYMBOLS}
    return {
        guid: symbol
        for symbol, guid in symbols.items()
        if symbol.startswith(prefix) and not symbol.startswith("FWPM_PROVIDER_CONTEXT_")
    }


def builtin_symbol(kind: str, key: str) -> str | None:
    """The symbol when `key` is Windows' own provider/sublayer (or the all-zero GUID), else None."""
    if key == catalogue.NULL_GUID:
        return "the all-zero GUID (GUID_NULL)"
    return _builtin_keys(_BUILTIN_PREFIXES[kind]).get(key)


def mark_hex() -> str:
    """The mark as the canonical form stores providerData (lower-case hex)."""
    return OWNERSHIP_MARK.hex()


def is_marked(provider: Obj) -> bool:
    """Whether a provider carries a mark of this collection in its providerData."""
    data = provider.get("provider_data")
    if not isinstance(data, str):
        return False
    try:
        return bytes.fromhex(data) in KNOWN_MARKS
    except ValueError:
        return False


def stamp(state: State) -> State:
    """Write the mark into every provider of a desired state (in place); returns the state."""
    for provider in state.get("providers") or []:
        provider["provider_data"] = mark_hex()
    return state


def key_problems(provider_key: str, sublayer_key: str) -> list[str]:
    """Keys the collection never manages, whatever the operator says (checked before any read)."""
    problems = []
    for kind, key in (("provider", provider_key), ("sublayer", sublayer_key)):
        symbol = builtin_symbol(kind, key)
        if symbol is not None:
            problems.append(
                f"{kind}.key {key} is {symbol}, which belongs to Windows; this collection never "
                f"manages it: remove {kind}.key to use the collection's own {kind}"
            )
    return problems


def host_problems(
    owned: State, provider_key: str, sublayer_key: str, everything: State | None, adopt: bool
) -> list[str]:
    """Why the provider's objects on the host are not ours to change (empty when they are).

    `owned` is what the provider owns on the host; `everything`, when read, is every object
    (it shows a sublayer key taken by another provider).
    """
    problems = []
    providers = [p for p in owned.get("providers") or [] if p.get("key") == provider_key]
    has_objects = any(owned.get(name) for name in ("sublayers", "provider_contexts", "filters"))
    if not adopt and (providers or has_objects) and not any(map(is_marked, providers)):
        name = providers[0].get("name") if providers else None
        count = sum(len(owned.get(n) or []) for n in ("sublayers", "provider_contexts", "filters"))
        described = f" {name!r}" if name else ""
        problems.append(
            f"provider {provider_key}{described} exists on the host without the wfp.ipsec "
            f"ownership mark ({count} object(s) of it would be planned against): it was not "
            "created by this collection; refusing to change or delete it. Remove provider.key "
            f"to use the collection's own provider, or set {ADOPT_OPTION}: true to take it over "
            "(its objects are replaced by the declared ones and it is marked as ours)"
        )
    for sublayer in (everything or {}).get("sublayers") or []:
        owner = sublayer.get("provider_key")
        if sublayer.get("key") == sublayer_key and owner != provider_key:
            problems.append(
                f"sublayer.key {sublayer_key} is the sublayer {sublayer.get('name')!r} of "
                f"another provider ({owner or 'none'}); remove sublayer.key or choose a new key"
            )
    return problems
