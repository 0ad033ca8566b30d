"""Make the collection importable as ansible_collections.wfp.ipsec (scripts/setup links it)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / ".build"
if not (BUILD / "ansible_collections" / "wfp" / "ipsec").exists():
    (BUILD / "ansible_collections" / "wfp").mkdir(parents=True, exist_ok=True)
    (BUILD / "ansible_collections" / "wfp" / "ipsec").symlink_to(REPO)
if str(BUILD) not in sys.path:
    sys.path.insert(0, str(BUILD))
