"""Bytes Ansible ships and C# lines the host compiles per run of each wfp.ipsec PowerShell module.

Builds the real payload with ansible-core's PowerShell module manifest (the input of
bootstrap_wrapper.ps1: exec wrapper, module, module utils, arguments) for the operations the
controller runs, and counts the lines of the C# utils the module loads (Ansible compiles them
together on every run). Usage, from a collection checkout (or any copy of one):

    python tests/harness/payload_size.py [COLLECTION_ROOT]
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    # name: (module, arguments as the controller sends them)
    "read": (
        "policy_info",
        {"_operation": "read", "provider_key": "b" * 8 + "-0000-0000-0000-" + "0" * 12},
    ),
    "read_all (shadow read)": ("policy_info", {"_operation": "read_all", "layers": ["x"] * 12}),
    "apply": ("policy", {"_operation": "apply", "plan": "{}"}),
    "policy_info": ("policy_info", {}),
}


def collection_path(root: Path) -> Path:
    """A directory `ansible_collections/wfp/ipsec` pointing at `root` (the loader needs one)."""
    base = Path(tempfile.mkdtemp(prefix="wfp-payload-"))
    target = base / "ansible_collections" / "wfp"
    target.mkdir(parents=True)
    (target / "ipsec").symlink_to(root.resolve())
    return base


def measure(root: Path) -> list[dict[str, Any]]:
    from ansible.executor.powershell import module_manifest
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    _AnsibleCollectionFinder(paths=[str(collection_path(root))])._install()
    rows = []
    for name, (wanted, args) in OPERATIONS.items():
        module = wanted
        path = root / "plugins" / "modules" / f"{module}.ps1"
        if "_operation" in args and "_operation" not in path.read_text(encoding="utf-8"):
            module = "policy"  # a checkout from before the reads moved to policy_info
            path = root / "plugins" / "modules" / "policy.ps1"
        data = path.read_bytes()
        payload = module_manifest._create_powershell_wrapper(
            name=f"ansible_collections.wfp.ipsec.plugins.modules.{module}",
            module_data=data,
            module_path=str(path),
            module_args=args,
            environment={},
            async_timeout=0,
            become_plugin=None,
            substyle="powershell",
            task_vars={},
            profile="legacy",
        )
        finder = module_manifest.PSModuleDepFinder()
        deps = finder.scan_module(
            data, fqn=f"ansible_collections.wfp.ipsec.plugins.modules.{module}"
        )
        cs = {
            dep: base64.b64decode(finder.scripts[dep].script) for dep in deps if dep.endswith(".cs")
        }
        ours = {dep: text for dep, text in cs.items() if dep.startswith("ansible_collections.")}
        rows.append(
            {
                "operation": name,
                "module": module,
                "payload_bytes": len(payload),
                "csharp_lines": sum(text.count(b"\n") for text in cs.values()),
                "csharp_bytes": sum(len(text) for text in cs.values()),
                "our_csharp_lines": sum(text.count(b"\n") for text in ours.values()),
                "our_csharp_bytes": sum(len(text) for text in ours.values()),
                "utils": sorted(dep.rsplit(".", 2)[-2] for dep in cs),
            }
        )
    return rows


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    rows = measure(root)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
