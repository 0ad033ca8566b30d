"""Make the collection importable as ansible_collections.wfp.ipsec (scripts/setup links it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / ".build"
if not (BUILD / "ansible_collections" / "wfp" / "ipsec").exists():
    (BUILD / "ansible_collections" / "wfp").mkdir(parents=True, exist_ok=True)
    (BUILD / "ansible_collections" / "wfp" / "ipsec").symlink_to(REPO)
if str(BUILD) not in sys.path:
    sys.path.insert(0, str(BUILD))


def shared_path() -> Path:
    """The project's shared/ folder: WFP_IPSEC_SHARED, else ../shared beside the repository."""
    import os

    configured = os.environ.get("WFP_IPSEC_SHARED")
    path = Path(configured) if configured else REPO.parent / "shared"
    if not (path / "reference").is_dir():
        raise RuntimeError(f"shared/ not found at {path}; set WFP_IPSEC_SHARED")
    return path


def pytest_configure(config: pytest.Config) -> None:
    """Markers, declared here too because ansible-test units runs without pyproject.toml."""
    config.addinivalue_line(
        "markers", "slow: runs ansible-playbook or Mono; still part of the suite"
    )
