"""The live host backend: the `wfp.ipsec.policy` PowerShell module, run over WinRM/PSRP.

`ModuleBackend` implements `HostBackend` on top of an injected `execute(module_args) -> result`
callable; the action plugin passes a closure around `self._execute_module(...)`. Every read is one
module call and every apply is one module call. The host answers with JSON text (`state_json`,
`result_json`) so 64-bit integers cross PowerShell unchanged; the reply is validated against
`schemas/state.schema.json` before anyone trusts it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from . import strict_json
from .backend import BackendError, Plan, StateDocument
from .deps import require

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

ModuleArgs = dict[str, Any]
Execute = Callable[[ModuleArgs], dict[str, Any]]

SCHEMA_PATH: Final = Path(__file__).resolve().parent / "schemas" / "state.schema.json"
LIST_NAMES: Final = ("providers", "sublayers", "provider_contexts", "filters")


@cache
def state_validator() -> Draft202012Validator:
    jsonschema = require("jsonschema", "jsonschema")
    """The JSON Schema validator of state documents (draft 2020-12)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator: Draft202012Validator = jsonschema.Draft202012Validator(schema)
    return validator


def state_problems(state: Any) -> list[str]:
    """Schema violations of a state document as `path: message` lines (empty when valid)."""
    problems = []
    for error in sorted(state_validator().iter_errors(state), key=lambda e: list(e.absolute_path)):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"state{path}: {error.message}")
    return problems


def plan_arguments(plan: Plan) -> ModuleArgs:
    """The module arguments of an apply call (the plan as compact, sorted JSON text)."""
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"_operation": "apply", "plan": text}


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _auth_methods(state: Any) -> Iterator[dict[str, Any]]:
    """Every authentication method of a (possibly malformed) state document."""
    if not isinstance(state, dict):
        return
    for context in _dicts(state.get("provider_contexts")):
        policy = context.get("policy")
        if not isinstance(policy, dict):
            continue
        yield from _dicts(policy.get("authentication_methods"))
        em_policy = policy.get("em_policy")
        if isinstance(em_policy, dict):
            yield from _dicts(em_policy.get("authentication_methods"))


class ModuleBackend:
    """HostBackend for a Windows host reached through the `wfp.ipsec.policy` module."""

    kind = "live"

    def __init__(self, execute: Execute) -> None:
        self._execute = execute

    def read(self, provider_key: str) -> StateDocument:
        reply = self._call({"_operation": "read", "provider_key": provider_key})
        state = self._state(self._json(reply, "state_json"))
        for list_name in LIST_NAMES:
            for obj in state[list_name]:
                owner = obj["key"] if list_name == "providers" else obj.get("provider_key")
                if owner != provider_key:
                    raise BackendError(
                        f"the host returned {list_name} object {obj['key']} owned by {owner}, "
                        f"not by {provider_key}"
                    )
        return state

    def read_all(self) -> StateDocument:
        return self._state(self._json(self._call({"_operation": "read_all"}), "state_json"))

    def apply(self, plan: Plan) -> dict[str, Any]:
        result = self._json(self._call(plan_arguments(plan)), "result_json")
        if not isinstance(result, dict) or not isinstance(result.get("applied"), int):
            raise BackendError("the host's apply reply has no `applied` count")
        result["state"] = self._state(result.get("state"))
        result["changed"] = result["applied"] > 0
        return result

    def _call(self, module_args: ModuleArgs) -> dict[str, Any]:
        operation = module_args["_operation"]
        try:
            reply = self._execute(module_args)
        except BackendError:
            raise
        except Exception as error:
            raise BackendError(
                f"could not run wfp.ipsec.policy ({operation}) on the host: {error}"
            ) from error
        if not isinstance(reply, dict):
            raise BackendError(f"wfp.ipsec.policy ({operation}) returned {type(reply).__name__}")
        if reply.get("unreachable"):
            raise BackendError(f"host unreachable: {reply.get('msg', 'no message')}")
        if reply.get("failed"):
            failure = reply.get("error")
            details: dict[str, Any] = dict(failure) if isinstance(failure, dict) else {}
            message = str(reply.get("msg") or "wfp.ipsec.policy failed without a message")
            raise BackendError(f"wfp.ipsec.policy ({operation}) failed: {message}", details)
        return reply

    @staticmethod
    def _json(reply: dict[str, Any], key: str) -> Any:
        text = reply.get(key)
        if not isinstance(text, str):
            raise BackendError(f"the host's reply has no `{key}` (got keys {sorted(reply)})")
        try:
            return strict_json.loads(text)
        except strict_json.StrictJsonError as error:
            raise BackendError(f"the host's `{key}` is not valid JSON: {error}") from None

    @staticmethod
    def _state(state: Any) -> StateDocument:
        # Checked before the schema: a schema message could quote the method, key included.
        if any("key" in method for method in _auth_methods(state)):
            raise BackendError("the host returned a pre-shared key; refusing to use the reply")
        problems = state_problems(state)
        if problems:
            shown = "; ".join(problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise BackendError(f"the host returned an invalid state document: {shown}{more}")
        if not isinstance(state, dict):  # the schema already requires an object
            raise BackendError("the host returned a state document that is not an object")
        return state
