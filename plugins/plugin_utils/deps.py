"""Third-party packages the controller needs, imported when first used.

Ansible imports plugins in places where only ansible-core is installed (ansible-doc, sanity
tests); importing these lazily keeps that working and turns a missing package into a clear error.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingDependencyError(ImportError):
    """A controller package is not installed."""


def require(module: str, package: str) -> ModuleType:
    """Import `module`, or explain which package to install on the controller."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingDependencyError(
            f"wfp.ipsec needs the Python package {package!r} on the Ansible controller: "
            f"pip install {package} (the collection's meta/ee-requirements.txt lists every "
            "controller requirement)"
        ) from error
