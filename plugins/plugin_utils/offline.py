"""Offline hosts: a JSON state file driven through the engine model.

The file is a state document (docs/canonical-form.md) holding a whole engine, our objects and
foreign ones. `apply` loads it, applies the plan on the engine (same checks as a real host:
fingerprint, references, lifetimes, ...) and replaces the file atomically only on success.
A lock file beside it serialises concurrent Ansible forks working on the same file.

`ReadOnlyStateBackend` serves an already-loaded state (a netsh dump): read-only, check mode only.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

from . import confirm as commit_confirmed
from .backend import BackendError, HostUnreachableError, Plan, StateDocument
from .engine import Engine, PlanRefused, WfpError
from .model import STATE_FORMAT, ModelError, canonical_state, owned_state

LOCK_SUFFIX: Final = ".lock"
OFFLINE_STATE_VAR: Final = "wfp_ipsec_offline_state"
OFFLINE_CREATE_VAR: Final = "wfp_ipsec_offline_create"
# Commit confirmed (docs/commit-confirmed.md): unconfirmed applies, by provider key, kept in the
# state document beside the objects; and the rehearsal of a lost host after phase 1.
PENDING_KEY: Final = "pending_confirmations"
OFFLINE_SIMULATE_VAR: Final = "wfp_ipsec_offline_simulate"
SIMULATIONS: Final = ("unreachable_after_apply", "reboot_after_apply")
_PENDING_FIELDS: Final[dict[str, type | tuple[type, ...]]] = {
    "format": str,
    "provider_key": str,
    "deadline": (int, float),
    "deadline_utc": str,
    "base_fingerprint": str,
    "tentative_fingerprint": str,
    "tentative": list,
    "snapshot": dict,
}


def parse_state(text: str, source: str) -> StateDocument:
    """A state document from JSON text, canonicalised; BackendError names the problem."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BackendError(
            f"{source} is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno} (char {error.pos})",
            {"path": source, "line": error.lineno, "column": error.colno},
        ) from None
    if not isinstance(document, dict):
        raise BackendError(
            f"{source}: a state document is a JSON object, found {type(document).__name__}",
            {"path": source},
        )
    found_format = document.get("format", STATE_FORMAT)
    if found_format != STATE_FORMAT:
        raise BackendError(
            f"{source}: unsupported format {found_format!r}, expected {STATE_FORMAT!r}",
            {"path": source},
        )
    try:
        state = canonical_state(document, path="$")
    except ModelError as error:
        raise BackendError(
            f"{source}: invalid object at {error.path}: {error.message}",
            {"path": source, "json_path": error.path},
        ) from None
    except (AttributeError, TypeError) as error:
        raise BackendError(
            f"{source}: malformed state document ({error})", {"path": source}
        ) from None
    if document.get("callouts"):
        state["callouts"] = copy.deepcopy(document["callouts"])
    if document.get(PENDING_KEY) is not None:
        state[PENDING_KEY] = _pending_records(document[PENDING_KEY], source)
    return state


def _pending_records(records: Any, source: str) -> dict[str, Any]:
    """The unconfirmed applies of a state document, checked field by field."""
    path = f"$.{PENDING_KEY}"
    if not isinstance(records, dict):
        raise BackendError(f"{source}: {path} must be an object", {"path": source})
    for provider_key, record in records.items():
        where = f"{path}.{provider_key}"
        if not isinstance(record, dict):
            raise BackendError(f"{source}: {where} must be an object", {"path": source})
        for name, kind in _PENDING_FIELDS.items():
            if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
                raise BackendError(
                    f"{source}: {where}.{name} is missing or of the wrong type",
                    {"path": source, "json_path": f"{where}.{name}"},
                )
        if record["format"] != commit_confirmed.PENDING_FORMAT:
            raise BackendError(
                f"{source}: {where}.format must be {commit_confirmed.PENDING_FORMAT!r}",
                {"path": source},
            )
        try:
            canonical_state(record["snapshot"], path=f"{where}.snapshot")
        except (ModelError, AttributeError, TypeError) as error:
            raise BackendError(f"{source}: {where}.snapshot: {error}", {"path": source}) from None
    return copy.deepcopy(records)


def serialise_state(state: StateDocument) -> str:
    """The file form of a state document: stable key order, UTF-8 text, trailing newline."""
    return json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def engine_error(error: WfpError) -> BackendError:
    """A BackendError carrying the engine's details (operation, object, FWP_E code, message)."""
    if isinstance(error, PlanRefused):
        return BackendError(f"plan refused: {error}", error.details())
    return BackendError(str(error), error.details())


def _load_engine(state: StateDocument, source: str) -> Engine:
    try:
        return Engine(state)
    except WfpError as error:
        raise BackendError(f"{source}: {error}", {"path": source, **error.details()}) from None


class _StateReader:
    """read/read_all over a state document supplied by `_current_state`."""

    kind = "offline"

    def _current_state(self) -> StateDocument:
        raise NotImplementedError

    def read(self, provider_key: str) -> StateDocument:
        return owned_state(self._current_state(), provider_key)

    def read_all(self) -> StateDocument:
        return self._current_state()


class OfflineBackend(_StateReader):
    """A host whose WFP engine is a JSON state file."""

    kind = "offline"

    def __init__(
        self,
        path: str | os.PathLike[str],
        create: bool = False,
        simulate: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = os.fspath(path)
        self.create = create
        if simulate not in (None, *SIMULATIONS):
            raise BackendError(
                f"{OFFLINE_SIMULATE_VAR}: {simulate!r} is not a rehearsal; use one of "
                f"{list(SIMULATIONS)}",
                {"path": self.path},
            )
        self.simulate = simulate
        self.clock = clock
        self._pending: dict[str, Any] = {}
        self._applied_tentatively = False

    # -- files ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        """Hold the lock file beside the state file (shared for reads, exclusive for apply)."""
        lock_path = self.path + LOCK_SUFFIX
        if exclusive and self.create:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        try:
            descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            if not exclusive:  # a read-only directory: reading without the lock is still safe
                yield
                return
            raise BackendError(
                f"cannot create the lock file {lock_path}: {error.strerror}", {"path": self.path}
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def _read_text(self) -> str | None:
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise BackendError(f"cannot read {self.path}: {error}", {"path": self.path}) from None

    def _load(self) -> StateDocument:
        text = self._read_text()
        if text is None:
            if not self.create:
                raise BackendError(
                    f"state file not found: {self.path}; set {OFFLINE_STATE_VAR} to an existing "
                    f"file or set {OFFLINE_CREATE_VAR}: true to start from an empty engine",
                    {"path": self.path},
                )
            return Engine().state()
        return parse_state(text, self.path)

    def _write(self, state: StateDocument) -> None:
        """Replace the file atomically: temp file in the same directory, fsync, os.replace."""
        directory = os.path.dirname(os.path.abspath(self.path))
        mode = self._file_mode()
        try:
            descriptor, temp_path = tempfile.mkstemp(
                dir=directory, prefix="." + os.path.basename(self.path) + ".", suffix=".tmp"
            )
        except OSError as error:
            raise BackendError(
                f"cannot write beside {self.path}: {error.strerror}", {"path": self.path}
            ) from None
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(serialise_state(state))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_path, mode)
            os.replace(temp_path, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_path)
            raise
        _fsync_directory(directory)

    def _file_mode(self) -> int:
        try:
            return os.stat(self.path).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            return 0o666 & ~umask

    # -- HostBackend ---------------------------------------------------------------------

    def _current_state(self) -> StateDocument:
        with self._locked(exclusive=False):
            state = self._load()
        if self._expired(state):  # the host's own rollback ran at the deadline: write it
            try:
                with self._locked(exclusive=True):
                    state = self._load()
                    if self._settle(state):
                        self._write(state)
            except BackendError:  # a read-only file or directory: settle in memory only
                state = self._load()
                self._settle(state)
        self._pending = dict(state.get(PENDING_KEY) or {})
        return state

    def read(self, provider_key: str) -> StateDocument:
        return owned_state(self._current_state(), provider_key)

    def pending(self, provider_key: str) -> dict[str, Any] | None:
        record = self._pending.get(provider_key)
        return commit_confirmed.summary(record) if record else None

    def apply(self, plan: Plan) -> dict[str, Any]:
        with self._locked(exclusive=True):
            state = self._load()
            self._settle(state)
            self._refuse_when_pending(state, plan)
            engine = _load_engine(state, self.path)
            try:
                result = engine.apply_plan(plan)
            except WfpError as error:
                raise engine_error(error) from error
            self._write(self._document(engine, state))
        return {**result, "backend": self.kind, "path": self.path}

    def apply_tentative(self, plan: Plan, timeout: int) -> dict[str, Any]:
        with self._locked(exclusive=True):
            state = self._load()
            self._settle(state)
            self._refuse_when_pending(state, plan)
            engine = _load_engine(state, self.path)
            try:
                result, record = commit_confirmed.apply_tentative(
                    engine, plan, timeout, self.clock()
                )
            except WfpError as error:
                raise engine_error(error) from error
            state.setdefault(PENDING_KEY, {})[record["provider_key"]] = record
            if self.simulate == "reboot_after_apply":
                self._reboot(engine, state)
            self._write(self._document(engine, state))
        self._applied_tentatively = True
        pending = commit_confirmed.summary(record)
        return {**result, "pending": pending, "backend": self.kind, "path": self.path}

    def reconnect(self) -> None:
        if self.simulate == "unreachable_after_apply" and self._applied_tentatively:
            raise HostUnreachableError(
                f"rehearsal: {OFFLINE_SIMULATE_VAR}=unreachable_after_apply, the new connection "
                "after the apply fails"
            )

    def confirm(self, provider_key: str, pending: dict[str, Any]) -> dict[str, Any]:
        with self._locked(exclusive=True):
            state = self._load()
            rolled_back = self._settle(state)
            record = (state.get(PENDING_KEY) or {}).get(provider_key)
            if record is None or record["tentative_fingerprint"] != pending.get(
                "tentative_fingerprint"
            ):
                if rolled_back:
                    self._write(state)
                raise BackendError(
                    f"no unconfirmed apply of provider {provider_key} to confirm: the host "
                    "restored its previous policy (deadline passed or rebooted), or another run "
                    "confirmed or replaced it; nothing was confirmed",
                    {"code": commit_confirmed.NOT_PENDING, "pending": pending},
                )
            engine = _load_engine(state, self.path)
            try:
                result = commit_confirmed.confirm(engine, record, self.clock())
            except WfpError as error:
                raise engine_error(error) from error
            del state[PENDING_KEY][provider_key]
            self._write(self._document(engine, state))
        return {**result, "backend": self.kind, "path": self.path}

    # -- the host's own rollback (the scheduled task, modelled when the file is opened) -----

    def _expired(self, state: StateDocument) -> bool:
        now = self.clock()
        return any(r["deadline"] <= now for r in (state.get(PENDING_KEY) or {}).values())

    def _settle(self, state: StateDocument) -> bool:
        """Run the rollback of every pending apply whose deadline has passed (what the host's
        scheduled task did meanwhile); `state` is updated in place. Returns whether it ran."""
        if not self._expired(state):
            return False
        engine = _load_engine(state, self.path)
        now = self.clock()
        records = state[PENDING_KEY]
        for provider_key in sorted(records):
            if records[provider_key]["deadline"] <= now:
                self._restore(engine, records.pop(provider_key))
        if not records:
            del state[PENDING_KEY]
        state.update(self._document(engine, state))
        return True

    def _reboot(self, engine: Engine, state: StateDocument) -> None:
        """A reboot: static objects vanish; the startup trigger restores every pending apply."""
        engine.reboot()
        for provider_key in sorted(state.get(PENDING_KEY) or {}):
            self._restore(engine, state[PENDING_KEY].pop(provider_key))

    def _restore(self, engine: Engine, record: dict[str, Any]) -> None:
        try:
            commit_confirmed.restore(engine, record)
        except WfpError as error:
            raise BackendError(
                f"{self.path}: the rollback of provider {record['provider_key']} failed: {error}",
                {"path": self.path, **error.details()},
            ) from None

    @staticmethod
    def _document(engine: Engine, state: StateDocument) -> StateDocument:
        document = engine.state()
        if state.get(PENDING_KEY):
            document[PENDING_KEY] = state[PENDING_KEY]
        return document

    @staticmethod
    def _refuse_when_pending(state: StateDocument, plan: Plan) -> None:
        record = (state.get(PENDING_KEY) or {}).get(plan.get("provider_key"))
        if record is not None:
            raise BackendError(
                f"an unconfirmed apply of provider {record['provider_key']} is pending until "
                f"{record['deadline_utc']}; confirm it (run again) or wait for the host to "
                "restore its previous policy",
                {"code": "WFP_IPSEC_PENDING", "pending": commit_confirmed.summary(record)},
            )


class ReadOnlyStateBackend(_StateReader):
    """A state that can be read but never changed (a netsh dump); check mode only."""

    kind = "offline-dump"

    def __init__(self, state: StateDocument, source: str) -> None:
        self._state = copy.deepcopy(state)
        self.source = source

    def _current_state(self) -> StateDocument:
        return copy.deepcopy(self._state)

    def apply(self, plan: Plan) -> dict[str, Any]:
        raise BackendError(
            f"{self.source} is a netsh dump (read-only); apply is refused, run check mode "
            "(--check) to compare the policy against it, or point "
            f"{OFFLINE_STATE_VAR} at a JSON state file",
            {"path": self.source, "operations": len(plan.get("operations") or [])},
        )


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (best effort: not every filesystem allows it)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
