"""Every scenario of the family through the C# host layer and the native fwpuclnt stand-in.

Each scenario's objects (security-descriptor, address-prefix and port-range conditions, BLOCK
filters, the three quick-mode flag variants) are added in one transaction and read back as
declared; a second plan is empty. IKEv2 transport's contexts go through the ikeV2MmPolicy /
ikeV2QmTransportPolicy arms of FWPM_PROVIDER_CONTEXT2 (tests/unit/host/test_ikev2.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import validate
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import comparable
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import provider_key_of

from tests.unit.host.conftest import Host

EXTRAS = {
    "dhcp_exemption": True,
    "dns_exemption": True,
    "exempt_addresses": ["10.0.0.10", "fd00::/64"],
    "exempt_ports": [{"port": "5985-5986"}],
}
SCENARIOS: dict[str, dict[str, Any]] = {
    "nd_boundary": {},
    "nd_transport": {"recv_accept_raw_context": True},
    "transport_mode": {"filter_sublayer": "universal"},
    "remote_identity_authorization": {
        "remote_machine_sddl": "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-515)",
        "remote_user_sddl": "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-513)",
        "extended_mode": {"authentication": [{"method": "kerberos"}]},
    },
    "ikev2_transport": {
        "main_mode": {
            "authentication": [
                {"method": "certificate_ecdsa_p384", "root_subjects": ["CN=Root, O=Corp"]},
                {"method": "certificate", "root_subjects": ["CN=Root"]},
            ]
        }
    },
}


def _comparable(state: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [comparable(kind, obj) for obj in state[name]]
        for name, kind in (("provider_contexts", "provider_context"), ("filters", "filter"))
    }


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_round_trips_through_the_host_layer(host: Host, name: str) -> None:
    desired = validate({"scenario": {name: {**SCENARIOS[name], **EXTRAS}}}).desired
    key = provider_key_of({})
    the_plan = plan.make_plan(desired, host.call("read", provider_key=key), key)
    result = host.call("apply", plan=the_plan)
    assert result["applied"] == len(the_plan["operations"])
    after = host.call("read", provider_key=key)
    assert _comparable(after) == _comparable(desired)
    assert plan.make_plan(desired, after, key)["operations"] == []
