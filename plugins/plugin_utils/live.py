"""The live host backend: the `wfp.ipsec.policy` PowerShell module, run over WinRM/PSRP.

`ModuleBackend` implements `HostBackend` on top of injected `execute(module_args) -> result`
callables; the action plugin passes closures around `self._execute_module(...)`: applies and
confirmations run `wfp.ipsec.policy`, reads run `wfp.ipsec.policy_info` (which does not ship or
compile the write util). Every read is one module call and every apply is one module call. The
host answers with JSON text (`state_json`, `result_json`) so 64-bit integers cross PowerShell
unchanged; the reply is checked against `schemas/state.schema.json` before anyone trusts it, by a
checker compiled from the schema once per process (structural.py; jsonschema took seconds on a
real host's reply), plus unique keys. A read reply's member-twice test is a count made by that
checker (no Python call per JSON object); the strict reader runs only when the count does not
settle it (`_state_reply`).
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from . import strict_json
from .backend import BackendError, HostUnreachableError, Plan, StateDocument
from .deps import require
from .model import is_fingerprint
from .structural import (
    Accept,
    Check,
    compile_accept,
    compile_accept_counting,
    compile_schema,
    format_path,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

ModuleArgs = dict[str, Any]
Execute = Callable[[ModuleArgs], dict[str, Any]]

SCHEMA_PATH: Final = Path(__file__).resolve().parent / "schemas" / "state.schema.json"
# The C# sources the host's rollback task compiles (it runs without Ansible, as SYSTEM).
RESTORE_SOURCES: Final = ("WfpIpsec.cs", "WfpIpsecApply.cs", "WfpIpsecConfirm.cs")
MODULE_UTILS: Final = Path(__file__).resolve().parent.parent / "module_utils"
_PENDING_SUMMARY: Final = (
    "format",
    "provider_key",
    "deadline",
    "deadline_utc",
    "base_fingerprint",
    "tentative_fingerprint",
    "tentative",
)
LIST_NAMES: Final = ("providers", "sublayers", "provider_contexts", "filters")


@cache
def state_validator() -> Draft202012Validator:
    jsonschema = require("jsonschema", "jsonschema")
    """The JSON Schema validator of state documents (draft 2020-12)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator: Draft202012Validator = jsonschema.Draft202012Validator(schema)
    return validator


@cache
def _state_check() -> Check:
    """The state schema compiled into a structural check (once per process)."""
    return compile_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@cache
def _state_accept() -> Accept:
    """The state schema compiled into generated code that only says valid or not (once per
    process): the closures of `_state_check` then run only on a refused document."""
    return compile_accept(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@cache
def _state_accept_counting() -> Callable[[Any], int]:
    """`_state_accept` that also counts the ':' of a JSON text of the document (-1: refused),
    for the member-twice test of a read reply (ModuleBackend._state_reply)."""
    return compile_accept_counting(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def compile_state_checks() -> None:
    """Compile the checks of state documents now (the action's warm-up: once per controller
    process, before Ansible forks its workers)."""
    _state_check()
    _state_accept()
    _state_accept_counting()


def check_state_document(state: Any, *, accepted: bool = False) -> list[str]:
    """Why a host's state document cannot be trusted (empty when it can).

    As strict as the schema (the first violation is reported), and no key twice in a list.
    `accepted`: the generated check already said valid.
    """
    problem = None if accepted or _state_accept()(state) else _state_check()(state)
    if problem is not None:
        segments, message = problem
        return [f"{format_path('state', segments)}: {message}"]
    for list_name in LIST_NAMES:
        keys = [obj["key"] for obj in state[list_name]]
        if len(set(keys)) == len(keys):
            continue
        seen: set[str] = set()
        for index, key in enumerate(keys):
            if key in seen:
                return [f"state.{list_name}[{index}].key: {key} appears twice"]
            seen.add(key)
    return []


def state_problems(state: Any) -> list[str]:
    """Every schema violation of a state document as `path: message` lines (jsonschema; tests
    and tools: the live path uses `check_state_document`)."""
    problems = []
    for error in sorted(state_validator().iter_errors(state), key=lambda e: list(e.absolute_path)):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"state{path}: {error.message}")
    return problems


def plan_arguments(plan: Plan) -> ModuleArgs:
    """The module arguments of an apply call (the plan as compact, sorted JSON text)."""
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"_operation": "apply", "plan": text}


@cache
def restore_sources() -> dict[str, str]:
    """The C# sources the host's rollback task compiles, each as base64 of its gzip-compressed
    UTF-8 text (about a fifth of the bytes; `Confirmation.WriteRestoreSources` decodes them)."""
    return {
        name: base64.b64encode(gzip.compress((MODULE_UTILS / name).read_bytes(), mtime=0)).decode()
        for name in RESTORE_SOURCES
    }


def tentative_arguments(plan: Plan, timeout: int) -> ModuleArgs:
    """The module arguments of a commit-confirmed phase 1 (docs/commit-confirmed.md): the plan,
    the timeout, and the C# sources the host's rollback task compiles."""
    return {
        **plan_arguments(plan),
        "confirm_timeout": timeout,
        "restore_sources": restore_sources(),
    }


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


def is_connection_failure(error: BaseException) -> bool:
    """Whether `error` is Ansible's AnsibleConnectionFailure (checked by name along the class
    hierarchy so that this module does not import Ansible)."""
    return any(cls.__name__ == "AnsibleConnectionFailure" for cls in type(error).__mro__)


def refuse_unsupported(state: StateDocument, provider_key: str) -> None:
    """A plan made without an object the provider owns would be wrong: refuse the read."""
    owned = [
        record
        for record in state.get("unsupported") or []
        if provider_key in (record.get("key"), record.get("provider_key"))
    ]
    if owned:
        listed = "; ".join(f"{r['type']} {r['key']}: {r['reason']}" for r in owned)
        raise BackendError(
            f"the provider owns objects the host cannot read ({listed}); delete them by key "
            "(for example with netsh wfp or PowerShell) and re-run",
            {"unsupported": owned},
        )


class ModuleBackend:
    """HostBackend for a Windows host reached through the `wfp.ipsec.policy` module."""

    kind = "live"

    def __init__(
        self,
        execute: Execute,
        execute_read: Execute | None = None,
        *,
        reconnect: Callable[[], None] | None = None,
    ) -> None:
        """`execute` runs wfp.ipsec.policy (apply, confirm); `execute_read` (when given) runs the
        reads through wfp.ipsec.policy_info, which loads only the read util (same arguments and
        replies, `pending_json` included); `reconnect` opens a new connection (commit confirmed)."""
        self._execute = execute
        self._execute_read = execute_read or execute
        self._reconnect = reconnect
        self._pending: dict[str, dict[str, Any]] = {}
        self._fingerprints: dict[str, str] = {}

    def reported_fingerprint(self, provider_key: str) -> str | None:
        """The fingerprint the host computed of the objects `provider_key` owns, as the last
        read (read, or read_all_on_layers for this provider) returned them; None when that
        reply had none or a malformed one (the controller then computes it itself)."""
        return self._fingerprints.get(provider_key)

    def _remember_fingerprint(self, provider_key: str, reply: dict[str, Any]) -> None:
        value = reply.get("fingerprint")
        if is_fingerprint(value):
            self._fingerprints[provider_key] = value

    def read(self, provider_key: str) -> StateDocument:
        self._fingerprints.clear()  # a reported fingerprint belongs to the latest read only
        reply = self._call({"_operation": "read", "provider_key": provider_key})
        self._remember_pending(provider_key, reply)
        state = self._state_reply(reply)
        for list_name in LIST_NAMES:
            for obj in state[list_name]:
                owner = obj["key"] if list_name == "providers" else obj.get("provider_key")
                if owner != provider_key:
                    raise BackendError(
                        f"the host returned {list_name} object {obj['key']} owned by {owner}, "
                        f"not by {provider_key}"
                    )
        refuse_unsupported(state, provider_key)
        self._remember_fingerprint(provider_key, reply)
        return state

    def read_all(self) -> StateDocument:
        self._fingerprints.clear()
        reply = self._call({"_operation": "read_all"})
        state = self._state_reply(reply)
        for provider in state["providers"]:
            self._remember_pending(provider["key"], reply)
        return state

    # -- commit confirmed (docs/commit-confirmed.md) -------------------------------------

    def pending(self, provider_key: str) -> dict[str, Any] | None:
        return self._pending.get(provider_key)

    def apply_tentative(self, plan: Plan, timeout: int) -> dict[str, Any]:
        result = self._apply_reply(self._call(tentative_arguments(plan, timeout)))
        result["pending"] = self._pending_summary(result.get("pending"))
        return result

    def reconnect(self) -> None:
        if self._reconnect is not None:
            self._reconnect()

    def confirm(self, provider_key: str, pending: dict[str, Any]) -> dict[str, Any]:
        reply = self._call(
            {
                "_operation": "confirm",
                "provider_key": provider_key,
                "tentative_fingerprint": pending.get("tentative_fingerprint"),
            }
        )
        result = self._json(reply, "result_json")
        if not isinstance(result, dict) or not isinstance(result.get("confirmed"), int):
            raise BackendError("the host's confirm reply has no `confirmed` count")
        self._pending.pop(provider_key, None)
        return result

    def _remember_pending(self, provider_key: str, reply: dict[str, Any]) -> None:
        """A read reply lists the host's unconfirmed applies (`pending_json`, summaries)."""
        text = reply.get("pending_json")
        records = self._json(reply, "pending_json") if isinstance(text, str) else []
        if not isinstance(records, list):
            raise BackendError("the host's `pending_json` is not a list")
        for record in records:
            summary = self._pending_summary(record)
            if summary["provider_key"] == provider_key:
                self._pending[provider_key] = summary

    @staticmethod
    def _pending_summary(record: Any) -> dict[str, Any]:
        if not isinstance(record, dict) or any(key not in record for key in _PENDING_SUMMARY):
            raise BackendError(
                f"the host's pending confirmation is malformed (expected {list(_PENDING_SUMMARY)})"
            )
        return {key: record[key] for key in _PENDING_SUMMARY}

    def read_all_on_layers(self, provider_key: str, layers: list[str]) -> StateDocument:
        """Every provider, sublayer and provider context, the filters at `layers` and every
        filter `provider_key` owns: what the plan, the pre-flight and the shadow analysis of
        one provider need, without shipping the host's other filters."""
        self._fingerprints.clear()
        arguments = {"_operation": "read_all", "provider_key": provider_key, "layers": layers}
        reply = self._call(arguments)
        state = self._state_reply(reply)
        refuse_unsupported(state, provider_key)  # the plan is made from this read too
        self._remember_pending(provider_key, reply)
        self._remember_fingerprint(provider_key, reply)
        return state

    def apply(self, plan: Plan) -> dict[str, Any]:
        return self._apply_reply(self._call(plan_arguments(plan)))

    def _apply_reply(self, reply: dict[str, Any]) -> dict[str, Any]:
        result = self._json(reply, "result_json")
        if not isinstance(result, dict) or not isinstance(result.get("applied"), int):
            raise BackendError("the host's apply reply has no `applied` count")
        warnings = result.get("warnings") or []
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            raise BackendError("the host's apply reply has malformed `warnings`")
        if result.get("state") is None and warnings:
            # Committed, but the host could not read the result back: applied, not "no change".
            result["state"] = None
        else:
            result["state"] = self._state(result.get("state"))
        result["changed"] = result["applied"] > 0
        return result

    def _call(self, module_args: ModuleArgs) -> dict[str, Any]:
        operation = module_args["_operation"]
        execute = self._execute_read if operation in ("read", "read_all") else self._execute
        try:
            reply = execute(module_args)
        except BackendError:
            raise
        except Exception as error:
            if is_connection_failure(error):
                raise HostUnreachableError(f"host unreachable: {error}") from error
            raise BackendError(
                f"could not run wfp.ipsec.policy ({operation}) on the host: {error}"
            ) from error
        if not isinstance(reply, dict):
            raise BackendError(f"wfp.ipsec.policy ({operation}) returned {type(reply).__name__}")
        if reply.get("unreachable"):
            raise HostUnreachableError(f"host unreachable: {reply.get('msg', 'no message')}")
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

    def _state_reply(self, reply: dict[str, Any]) -> StateDocument:
        """A read's `state_json`, parsed and checked as strictly as `_json` and `_state` do. The
        member-twice test is a count (strict_json.loads_counting) made with the check; when it
        is not conclusive (a member twice, a document refused, an escape) the strict reader
        reads the text again and names the problem, with the same errors as ever."""
        text = reply.get("state_json")
        if isinstance(text, str):
            try:
                document, text_colons = strict_json.loads_counting(text)
            except strict_json.StrictJsonError:
                pass  # reported below, as the strict reader reports it
            else:
                if text_colons is not None and _state_accept_counting()(document) == text_colons:
                    return self._state(document, accepted=True)
        return self._state(self._json(reply, "state_json"))

    @staticmethod
    def _state(state: Any, *, accepted: bool = False) -> StateDocument:
        # Checked before the schema: a schema message could quote the method, key included.
        if any("key" in method for method in _auth_methods(state)):
            raise BackendError("the host returned a pre-shared key; refusing to use the reply")
        problems = check_state_document(state, accepted=accepted)
        if problems:
            shown = "; ".join(problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise BackendError(f"the host returned an invalid state document: {shown}{more}")
        if not isinstance(state, dict):  # the schema already requires an object
            raise BackendError("the host returned a state document that is not an object")
        return state
