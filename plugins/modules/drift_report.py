# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; it runs entirely on the controller as the action plugin
# plugins/action/drift_report.py (core: plugins/plugin_utils/report.py).

DOCUMENTATION = r"""
---
module: drift_report
short_description: Write one fleet drift report from wfp.ipsec.policy check-mode results
version_added: 0.1.0
description:
  - Collects the check-mode results of M(wfp.ipsec.policy) (or the C(wfp.ipsec.guaranteed_encryption)
    role) of every host and writes one report as JSON, Markdown, HTML and JUnit XML.
  - A host whose plan is not empty (missing, unexpected or changed objects) has drift; a host with
    counted shadowing findings (O(shadowing_threshold)) is shadowed; both are failing test cases in
    JUnit. A host whose check failed, was unreachable or has no result is an error case.
  - Hosts are sorted by severity (failed, unreachable, no result, shadowed, drift, in sync) and the
    shadowing findings of the whole fleet are grouped by foreign filter.
  - The Markdown fits a merge-request comment (65,536 characters, GitHub's limit) whatever the
    size of the fleet; what does not fit is left out with a line saying what and where the full
    report is (O(full_report)).
  - The HTML is one self-contained page (no network) with the fleet at a glance, a host table, and per
    host the sublayers of each of our layers in evaluation order with the filters that decide our
    traffic.
  - Runs on the controller. Run it in a play on C(localhost) after the check play, with O(hosts)
    listing the checked hosts, so that a failure is reported on the controller and its message
    names the failing hosts (as C(playbooks/drift_report.yml) does); C(run_once=true) in the check
    play also works.
author:
  - wfp.ipsec contributors (!UNKNOWN)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode the report is built and returned but no file is written.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  dest:
    description:
      - Directory on the controller to write the reports in (created when missing).
      - The files are C(wfp-ipsec-drift.json), C(wfp-ipsec-drift.md), C(wfp-ipsec-drift.html) and
        C(wfp-ipsec-drift.junit.xml).
    type: path
    required: true
  var:
    description:
      - Name of the variable each host registered the check-mode result in.
      - Ignored when O(results) is given.
    type: str
    default: guaranteed_encryption_result
  hosts:
    description:
      - Hosts to report on. Defaults to every host of the play (C(ansible_play_hosts_all)),
        including hosts that failed or were unreachable.
      - From a play on C(localhost), list the checked hosts, for example
        C("{{ query('ansible.builtin.inventory_hostnames', 'windows') }}").
    type: list
    elements: str
  results:
    description:
      - The results as a mapping of host name to task result, instead of reading O(var) from
        each host's variables.
    type: dict
  formats:
    description:
      - Which files to write.
    type: list
    elements: str
    choices: [json, markdown, html, junit]
    default: [json, markdown, html, junit]
  fail_on_drift:
    description:
      - Fail the task (after writing the reports) when any host has drift or counted shadowing
        findings. The message names the first ten failing hosts, most severe first, with why
        each one fails.
    type: bool
    default: false
  fail_on_errors:
    description:
      - Fail the task when any host could not be checked (failed, unreachable, no result).
      - Defaults to the value of O(fail_on_drift).
    type: bool
  shadowing_threshold:
    description:
      - Which shadowing findings make a host fail. V(possible) counts every finding,
        V(certain) only findings with certainty C(certain), V(covering) only certain findings
        whose foreign filter affects all of our filter's traffic (C(coverage=all)), V(none)
        reports findings without counting them.
      - V(covering) keeps narrow foreign rules (a block for one application, say) in the report
        without failing the host for them.
    type: str
    choices: [possible, certain, covering, none]
    default: covering
  title:
    description:
      - Title of the report.
    type: str
    default: wfp.ipsec drift report
  full_report:
    description:
      - Where readers find the full report, for example the URL of the CI job's artifacts. The
        Markdown names it when it has to leave something out to fit 65,536 characters.
      - Defaults to the names of the HTML and JSON files written beside the Markdown.
    type: str
seealso:
  - module: wfp.ipsec.policy
"""

EXAMPLES = r"""
- name: Check every host (nothing is changed)
  hosts: windows
  gather_facts: false
  check_mode: true
  ignore_errors: true
  ignore_unreachable: true
  roles:
    - role: wfp.ipsec.guaranteed_encryption

- name: Write the fleet drift report on the controller
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Write the fleet drift report
      wfp.ipsec.drift_report:
        hosts: "{{ query('ansible.builtin.inventory_hostnames', 'windows') }}"
        dest: "{{ playbook_dir }}/reports"
        fail_on_drift: true
"""

RETURN = r"""
paths:
  description: The report files, by format.
  returned: always
  type: dict
  sample: {"json": "/srv/ci/reports/wfp-ipsec-drift.json"}
summary:
  description: >-
    Host counts by status (in_sync, drift, shadowed, failed, unreachable, no_result), the number of
    shadowing findings (shadowing_findings) and of counted ones (shadowing_counted).
  returned: always
  type: dict
summary_text:
  description: The summary in one line, with the most severe hosts and where the reports are.
  returned: always
  type: str
  sample: "300 hosts: 250 in sync, 48 drift, 1 shadowed, 1 failed, 0 unreachable, 0 no result; ..."
ok:
  description: Whether every host is in sync with no counted shadowing findings and no error.
  returned: always
  type: bool
drifted_hosts:
  description: Hosts with drift or counted shadowing findings, most severe first.
  returned: always
  type: list
  elements: str
error_hosts:
  description: Hosts that could not be checked.
  returned: always
  type: list
  elements: str
"""
