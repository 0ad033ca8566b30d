"""Pre-shared keys never leave (docs/secrets.md).

Two tools, used where data enters and where results leave:

* `digest_keys(state)`: a state document with every pre-shared key replaced by the keyed digest
  the model compares with (model.psk_digest). Offline state files are written and read through
  it, so no file holds a key and nothing read from one can show it.
* `redact(result, secrets)`: the one exit point of every task result (action plugins). Masks each
  secret of the declaration wherever it appears (messages, problems, details, warnings, diffs, at
  any depth, in keys and values, also in its repr/JSON-escaped spellings), and every key or key
  digest held by an authentication method. Drift reports are built from these results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Final

from .datacopy import copied
from .model import State, psk_digest

MASK: Final = "********"
_AUTH_LISTS: Final = frozenset({"authentication", "authentication_methods"})
_PSK_NAMES: Final = frozenset({"preshared_key", "ikeext_preshared_key"})
# A run of this many characters of a secret is masked too: a message that shortens a long value
# (head ... tail) keeps a part of it, which is still a leak.
FRAGMENT: Final = 8


def _auth_methods(state: State) -> Iterator[tuple[str, dict[str, Any]]]:
    """(context key, method) for every authentication method of a state document."""
    for context in state.get("provider_contexts") or []:
        if not isinstance(context, dict):
            continue
        policy = context.get("policy")
        if not isinstance(policy, dict):
            continue
        methods = list(policy.get("authentication_methods") or [])
        em_policy = policy.get("em_policy")
        if isinstance(em_policy, dict):
            methods += em_policy.get("authentication_methods") or []
        for method in methods:
            if isinstance(method, dict):
                yield str(context.get("key")), method


def digest_keys(state: State) -> State:
    """A copy of `state` whose pre-shared keys are replaced by their keyed digest."""
    if not any("key" in method for _key, method in _auth_methods(state)):
        return state
    result = copied(state)
    for context_key, method in _auth_methods(result):
        if isinstance(method.get("key"), str):
            method["key_digest"] = psk_digest(context_key, method.pop("key"))
    return result


def _is_auth_method(value: dict[str, Any], in_auth_list: bool) -> bool:
    """Whether `value` is (or was meant as) an authentication method: one in an authentication
    list, one with a `method` member (whatever its spelling), or a pre-shared-key type."""
    if in_auth_list or "method" in value:
        return True
    kind = value.get("type")
    return isinstance(kind, str) and kind.strip().lower() in _PSK_NAMES


def secrets_of(arguments: Any) -> set[str]:
    """Every pre-shared key written anywhere in a declaration (module options)."""
    found: set[str] = set()
    stack: list[tuple[Any, bool]] = [(arguments, False)]
    while stack:
        value, in_auth_list = stack.pop()
        if isinstance(value, dict):
            if _is_auth_method(value, in_auth_list) and isinstance(value.get("key"), str):
                found.add(value["key"])
            stack.extend((item, str(name) in _AUTH_LISTS) for name, item in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((item, in_auth_list) for item in value)
    return {secret for secret in found if secret}


def _spellings(secrets: Iterable[str]) -> list[str]:
    """Each secret as text may show it: as is, repr-escaped, JSON-escaped; longest first."""
    spelled: set[str] = set()
    for secret in secrets:
        spelled |= {
            secret,
            repr(secret)[1:-1],
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
        }
    return sorted((s for s in spelled if s), key=len, reverse=True)


def _fragments(spellings: list[str]) -> list[str]:
    """Every FRAGMENT-long run of characters of each spelling."""
    runs = {
        spelled[start : start + FRAGMENT]
        for spelled in spellings
        for start in range(len(spelled) - FRAGMENT + 1)
    }
    return sorted(runs)


def _mask_text(text: str, spellings: list[str]) -> str:
    for spelled in spellings:
        text = text.replace(spelled, MASK)
    fragments = [part for part in _fragments(spellings) if part in text]
    if not fragments:
        return text
    # Mask the union of every occurrence of every fragment (they overlap: one region each).
    covered = [False] * len(text)
    for part in fragments:
        start = text.find(part)
        while start != -1:
            covered[start : start + FRAGMENT] = [True] * FRAGMENT
            start = text.find(part, start + 1)
    pieces: list[str] = []
    index = 0
    while index < len(text):
        if covered[index]:
            while index < len(text) and covered[index]:
                index += 1
            pieces.append(MASK)
        else:
            pieces.append(text[index])
            index += 1
    return "".join(pieces)


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a task result with every secret masked (see the module docstring)."""
    spellings = _spellings(secrets)

    def clean(item: Any, in_auth_list: bool = False) -> Any:
        if isinstance(item, str):
            return _mask_text(item, spellings) if spellings else item
        if isinstance(item, dict):
            method = _is_auth_method(item, in_auth_list)
            result = {}
            for name, member in item.items():
                clean_name = clean(name) if isinstance(name, str) else name
                if method and name in ("key", "key_digest") and member is not None:
                    result[clean_name] = MASK
                else:
                    result[clean_name] = clean(member, str(name) in _AUTH_LISTS)
            return result
        if isinstance(item, list | tuple):
            return [clean(member, in_auth_list) for member in item]
        return item

    return clean(value)


def internal_error(component: str, error: BaseException) -> tuple[str, dict[str, Any]]:
    """(message, details) of an unexpected exception: a clear failure instead of a traceback."""
    name = type(error).__name__
    return (
        f"{component} failed unexpectedly ({name}: {error}). This is a bug in the wfp.ipsec "
        "collection: please report it with the task and its input",
        {"internal_error": name},
    )
