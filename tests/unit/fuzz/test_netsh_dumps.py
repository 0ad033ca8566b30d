"""netsh dumps mutated from tests/unit/netsh/fixtures, through the policy action in check mode."""

from __future__ import annotations

import copy
import gzip
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from tests.unit.fuzz.harness import assert_clean, run_policy
from tests.unit.fuzz.profiles import FUZZ

FIXTURES = Path(__file__).resolve().parents[1] / "netsh" / "fixtures"
DUMPS = {path.name: path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.xml"))}
POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
VALUES = [
    "", "-1", "0", "16", "65536", "18446744073709551616", "abc", "0x10", "1.2.3.4", "::1/200",
    "FWP_UINT8", "FWP_RANGE_TYPE", "FWP_V4_ADDR_MASK", "FWP_BYTE_BLOB_TYPE", "FWP_SID", "FWP_EMPTY",
    "{00000000-0000-0000-0000-000000000000}", "FWPM_LAYER_IKEEXT_V4", "FWPM_SUBLAYER_UNIVERSAL",
    "IKEEXT_PRESHARED_KEY", "IKEEXT_CERTIFICATE", "FWP_ACTION_CALLOUT_TERMINATING",
    "FWPM_IPSEC_IKE_MM_CONTEXT", "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT", "zz", "9" * 30,
]  # fmt: skip
TAGS = ["item", "type", "uint8", "uint64", "rangeValue", "valueLow", "data", "weight", "x"]


@st.composite
def mutated_dump(draw: st.DrawFn) -> bytes:
    text = DUMPS[draw(st.sampled_from(sorted(DUMPS)))]
    root = ElementTree.fromstring("<w>" + text.split("?>", 1)[-1] + "</w>")
    for _mutation in range(draw(st.integers(1, 3))):
        elements = list(root.iter())
        element = draw(st.sampled_from(elements[1:]))
        op = draw(st.sampled_from(["text", "text", "remove", "duplicate", "rename", "empty"]))
        children = list(element)
        if op == "text":
            element.text = draw(st.sampled_from(VALUES) | st.text(max_size=8))
        elif op == "remove" and children:
            element.remove(draw(st.sampled_from(children)))
        elif op == "duplicate" and children:
            element.append(copy.deepcopy(draw(st.sampled_from(children))))
        elif op == "rename":
            element.tag = draw(st.sampled_from(TAGS))
        elif op == "empty":
            for child in children:
                element.remove(child)
    body = "".join(ElementTree.tostring(child, encoding="unicode") for child in root)
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")
    if not draw(st.booleans()):
        return data
    packed = bytearray(gzip.compress(data, mtime=0))
    for _corruption in range(draw(st.integers(0, 2))):  # corrupt the compressed stream too
        packed[draw(st.integers(10, len(packed) - 1))] ^= draw(st.integers(1, 255))
    return bytes(packed)


@FUZZ
@given(dump=mutated_dump())
def test_mutated_dumps_are_read_or_refused_with_a_message(dump: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / ("host.xml.gz" if dump[:2] == b"\x1f\x8b" else "host.xml")
        path.write_bytes(dump)
        result: Any = run_policy(
            POLICY, {"wfp_ipsec_offline_state": str(path)}, check_mode=True, diff=True
        )
        assert_clean(result)
