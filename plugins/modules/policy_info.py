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
  - With O(provider_key), returns the objects that provider owns (the same view
    M(wfp.ipsec.policy) diffs against). With O(layers), returns the filters on those layers and
    the sublayers, provider contexts and providers they reference. With both, the intersection.
    With neither, every object the caller can see.
  - Pre-shared keys are never returned; an authentication method shows its C(key_digest) masked
    as C(********) (docs/secrets.md).
  - Reads happen inside one read-only WFP transaction, so the result is a consistent snapshot.
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
  provider_key:
    description:
      - GUID of the provider whose objects to return.
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
        RV(shadowing). Needs O(provider_key). On live hosts this reads every object of the host.
      - The analysis runs on the controller (offline hosts and netsh dumps included).
    type: bool
    default: false
notes:
  - Hosts with the variable C(wfp_ipsec_offline_state) are read on the controller from their JSON
    state file or C(netsh wfp) dump.
  - Provider contexts of types the collection does not manage (for example general or IKEv2
    contexts) are returned with their C(policy) set to C(unsupported=true).
  - Requires administrator rights and a running Base Filtering Engine (BFE) service.
seealso:
  - module: wfp.ipsec.policy
"""

EXAMPLES = r"""
- name: Read what the wfp.ipsec provider owns
  wfp.ipsec.policy_info:
    provider_key: 0b2b5e48-5d6f-5a0b-9f4c-7c6a2f3e1d10
  register: owned

- name: Read every filter at the ALE receive/accept layers
  wfp.ipsec.policy_info:
    layers:
      - FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4
      - FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6
  register: recv_accept

- name: Which other providers' filters would override ours (shadow analysis)
  wfp.ipsec.policy_info:
    provider_key: 0b2b5e48-5d6f-5a0b-9f4c-7c6a2f3e1d10
    shadowing: true
  register: shadow

- name: Show the names of those filters
  ansible.builtin.debug:
    msg: "{{ recv_accept.state.filters | map(attribute='name') | list }}"
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
shadowing:
  description:
    - Findings of the shadow analysis, one per pair of our filter and a foreign filter that would
      stop it from deciding overlapping traffic (same-sublayer shadow, cross-sublayer block or
      callout, hard-permit veto), with both filters, sublayers, weights, certainty and the reason.
  returned: when O(shadowing) is true
  type: list
  elements: dict
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
