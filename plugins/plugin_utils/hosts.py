"""Which backend serves an offline host: a JSON state file, or a netsh dump (read-only)."""

from __future__ import annotations

import os

from .backend import HostBackend
from .offline import OFFLINE_CREATE_VAR, OFFLINE_SIMULATE_VAR, OFFLINE_STATE_VAR, OfflineBackend

__all__ = ["OFFLINE_CREATE_VAR", "OFFLINE_SIMULATE_VAR", "OFFLINE_STATE_VAR", "offline_backend"]

DUMP_SUFFIXES = (".xml", ".xml.gz")


def offline_backend(
    path: str, base_dir: str, create: bool = False, simulate: str | None = None
) -> HostBackend:
    """The backend for `wfp_ipsec_offline_state`; relative paths are relative to `base_dir`.

    `~` and environment variables expand as in an Ansible `type: path` option. `simulate`
    rehearses a lost host during commit confirmed (`wfp_ipsec_offline_simulate`).
    """
    path = os.path.expanduser(os.path.expandvars(path))
    if not os.path.isabs(path):
        path = os.path.join(base_dir, path)
    if path.endswith(DUMP_SUFFIXES):
        from .netsh import load_dump_backend  # the XML importer is only loaded for dumps

        return load_dump_backend(path)
    return OfflineBackend(path, create=create, simulate=simulate)
