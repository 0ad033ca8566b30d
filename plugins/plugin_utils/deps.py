"""Third-party packages the controller needs, imported when first used.

Ansible imports plugins in places where only ansible-core is installed (ansible-doc, sanity
tests); importing these lazily keeps that working. When one is missing, the error names every
missing controller package at once, with the one command that installs them all from the
collection's requirements.txt (its real path, so it is right after a Galaxy install too).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Final

# Import name -> pip package, for every line of the collection's requirements.txt.
CONTROLLER_PACKAGES: Final = {
    "jsonschema": "jsonschema",
    "defusedxml": "defusedxml",
    "winrm": "pywinrm",
    "pypsrp": "pypsrp",
}
REQUIREMENTS: Final = Path(__file__).resolve().parents[2] / "requirements.txt"


class MissingDependencyError(ImportError):
    """A controller package is not installed."""


def missing_packages() -> list[str]:
    """The pip names of every controller package that is not installed."""
    missing = []
    for module, package in CONTROLLER_PACKAGES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(package)
    return missing


def install_command() -> str:
    """The one command that installs every controller package into Ansible's Python."""
    return f"{sys.executable} -m pip install -r {REQUIREMENTS}"


def require(module: str, package: str) -> ModuleType:
    """Import `module`, or explain which packages to install on the controller, all at once."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = sorted(set(missing_packages()) | {package})
        raise MissingDependencyError(
            f"wfp.ipsec needs Python packages on the Ansible controller that are not installed "
            f"({', '.join(missing)}); install every package it needs with one command: "
            f"{install_command()}"
        ) from error
