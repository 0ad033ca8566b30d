"""Offline hosts: a JSON state file driven through the engine model (docs/offline-state.md).

The file is a state document (docs/canonical-form.md) holding a whole engine, our objects and
foreign ones. `apply` loads it, applies the plan on the engine (same checks as a real host:
fingerprint, references, lifetimes, ...) and replaces the file atomically only on success.

Rules for the file:

* it is read strictly (strict_json: no duplicate members, no lone surrogates) and
  canonicalised with every field checked, so nothing malformed reaches the engine;
* it is overwritten only when it is a state file of this collection (`format:
  wfp.ipsec.state/1`), writable (a read-only file is refused, never replaced), and through a
  symlink to its target; a disk fault names the file and the OS error and leaves it intact;
* it never holds a pre-shared key: keys are stored as their keyed digest (redaction.py);
* concurrent Ansible forks serialise on a lock of the file itself (or of its directory while it
  does not exist yet): no lock file is left beside it.

`ReadOnlyStateBackend` serves an already-loaded state (a netsh dump): read-only, check mode only.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

from . import confirm as commit_confirmed
from .backend import BackendError, HostUnreachableError, Plan, StateDocument
from .catalogue import normalise_guid
from .datacopy import copied
from .engine import Engine, PlanRefused, WfpError
from .model import (
    RUNTIME_KEY,
    STATE_FORMAT,
    ModelError,
    canonical_state,
    canonical_value,
    owned_state,
)
from .redaction import digest_keys
from .strict_json import StrictJsonError, loads

OFFLINE_STATE_VAR: Final = "wfp_ipsec_offline_state"
OFFLINE_CREATE_VAR: Final = "wfp_ipsec_offline_create"
_GUID_PATTERN: Final = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
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


def _problem(source: str, message: str, **details: Any) -> BackendError:
    return BackendError(f"{source}: {message}", {"path": source, **details})


def _callouts(value: Any, source: str) -> list[dict[str, str]]:
    """The optional `callouts` list: callout keys the host registered ({key} or GUID text)."""
    if not isinstance(value, list):
        raise _problem(source, "callouts must be a list of {key: GUID}", json_path="$.callouts")
    result = []
    for index, item in enumerate(value):
        text = item.get("key") if isinstance(item, dict) else item
        key = normalise_guid(text) if isinstance(text, str) else None
        if key is None:
            raise _problem(
                source,
                f"callouts[{index}] is not a callout key (expected {{key: GUID}})",
                json_path=f"$.callouts[{index}]",
            )
        result.append({"key": key})
    return result


def parse_state(text: str, source: str, *, require_format: bool = False) -> StateDocument:
    """A state document from JSON text, canonicalised; BackendError names the problem.

    `require_format`: the document must carry `format: wfp.ipsec.state/1` (files we overwrite).
    """
    try:
        document = loads(text)
    except StrictJsonError as error:
        details: dict[str, Any] = {"json_path": error.path} if error.path else {}
        if error.line is not None:
            details.update(line=error.line, column=error.column)
        raise _problem(source, str(error), **details) from None
    if not isinstance(document, dict):
        raise _problem(
            source, f"a state document is a JSON object, found {type(document).__name__}"
        )
    if "format" not in document and require_format:
        raise _problem(
            source,
            f"is not a wfp.ipsec state file (no `format: {STATE_FORMAT}` member); refusing to "
            f"overwrite it. Point {OFFLINE_STATE_VAR} at a state file of this collection, or "
            f"add the member if the file is one",
        )
    found_format = document.get("format", STATE_FORMAT)
    if found_format != STATE_FORMAT:
        raise _problem(source, f"unsupported format {found_format!r}, expected {STATE_FORMAT!r}")
    try:
        state = canonical_state(document, path="$")
    except ModelError as error:
        raise _problem(
            source, f"invalid object at {error.path}: {error.message}", json_path=error.path
        ) from None
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as error:
        raise _problem(
            source, f"malformed state document ({type(error).__name__}: {error})"
        ) from None
    _check_runtime(state, source)
    if document.get("callouts"):
        state["callouts"] = _callouts(document["callouts"], source)
    if document.get(PENDING_KEY) is not None:
        state[PENDING_KEY] = _pending_records(document[PENDING_KEY], source)
    return digest_keys(state)


_RUNTIME_IDS: Final = {"filters": "filter_id", "provider_contexts": "provider_context_id"}


def _check_runtime(state: StateDocument, source: str) -> None:
    """Runtime fields (host-assigned ids, effective weight) are copied as they are: check them."""
    for list_name, id_name in _RUNTIME_IDS.items():
        allowed = {id_name, "effective_weight"} if list_name == "filters" else {id_name}
        for index, obj in enumerate(state[list_name]):
            runtime = obj.get(RUNTIME_KEY)
            if runtime is None:
                continue
            path = f"$.{list_name}[{index}].{RUNTIME_KEY}"
            if not isinstance(runtime, dict) or set(runtime) - allowed:
                raise _problem(
                    source, f"{path} must be an object with {sorted(allowed)}", json_path=path
                )
            identifier = runtime.get(id_name)
            if identifier is not None and (
                isinstance(identifier, bool)
                or not isinstance(identifier, int)
                or not 0 <= identifier < 1 << 64
            ):
                raise _problem(source, f"{path}.{id_name} must be an unsigned 64-bit integer")
            weight = runtime.get("effective_weight")
            if weight is not None:
                try:
                    value = canonical_value(weight, f"{path}.effective_weight")
                except ModelError as error:
                    raise _problem(source, str(error), json_path=error.path) from None
                if value["type"] != "FWP_UINT64":
                    raise _problem(source, f"{path}.effective_weight must be an FWP_UINT64 value")


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
    result = copied(records)
    for provider_key, record in result.items():
        where = f"{path}.{provider_key}.snapshot"
        try:
            snapshot = canonical_state(record["snapshot"], path=where)
        except (ModelError, AttributeError, TypeError, ValueError) as error:
            raise BackendError(f"{source}: {where}: {error}", {"path": source}) from None
        record["snapshot"] = digest_keys(snapshot)  # never a pre-shared key in the file
    return result


def serialise_state(state: StateDocument) -> str:
    """The file form of a state document: stable key order, UTF-8 text, trailing newline.

    Pre-shared keys are stored as their keyed digest, never in plain text.
    """
    return json.dumps(digest_keys(state), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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


def _os_error(action: str, path: str, error: OSError, source: str) -> BackendError:
    """A file-system fault as a message naming the file and the OS error."""
    reason = error.strerror or str(error)
    code = errno.errorcode.get(error.errno or 0, "")
    label = f"{reason} ({code})" if code else reason
    return BackendError(
        f"cannot {action} {path}: {label}; the state file is unchanged",
        {"path": source, "errno": code or None},
    )


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
        # The text this backend last wrote and the document it parses to: the second phase of
        # commit confirmed reads back what the first wrote without canonicalising it again.
        self._written: tuple[str, StateDocument] | None = None

    # -- files ---------------------------------------------------------------------------

    @property
    def target(self) -> str:
        """The file actually written: the state file, or what its symlink points at."""
        return os.path.realpath(self.path)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold an exclusive lock on the state file (its directory while it does not exist).

        A writer replaces the file, so a waiter that then holds the lock of the old file sees
        another inode at the path and locks again.
        """
        while True:
            target = self.target
            try:
                descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
            except FileNotFoundError:
                if not self.create:
                    raise self._not_found() from None
                descriptor = self._open_directory(os.path.dirname(target))
                expected = None
            except OSError as error:
                raise _os_error("open", target, error, self.path) from None
            else:
                expected = os.fstat(descriptor).st_ino
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
                if self._inode(target) == expected:
                    yield
                    return
            finally:
                os.close(descriptor)  # closing releases the lock

    def _open_directory(self, directory: str) -> int:
        try:
            os.makedirs(directory, exist_ok=True)
            return os.open(directory, os.O_RDONLY)
        except OSError as error:
            raise _os_error("create the directory", directory, error, self.path) from None

    @staticmethod
    def _inode(path: str) -> int | None:
        try:
            return os.stat(path).st_ino
        except FileNotFoundError:
            return None

    def _not_found(self) -> BackendError:
        return BackendError(
            f"state file not found: {self.path}; set {OFFLINE_STATE_VAR} to an existing "
            f"file or set {OFFLINE_CREATE_VAR}: true to start from an empty engine",
            {"path": self.path},
        )

    def _read_text(self) -> str | None:
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return None
        except OSError as error:
            raise BackendError(
                f"cannot read {self.path}: {error.strerror or error}", {"path": self.path}
            ) from None
        if not stat.S_ISREG(mode):  # a FIFO or device would block or never end
            raise _problem(self.path, "is not a regular file; point it at a JSON state file")
        try:
            with open(self.path, encoding="utf-8") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as error:
            raise _problem(
                self.path, f"is not UTF-8 text (byte {error.start}: {error.reason})"
            ) from None
        except OSError as error:
            raise BackendError(
                f"cannot read {self.path}: {error.strerror or error}", {"path": self.path}
            ) from None

    def _load(self, for_write: bool = False) -> StateDocument:
        text = self._read_text()
        if text is None:
            if not self.create:
                raise self._not_found()
            return Engine().state()
        if for_write:
            self._check_writable()
        if self._written is not None and self._written[0] == text:
            written, self._written = self._written[1], None  # handed out once: no copy
            return written  # our own file, unchanged since: it carries `format`
        return parse_state(text, self.path, require_format=for_write)

    def _check_writable(self) -> None:
        """Refuse a read-only state file (mode bits, not only access: root may write anything)."""
        target = self.target
        mode = os.stat(target).st_mode
        if not stat.S_ISREG(mode):
            raise _problem(self.path, f"{target} is not a regular file; refusing to replace it")
        if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
            raise _problem(
                self.path,
                f"is read-only (mode {stat.S_IMODE(mode):04o}); refusing to overwrite it. "
                "Make it writable (chmod u+w) if this host may be changed",
            )

    def _write(self, state: StateDocument) -> None:
        """Replace the target atomically: temp file beside it, fsync, os.replace.

        On any fault the temp file is removed and the state file stays as it was.
        """
        target = self.target
        directory = os.path.dirname(target)
        try:
            source = serialise_state(state)
            text = source.encode("utf-8")
        except UnicodeEncodeError as error:
            raise _problem(self.path, f"cannot be written as UTF-8 text ({error.reason})") from None
        mode = self._file_mode(target)
        try:
            descriptor, temp_path = tempfile.mkstemp(
                dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".tmp"
            )
        except OSError as error:
            raise _os_error("write beside", target, error, self.path) from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_path, mode)
            os.replace(temp_path, target)
        except OSError as error:
            _unlink(temp_path)
            raise _os_error("write", target, error, self.path) from None
        except BaseException:
            _unlink(temp_path)
            raise
        _fsync_directory(directory)
        written = json.loads(source)  # a private copy (the document is canonical already)
        if written.get(PENDING_KEY) is not None:  # as parse_state reads them: snapshots canonical
            written[PENDING_KEY] = _pending_records(written[PENDING_KEY], self.path)
        self._written = (source, written)

    @staticmethod
    def _file_mode(target: str) -> int:
        try:
            return os.stat(target).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            return 0o666 & ~umask

    # -- HostBackend ---------------------------------------------------------------------

    def _current_state(self) -> StateDocument:
        # No lock: the file is only ever replaced whole (os.replace), so a read sees one version.
        state = self._load()
        if self._expired(state):  # the host's own rollback ran at the deadline: write it
            try:
                with self._exclusive():
                    state = self._load(for_write=True)
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
        with self._exclusive():
            state = self._load(for_write=True)
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
        with self._exclusive():
            state = self._load(for_write=True)
            self._settle(state)
            self._refuse_when_pending(state, plan)
            engine = _load_engine(state, self.path)
            try:
                result, record = commit_confirmed.apply_tentative(
                    engine, plan, timeout, self.clock()
                )
            except WfpError as error:
                raise engine_error(error) from error
            record["snapshot"] = digest_keys(record["snapshot"])  # never a key in the file
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
        with self._exclusive():
            state = self._load(for_write=True)
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
        self._state = copied(state)
        self.source = source

    def _current_state(self) -> StateDocument:
        return copied(self._state)

    def apply(self, plan: Plan) -> dict[str, Any]:
        raise BackendError(
            f"{self.source} is a netsh dump (read-only); apply is refused, run check mode "
            "(--check) to compare the policy against it, or point "
            f"{OFFLINE_STATE_VAR} at a JSON state file",
            {"path": self.source, "operations": len(plan.get("operations") or [])},
        )


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


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
