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
from collections.abc import Iterator
from typing import Any, Final

from .backend import BackendError, Plan, StateDocument
from .engine import Engine, PlanRefused, WfpError
from .model import STATE_FORMAT, ModelError, canonical_state, owned_state

LOCK_SUFFIX: Final = ".lock"
OFFLINE_STATE_VAR: Final = "wfp_ipsec_offline_state"
OFFLINE_CREATE_VAR: Final = "wfp_ipsec_offline_create"


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
    return state


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

    def __init__(self, path: str | os.PathLike[str], create: bool = False) -> None:
        self.path = os.fspath(path)
        self.create = create

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
            return self._load()

    def apply(self, plan: Plan) -> dict[str, Any]:
        with self._locked(exclusive=True):
            engine = _load_engine(self._load(), self.path)
            try:
                result = engine.apply_plan(plan)
            except WfpError as error:
                raise engine_error(error) from error
            self._write(engine.state())
        return {**result, "backend": self.kind, "path": self.path}


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
