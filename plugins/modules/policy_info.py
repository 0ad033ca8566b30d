# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the host half is plugins/modules/policy_info.ps1 and the
# controller half (offline hosts) is plugins/action/policy_info.py.

DOCUMENTATION = r"""
---
module: policy_info
short_description: Read Windows Filtering Platform objects in the collection's canonical form
version_added: 0.1.0
description:
  - Reads WFP providers, sublayers, provider contexts and filters from a Windows host and returns
    them in the canonical JSON form the collection uses everywhere (GUIDs in lower case, flags and
    enumerations as Windows symbol names, 64-bit integers as JSON integers).
  - With O(provider_name) or O(provider_key), returns the objects that provider owns (the same view
    M(wfp.ipsec.policy) diffs against). With O(layers), returns the filters on those layers and
    the sublayers, provider contexts and providers they reference. With both, the intersection.
    With neither, every object the caller can see.
  - Pre-shared keys are never returned; an authentication method shows its C(key_digest) masked
    as C(********) (docs/secrets.md).
  - Reads happen inside one read-only WFP transaction, so the result is a consistent snapshot.
  - Every result also has RV(readable), one line per object with layers, conditions, callouts,
    weights and raw contexts by symbol, protocols and address types by name, application ids as
    text, and indirect strings such as C(@bfe.dll,-1217) marked as what they are.
author:
  - wfp.ipsec contributors (!UNKNOWN)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: windows
options:
  provider_name:
    description:
      - Name of the provider whose objects to return, for example V(wfp.ipsec) (the default name
        of M(wfp.ipsec.policy)'s provider).
      - On live hosts this reads every object and selects on the controller.
      - Mutually exclusive with O(provider_key).
    type: str
  provider_key:
    description:
      - GUID of the provider whose objects to return, for example the RV(wfp.ipsec.policy#module:provider_key)
        a M(wfp.ipsec.policy) task returned.
      - Mutually exclusive with O(provider_name).
    type: str
  layers:
    description:
      - Layers whose filters to return, as C(FWPM_LAYER_*) symbols or GUIDs.
    type: list
    elements: str
  shadowing:
    description:
      - Also analyse, under WFP filter arbitration, which filters of other providers would stop a
        filter of O(provider_key) from deciding matching traffic, and return them as
        RV(shadowing). Needs O(provider_name) or O(provider_key). On live hosts this reads every
        object of the host.
      - When the provider owns no filters on the host (the policy is not installed), RV(shadowing)
        is empty and RV(msg) says so; M(wfp.ipsec.policy) in check mode analyses a declared
        policy before it is installed.
      - The analysis runs on the controller (offline hosts and netsh dumps included).
    type: bool
    default: false
notes:
  - Hosts with the variable C(wfp_ipsec_offline_state) are read on the controller from their JSON
    state file or C(netsh wfp) dump.
  - Provider contexts of types the collection does not manage (for example general or tunnel
    contexts) are returned with their C(policy) set to C(unsupported=true).
  - An object the host cannot convert to the canonical form (a condition type newer than the
    collection, a security descriptor that does not parse, an unknown action or context type) is
    not returned in its list but in C(state.unsupported), with its key, name, provider, layer,
    sublayer and the reason. Reads never fail because of such an object.
  - Requires administrator rights and a running Base Filtering Engine (BFE) service.
seealso:
  - module: wfp.ipsec.policy
  - module: wfp.ipsec.drift_report
  - name: Windows Filtering Platform
    description: Microsoft's reference for WFP objects, layers, conditions and arbitration.
    link: https://learn.microsoft.com/en-us/windows/win32/fwp/windows-filtering-platform-start-page
"""

EXAMPLES = r"""
- name: Read what the wfp.ipsec provider owns (the default provider of wfp.ipsec.policy)
  wfp.ipsec.policy_info:
    provider_name: wfp.ipsec
  register: owned

- name: Print it one line per object, by name
  ansible.builtin.debug:
    var: owned.readable.filters

- name: The same provider by key (the default provider's key is 1e62f257-7e9a-56dc-b959-5d3049ae0981)
  wfp.ipsec.policy_info:
    provider_key: 1e62f257-7e9a-56dc-b959-5d3049ae0981

- name: Read every filter at the ALE receive/accept layers
  wfp.ipsec.policy_info:
    layers:
      - FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4
      - FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6
  register: recv_accept

- name: Show the names of those filters
  ansible.builtin.debug:
    msg: "{{ recv_accept.state.filters | map(attribute='name') | list }}"

- name: Which other providers' filters would override ours (shadow analysis)
  wfp.ipsec.policy_info:
    provider_name: wfp.ipsec
    shadowing: true
  register: shadow
"""

RETURN = r"""
state:
  description:
    - A state document (format C(wfp.ipsec.state/1)) as described in the collection's
      C(docs/canonical-form.md). Runtime-assigned fields (filter ids, effective weights,
      provider-context ids) are under each object's C(runtime) key.
  returned: success
  type: dict
  contains:
    format:
      description: Always C(wfp.ipsec.state/1).
      type: str
      sample: wfp.ipsec.state/1
    providers:
      description: Providers, sorted by key.
      type: list
      elements: dict
    sublayers:
      description: Sublayers, sorted by key.
      type: list
      elements: dict
    provider_contexts:
      description: Provider contexts with their IKE/AuthIP main-mode or quick-mode policy.
      type: list
      elements: dict
    filters:
      description: Filters with weight, conditions, action and context, sorted by key.
      type: list
      elements: dict
    unsupported:
      description:
        - Objects the host could not convert, each with C(type), C(key), C(name),
          C(provider_key), C(layer_key), C(sublayer_key) and C(reason); absent when there are none.
        - The shadow analysis reports an unsupported filter on one of our layers as a possible finding.
      returned: when the host holds such objects
      type: list
      elements: dict
shadowing:
  description:
    - Findings of the shadow analysis, one per pair of our filter and a foreign filter that would
      stop it from deciding overlapping traffic (same-sublayer shadow, cross-sublayer block or
      callout, hard-permit veto), with both filters, sublayers, weights, certainty and the reason.
  returned: when O(shadowing) is true
  type: list
  elements: dict
readable:
  description:
    - The same objects, one line each, everything by name. Filters show their layer, action and
      callout (with the raw context by C(FWPM_CONTEXT_*) name), conditions (protocols such as
      C(TCP), address types such as C(NlatUnicast), application ids as paths, ranges as
      C(low-high)), weight (by its C(FWPM_WEIGHT_RANGE_*) when it has one) and provider.
      Well-known objects carry their symbol; indirect strings (C(@bfe.dll,-1217)) say that they
      are Windows text resources.
  returned: success
  type: dict
  contains:
    providers:
      description: One line per provider.
      type: list
      elements: str
    sublayers:
      description: One line per sublayer, with its weight.
      type: list
      elements: str
    provider_contexts:
      description: One line per provider context, with its type.
      type: list
      elements: str
    filters:
      description: One line per filter.
      type: list
      elements: str
      sample:
        - >-
          filter 'wfp.ipsec guaranteed encryption: IPv4 inbound TCP/5555: require encryption':
          FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, CALLOUT_TERMINATING -> FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4
          (FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION), when IP_LOCAL_PORT = 5555 and
          IP_PROTOCOL = TCP and IP_LOCAL_ADDRESS_TYPE = NlatUnicast, weight 512,
          provider 'wfp.ipsec'
provider_key:
  description: The key of the provider O(provider_name) named, when it exists on the host.
  returned: when O(provider_name) is given and found
  type: str
  sample: 1e62f257-7e9a-56dc-b959-5d3049ae0981
msg:
  description:
    - Why a result is empty, when it is, for example no provider of that name on the host, or
      nothing to analyse because the provider owns no filters there.
  returned: sometimes
  type: str
backend:
  description: V(offline) or V(offline-dump) when the host is an offline host.
  returned: offline hosts
  type: str
error:
  description:
    - On failure, the WFP error that caused it (C(error) symbol such as C(FWP_E_ACCESS_DENIED),
      hexadecimal C(code) and C(message)).
  returned: failure
  type: dict
"""
