"""Offline stand-in for ansible-test's pip bootstrap script (get-pip-<version>.py).

ansible-test bootstraps pip in each virtualenv it creates by running a cached copy of
get-pip-<version>.py, which it downloads from a host this project cannot reach. The stage
scripts/stages/40-ansible-test copies this file to ~/.ansible/test/cache/get_pip_<version>.py.
ansible-test runs it with pip's arguments (for example `--disable-pip-version-check pip==24.2
--no-setuptools --no-wheel`); it seeds pip from the interpreter's bundled ensurepip wheel and then
lets that pip install the requested versions from the configured package index.
"""

from __future__ import annotations

import subprocess
import sys

# Options the real get-pip.py understands but `pip install` does not.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}


def main() -> None:
    """Install pip into the running interpreter, then the packages ansible-test asked for."""
    subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True)
    pip_args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.run([sys.executable, "-m", "pip", "install", *pip_args], check=True)


if __name__ == "__main__":
    main()
