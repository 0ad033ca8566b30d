# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This file only documents the module; the controller half is plugins/action/policy.py and the
# host half is plugins/modules/policy.ps1.

DOCUMENTATION = r"""
---
module: policy
short_description: Converge the WFP IPsec policy of Windows hosts to a declaration
version_added: 0.1.0
description:
  - Declares the Windows Filtering Platform (WFP) objects of one provider (the provider, its
    sublayer, IPsec provider contexts and filters) and converges hosts to them.
  - The controller validates the declaration, expands scenarios such as Microsoft's
    I(Guaranteed Encryption) into WFP objects with deterministic keys, reads the objects the
    provider owns on the host once, diffs them field by field and applies the ordered plan of
    deletes and adds in a single WFP transaction. WFP objects cannot be updated in place, so a
    changed object is deleted and added again under the same key.
  - Only objects owned by the declared provider are ever touched. Objects of other providers are
    never read for the diff and never changed.
  - Hosts with the variable C(wfp_ipsec_offline_state) are B(offline hosts). Their WFP state is a
    JSON state file (read and written through an engine model with WFP semantics), or a
    C(netsh wfp show state)/C(netsh wfp show filters) dump (read-only, check mode only).
  - Check mode reads the host and reports the drift, the plan, a diff and shadowing findings
    without changing anything.
author:
  - wfp.ipsec contributors (!UNKNOWN)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
options:
  state:
    description:
      - V(present) converges the provider's objects to the declaration.
      - V(absent) removes every object the provider owns (filters, provider contexts, sublayer and
        provider) and nothing else.
    type: str
    choices: [present, absent]
    default: present
  persistent:
    description:
      - Add every object with the C(*_FLAG_PERSISTENT) flag, so the policy survives reboots.
      - Persistent objects may only reference persistent objects of the same provider.
    type: bool
    default: true
  provider:
    description: The WFP provider that owns every declared object.
    type: dict
    suboptions:
      key:
        description:
          - Provider GUID. Defaults to a UUIDv5 derived from O(provider.name), so the same name
            gives the same key on every run and every host.
          - Must not be a provider of Windows (C(FWPM_PROVIDER_*)) or the all-zero GUID; a provider
            that exists without the collection's mark needs O(adopt_provider).
        type: str
      name:
        description: Provider display name; also the prefix of every object name.
        type: str
        default: wfp.ipsec
      description:
        description: Provider description.
        type: str
  sublayer:
    description: The provider's own sublayer, which holds every declared filter.
    type: dict
    suboptions:
      key:
        description:
          - Sublayer GUID. Defaults to a UUIDv5 derived from the provider key.
          - Must not be a sublayer of Windows (C(FWPM_SUBLAYER_*)), the all-zero GUID, or a
            sublayer of another provider.
        type: str
      name:
        description: Sublayer display name.
        type: str
      description:
        description: Sublayer description.
        type: str
      weight:
        description:
          - Sublayer weight (0-65535, higher is evaluated first). The default sits just above
            C(FWPM_SUBLAYER_UNIVERSAL) (32768).
        type: int
        default: 32769
  scenario:
    description:
      - The IPsec scenario that expands into provider contexts and filters, from Microsoft's
        I(IPsec Configuration) family. Set one at most; only one scenario is active per provider,
        and moving a fleet from one to the next (boundary, isolation, guaranteed encryption) is a
        normal converge. See docs/scenario-*.md for every object of every scenario.
    type: dict
    suboptions:
      guaranteed_encryption:
        description:
          - Microsoft's I(Guaranteed Encryption) scenario. Secure all unicast traffic except ICMP
            with IPsec transport mode and negotiation discovery, and require encryption for the
            listed ports.
          - With both keying modules and both IP versions this is 4 provider contexts (IKE and AuthIP
            main mode, IKE and AuthIP quick-mode transport with C(IPSEC_POLICY_FLAG_ND_SECURE)) and
            10 filters per IP version plus 2 per required port and IP version, plus the IKE/AuthIP
            exemptions (36 filters for one port).
          - An empty dict (V({})) selects every default.
        type: dict
        suboptions:
          keying_modules:
            description:
              - Keying modules to install main-mode and quick-mode policies for.
              - AuthIP is preferred when both peers support it.
            type: list
            elements: str
            choices: [authip, ike]
            default: [authip, ike]
          ip_versions: &ip_versions
            description: IP versions to secure.
            type: list
            elements: int
            choices: [4, 6]
            default: [4, 6]
          icmp_exemption: &icmp_exemption
            description: Exempt ICMP/ICMPv6 from IPsec (PERMIT filters in weight range C(FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS)).
            type: bool
            default: true
          ike_exemption: &ike_exemption
            description:
              - Exempt IKE/AuthIP (UDP 500 and 4500 over IPv4, UDP 500 over IPv6) from our IPsec
                callouts, as Microsoft's I(IKE/AuthIP Exemptions) page describes BFE's own exemptions
                - PERMIT filters in our filters' sublayer, weight range C(FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS),
                on every layer where the scenario places a callout; at the ALE layers restricted to
                local system (C(FWPM_CONDITION_ALE_USER_ID) with SDDL C(O:SYG:SYD:(A;;CCRC;;;SY))).
              - BFE's exemptions live in another sublayer and weights only arbitrate inside one
                sublayer, so without these IKE's own packets can reach our "secure all" callouts.
            type: bool
            default: true
          dhcp_exemption: &dhcp_exemption
            description:
              - Exempt DHCP client traffic (UDP local port 68, DHCPv6 546) from IPsec, like Windows
                Firewall's C(FW_GLOBAL_CONFIG_IPSEC_EXEMPT_DHCP).
            type: bool
            default: false
          dns_exemption: &dns_exemption
            description: Exempt DNS (UDP and TCP remote port 53) from IPsec.
            type: bool
            default: false
          exempt_addresses: &exempt_addresses
            description:
              - Remote addresses or subnets exempt from IPsec, for example domain controllers
                (V(10.0.0.10)) or a management subnet (V(10.1.0.0/16), V(fd00::/64)).
              - One PERMIT filter per address, layer and IP version (C(FWPM_CONDITION_IP_REMOTE_ADDRESS)).
            type: list
            elements: str
            default: []
          filter_sublayer: &filter_sublayer
            description:
              - Where the scenario's filters live. V(ours) is the provider's own sublayer (only our
                filters compete there, with the documented weights). V(universal) is
                C(FWPM_SUBLAYER_UNIVERSAL), as Microsoft's I(Using Transport Mode) sample does, where
                any other provider's heavier terminating filter decides first and BFE's own IKE
                exemptions sit beside ours. See docs/scenario-guaranteed-encryption.md.
            type: str
            choices: [ours, universal]
            default: ours
          required_ports:
            description:
              - Local ports whose connections, inbound and outbound, must be encrypted.
              - Required with O(state=present); there is no default, so a forgotten port list never
                yields a policy for a port nobody chose. V([]) secures all unicast traffic without
                requiring encryption on any port.
              - "A port may be a range (V({port: 5000-5010})); a range becomes one C(FWP_MATCH_RANGE)
                condition, and a range overlapping a listed port counts as a duplicate."
              - "Each entry may also be written short: V(8443), V(5000-5010/udp), and the whole list
                as comma-separated text such as V(8443, 5000-5010/udp) or JSON list text, which is
                what C(-e name=value) and survey text fields give."
            type: list
            elements: dict
            suboptions:
              port:
                description:
                  - Local port (1-65535), or a range of local ports written V(low-high), for example V(5000-5010).
                  - A number or text, so a templated V({{ app_port }}) or an extra variable works.
                type: str
                required: true
              protocol:
                description: Transport protocol.
                type: str
                choices: [tcp, udp]
                default: tcp
          exempt_ports: &exempt_ports
            description:
              - Local ports exempt from IPsec (PERMIT filters at the inbound and outbound transport
                layers and at inbound connections, in weight range C(FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS),
                like the ICMP exemptions).
              - List the port the controller manages the host on (5985/5986 for WinRM and PSRP)
                unless the controller itself negotiates IPsec; otherwise the lockout guard refuses
                the policy (see O(allow_management_lockout)).
              - A port cannot be both required and exempt.
              - "Entries and the whole list may be written short, as in O(scenario.guaranteed_encryption.required_ports):
                V(5986), V(5985-5986/tcp)."
            type: list
            elements: dict
            default: []
            suboptions:
              port:
                description:
                  - Local port (1-65535), or a range of local ports written V(low-high), for example V(5000-5010).
                  - A number or text, so a templated V({{ app_port }}) or an extra variable works.
                type: str
                required: true
              protocol:
                description: Transport protocol.
                type: str
                choices: [tcp, udp]
                default: tcp
          recv_accept_raw_context: &recv_accept_raw_context
            description:
              - Set rawContext C(FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY) on the ALE
                receive/accept "secure all unicast" filter, as Microsoft's I(Using Transport Mode)
                sample does. The scenario pages give that filter no rawContext, hence off by default.
            type: bool
            default: false
          main_mode: &main_mode
            description: Main-mode (phase 1) policy shared by both IP versions.
            type: dict
            suboptions:
              proposals:
                description:
                  - Proposals in preference order.
                  - >-
                    Default V([{encryption: aes256, integrity: sha256, dh_group: dh14},
                    {encryption: aes128, integrity: sha256, dh_group: ecp256}]).
                type: list
                elements: dict
                suboptions:
                  encryption:
                    description: Cipher.
                    type: str
                    required: true
                    choices: [des, 3des, aes128, aes192, aes256, aes_gcm128, aes_gcm256]
                  integrity:
                    description: Integrity algorithm.
                    type: str
                    required: true
                    choices: [md5, sha1, sha256, sha384]
                  dh_group:
                    description: Diffie-Hellman group.
                    type: str
                    required: true
                    choices: [none, dh1, dh2, dh14, ecp256, ecp384, dh24]
                  quick_mode_limit:
                    description: Quick-mode SAs per main-mode SA (0 is unlimited).
                    type: int
                    default: 0
              lifetime_seconds:
                description: Main-mode SA lifetime.
                type: int
                default: 28800
              authentication:
                description:
                  - "Authentication methods in preference order. Default V([{method: kerberos}])."
                  - IKE accepts V(kerberos), V(certificate), V(certificate_ecdsa_p256),
                    V(certificate_ecdsa_p384), V(preshared_key); AuthIP accepts V(kerberos),
                    V(certificate), V(ntlm_v2), V(anonymous); IKEv2 accepts V(certificate),
                    V(certificate_ecdsa_p256), V(certificate_ecdsa_p384).
                type: list
                elements: dict
                suboptions: &authentication_method
                  method:
                    description: Authentication method.
                    type: str
                    required: true
                    choices:
                      [kerberos, certificate, certificate_ecdsa_p256, certificate_ecdsa_p384, preshared_key, ntlm_v2, anonymous]
                  key:
                    description: The pre-shared key (V(preshared_key) only). Never returned or shown in diffs or errors.
                    type: str
                  root_subjects:
                    description:
                      - Subjects of trusted root CAs, for example V(CN=Corp Root CA, O=Corp) (the certificate methods only).
                    type: list
                    elements: str
                  trust:
                    description: Where trusted roots come from (the certificate methods only).
                    type: str
                    choices: [explicit_trust_list, enterprise_store, trusted_root_store]
                    default: explicit_trust_list
                  disable_crl_check:
                    description: Skip revocation checks (the certificate methods only; for labs).
                    type: bool
                    default: false
          quick_mode: &quick_mode
            description:
              - Quick-mode (phase 2) transport policy.
              - In O(scenario.guaranteed_encryption) every proposal must encrypt (ESP with a cipher).
            type: dict
            suboptions:
              proposals:
                description:
                  - >-
                    Proposals in preference order. Default V([{protocol: esp, encryption: aes_gcm256},
                    {protocol: esp, encryption: aes256, integrity: sha256},
                    {protocol: esp, encryption: aes128, integrity: sha256}]).
                type: list
                elements: dict
                suboptions:
                  protocol:
                    description: V(esp) or V(ah). V(ah) never encrypts and is refused by O(scenario.guaranteed_encryption).
                    type: str
                    choices: [esp, ah]
                    default: esp
                  encryption:
                    description: ESP cipher. The V(aes_gcm*) ciphers imply their integrity.
                    type: str
                    choices: [des, 3des, aes128, aes192, aes256, aes_gcm128, aes_gcm192, aes_gcm256]
                  integrity:
                    description: ESP/AH integrity.
                    type: str
                    choices: [md5, sha1, sha256, aes_gmac128, aes_gmac192, aes_gmac256]
              lifetime:
                description: "SA lifetime; default V({seconds: 3600, kilobytes: 100000, packets: 2147483647})."
                type: dict
                suboptions:
                  seconds:
                    description: Seconds.
                    type: int
                  kilobytes:
                    description: Kilobytes.
                    type: int
                  packets:
                    description: Packets.
                    type: int
              pfs_group:
                description: Perfect forward secrecy group.
                type: str
                choices: [none, dh1, dh2, dh14, ecp256, ecp384, mm, dh24]
                default: none
              nd_allow_clear_timeout_seconds:
                description: Negotiation-discovery time during which clear text is allowed.
                type: int
                default: 10
              idle_timeout_seconds:
                description: SA idle timeout.
                type: int
                default: 300
              idle_timeout_fail_over_seconds:
                description: SA idle timeout on fail-over.
                type: int
                default: 60
          extended_mode: &extended_mode
            description:
              - Optional AuthIP extended-mode (user) authentication.
              - Needs V(authip) in the scenario's keying_modules. An empty dict means none.
            type: dict
            suboptions:
              authentication:
                description:
                  - Methods, as in the main mode's authentication.
                  - Required unless extended_mode is empty.
                type: list
                elements: dict
                suboptions: *authentication_method
              impersonation:
                description: Initiator impersonation.
                type: str
                choices: [none, socket_principal]
                default: socket_principal
      nd_boundary:
        description:
          - Stage 1, I(boundary). Microsoft's I(Negotiation Discovery Transport Mode in Boundary Mode)
            - request IPsec for all unicast traffic except ICMP in both directions; both fall back
            to clear text when a peer cannot negotiate.
          - QM contexts with C(IPSEC_POLICY_FLAG_ND_BOUNDARY); inbound/outbound transport callouts
            with the negotiation-discovery raw contexts; no ALE receive/accept filter.
          - Same options as O(scenario.guaranteed_encryption) without the port requirements.
        type: dict
        suboptions:
          keying_modules:
            description: Keying modules to install main-mode and quick-mode policies for (AuthIP is preferred).
            type: list
            elements: str
            choices: [authip, ike]
            default: [authip, ike]
          ip_versions: *ip_versions
          icmp_exemption: *icmp_exemption
          ike_exemption: *ike_exemption
          dhcp_exemption: *dhcp_exemption
          dns_exemption: *dns_exemption
          exempt_addresses: *exempt_addresses
          exempt_ports: *exempt_ports
          filter_sublayer: *filter_sublayer
          main_mode: *main_mode
          quick_mode: *quick_mode
          extended_mode: *extended_mode
      nd_transport:
        description:
          - Stage 2, I(isolation) (domain isolation). Microsoft's I(Negotiation Discovery Transport Mode)
            - require IPsec inbound (ALE receive/accept filter with
            C(FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4/V6)) and request it outbound.
          - QM contexts with C(IPSEC_POLICY_FLAG_ND_SECURE).
        type: dict
        suboptions:
          keying_modules:
            description: Keying modules to install main-mode and quick-mode policies for (AuthIP is preferred).
            type: list
            elements: str
            choices: [authip, ike]
            default: [authip, ike]
          ip_versions: *ip_versions
          icmp_exemption: *icmp_exemption
          ike_exemption: *ike_exemption
          dhcp_exemption: *dhcp_exemption
          dns_exemption: *dns_exemption
          exempt_addresses: *exempt_addresses
          exempt_ports: *exempt_ports
          filter_sublayer: *filter_sublayer
          main_mode: *main_mode
          quick_mode: *quick_mode
          extended_mode: *extended_mode
          recv_accept_raw_context: *recv_accept_raw_context
      transport_mode:
        description:
          - Microsoft's I(Transport Mode) - require IPsec for all unicast traffic except ICMP in
            both directions; clear text is dropped until IKE/AuthIP succeeds.
          - QM contexts without negotiation-discovery flags; transport callouts without raw context;
            no ALE filters.
        type: dict
        suboptions:
          keying_modules:
            description: Keying modules to install main-mode and quick-mode policies for (AuthIP is preferred).
            type: list
            elements: str
            choices: [authip, ike]
            default: [authip, ike]
          ip_versions: *ip_versions
          icmp_exemption: *icmp_exemption
          ike_exemption: *ike_exemption
          dhcp_exemption: *dhcp_exemption
          dns_exemption: *dns_exemption
          exempt_addresses: *exempt_addresses
          exempt_ports: *exempt_ports
          filter_sublayer: *filter_sublayer
          main_mode: *main_mode
          quick_mode: *quick_mode
          extended_mode: *extended_mode
      remote_identity_authorization:
        description:
          - I(Server isolation). Microsoft's I(Remote Identity Authorization) - negotiation discovery
            transport mode, and inbound connections to the authorised ports only from the remote
            machines (SD1, main mode) and users (SD2, AuthIP extended mode) a security descriptor
            allows; every other connection to those ports is blocked.
        type: dict
        suboptions:
          keying_modules:
            description: Keying modules to install main-mode and quick-mode policies for (AuthIP is preferred).
            type: list
            elements: str
            choices: [authip, ike]
            default: [authip, ike]
          ip_versions: *ip_versions
          icmp_exemption: *icmp_exemption
          ike_exemption: *ike_exemption
          dhcp_exemption: *dhcp_exemption
          dns_exemption: *dns_exemption
          exempt_addresses: *exempt_addresses
          exempt_ports: *exempt_ports
          filter_sublayer: *filter_sublayer
          main_mode: *main_mode
          quick_mode: *quick_mode
          extended_mode:
            description:
              - AuthIP extended-mode (user) authentication, carried in the AuthIP quick-mode context.
              - "Required while V(authip) is a keying module, for example V({authentication: [{method: kerberos}]})."
            type: dict
            suboptions:
              authentication:
                description: Methods, as in the main mode's authentication.
                type: list
                elements: dict
                suboptions:
                  method:
                    description: Authentication method.
                    type: str
                    required: true
                    choices:
                      [kerberos, certificate, certificate_ecdsa_p256, certificate_ecdsa_p384, preshared_key, ntlm_v2, anonymous]
                  key:
                    description: The pre-shared key (V(preshared_key) only). Never returned or shown in diffs or errors.
                    type: str
                  root_subjects:
                    description: Subjects of trusted root CAs (the certificate methods only).
                    type: list
                    elements: str
                  trust:
                    description: Where trusted roots come from (the certificate methods only).
                    type: str
                    choices: [explicit_trust_list, enterprise_store, trusted_root_store]
                    default: explicit_trust_list
                  disable_crl_check:
                    description: Skip revocation checks (the certificate methods only; for labs).
                    type: bool
                    default: false
              impersonation:
                description: Initiator impersonation.
                type: str
                choices: [none, socket_principal]
                default: socket_principal
          recv_accept_raw_context: *recv_accept_raw_context
          authorized_ports:
            description:
              - "Local ports restricted to the authorised remote identities. Default V([{port: 5555, protocol: tcp}])."
              - "Entries and the whole list may be written short, as in O(scenario.guaranteed_encryption.required_ports):
                V(3389), V(5000-5010/udp)."
            type: list
            elements: dict
            suboptions:
              port:
                description: Local port (1-65535), or a range written V(low-high).
                type: str
                required: true
              protocol:
                description: Transport protocol.
                type: str
                choices: [tcp, udp]
                default: tcp
          remote_machine_sddl:
            description:
              - SD1, the security descriptor (SDDL) of the remote machines allowed in
                (C(FWPM_CONDITION_ALE_REMOTE_MACHINE_ID)), for example
                V(O:SYG:SYD:(A;;CCRC;;;S-1-5-21-...-515)) for Domain Computers. Required.
            type: str
          remote_user_sddl:
            description:
              - SD2, the security descriptor (SDDL) of the remote users allowed in
                (C(FWPM_CONDITION_ALE_REMOTE_USER_ID), from AuthIP extended mode). Optional.
            type: str
      ikev2_transport:
        description:
          - Transport mode with IKEv2 as the keying module (C(FWPM_IPSEC_IKEV2_MM_CONTEXT),
            C(FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT)) and certificate authentication.
          - The contexts are added with C(FwpmProviderContextAdd2) through the C(ikeV2MmPolicy) /
            C(ikeV2QmTransportPolicy) arms of C(FWPM_PROVIDER_CONTEXT2); the main-mode policy
            retransmits for 120 seconds, the minimum Microsoft documents for IKEv2.
        type: dict
        suboptions:
          keying_modules:
            description: The keying module.
            type: list
            elements: str
            choices: [ikev2]
            default: [ikev2]
          ip_versions: *ip_versions
          icmp_exemption: *icmp_exemption
          ike_exemption: *ike_exemption
          dhcp_exemption: *dhcp_exemption
          dns_exemption: *dns_exemption
          exempt_addresses: *exempt_addresses
          exempt_ports: *exempt_ports
          filter_sublayer: *filter_sublayer
          main_mode: *main_mode
          quick_mode: *quick_mode
  objects:
    description:
      - Raw provider contexts and filters in the canonical form (see C(docs/canonical-form.md)),
        for WFP scenarios beyond the built-in ones. Layers, callouts, conditions and built-in
        sublayers may be given as symbols (for example C(FWPM_LAYER_ALE_AUTH_CONNECT_V4)).
      - Each object needs a C(name); its key derives from its C(id) (or name) unless C(key) is given.
        A filter may reference a raw provider context by that id in C(provider_context_key).
        Filters default to the provider's sublayer. Raw objects merge with the scenario's.
    type: dict
    suboptions:
      provider_contexts:
        description: Provider contexts.
        type: list
        elements: dict
      filters:
        description: Filters.
        type: list
        elements: dict
  adopt_provider:
    description:
      - The collection marks the provider it creates (a fixed byte string in the provider's
        C(providerData), see docs/ownership.md) and refuses to change or delete anything of a
        provider that exists on the host without that mark, such as another product's provider
        named in O(provider.key).
      - Set this to V(true) to take over such a provider anyway; its objects are replaced by the
        declared ones (or deleted with O(state=absent)) and it is marked as ours. Also needed once
        for a provider created by a version of this collection that did not mark it yet.
      - Windows' built-in providers and sublayers (C(FWPM_PROVIDER_*), C(FWPM_SUBLAYER_*)) and the
        all-zero GUID are refused always.
    type: bool
    default: false
  allow_management_lockout:
    description:
      - The module refuses a declaration that would require IPsec on the port the controller uses
        to reach the host (5985/5986 for WinRM and PSRP, 22 for SSH, or C(ansible_port)).
        Exempt that port with O(scenario.guaranteed_encryption.exempt_ports), or set this only
        when the controller itself negotiates IPsec with the host.
    type: bool
    default: false
  management_ports:
    description:
      - Extra ports to protect from the lockout guard (for example a jump host's port).
      - The port of the connection Ansible uses is always protected, whichever variable names it
        (C(ansible_port), C(ansible_winrm_port), C(ansible_psrp_port), C(ansible_ssh_port)) or the
        connection plugin's default (5985/5986 by scheme for WinRM and PSRP, 22 for SSH). Offline
        hosts whose inventory sets C(ansible_connection) to V(winrm), V(psrp) or V(ssh) are guarded
        the same way, so a rehearsal refuses what production would refuse.
      - Both directions count (inbound requests, and replies leaving from the port at the outbound
        transport and ALE connect layers). A permit filter counts as an exemption only when it is
        enabled, in the same sublayer and layer, outweighs the enforcing filter and has no
        conditions beyond protocol TCP, the local port and unicast.
      - Each a port number or a range V(low-high).
    type: list
    elements: str
  confirm_timeout:
    description:
      - B(Commit confirmed.) Seconds the host waits for the confirmation of an apply. The apply adds
        every object non-persistent, saves the previous owned objects in a directory only
        administrators and SYSTEM can write, and registers a one-shot SYSTEM scheduled task (at the
        deadline and at startup) that restores them. The controller then resets its connection
        and confirms over a new one, which makes the objects persistent and removes the task.
      - If the confirmation cannot reach the host, the task fails as unreachable and the host
        restores its previous policy by itself at the deadline; a reboot before the confirmation
        also restores it. See C(docs/commit-confirmed.md).
      - A later run that finds an unconfirmed apply whose deadline has not passed confirms it
        first (it reached the host over a new connection), then converges as usual.
      - V(0) applies in one step without confirmation.
      - Offline hosts rehearse the same protocol; set the host variable
        C(wfp_ipsec_offline_simulate=unreachable_after_apply) to rehearse a rollback.
    type: int
    default: 120
  shadow_check:
    description:
      - In check mode, analyse the host's other filters for ones that would stop the declared
        filters from deciding traffic (WFP arbitration) and return them as RV(shadowing).
    type: bool
    default: true
  role_variables:
    description:
      - Take every other option from the variables of this collection's role of that name
        instead of the task's arguments. The C(wfp.ipsec.guaranteed_encryption) role's task is
        C(wfp.ipsec.policy) with only O(role_variables=guaranteed_encryption); the action reads
        the C(guaranteed_encryption_*) variables (the role's options) and templates only those
        that hold a template, so a host's worker compiles no Jinja for literal values.
      - Cannot be combined with any other option. An unset variable fails the task before the
        host is touched, naming the variable.
    type: str
    choices: [guaranteed_encryption]
notes:
  - The roles C(wfp.ipsec.guaranteed_encryption) and C(wfp.ipsec.staged_rollout) wrap this module
    (C(ansible-doc -t role wfp.ipsec.guaranteed_encryption)).
  - Keys are deterministic, so a second run with the same declaration changes nothing.
  - In check mode each host's summary (what would change, in words) and its top shadowing
    findings print as warnings that name the host. Set the variable C(wfp_ipsec_check_summary)
    to V(false) (for example in a fleet report play, which summarises every host itself) to keep
    them to RV(msg) and RV(shadowing).
  - A plan is pre-flighted on an engine model with WFP semantics before it is sent to a host, and
    the host refuses it if its owned objects changed since they were read.
seealso:
  - module: wfp.ipsec.policy_info
  - module: wfp.ipsec.drift_report
  - name: Guaranteed Encryption (Microsoft)
    description: The WFP configuration of the scenario this module installs.
    link: https://learn.microsoft.com/en-us/windows/win32/fwp/guaranteed-encryption
"""

EXAMPLES = r"""
- name: Require encrypted IPsec for TCP 5555, secure all other unicast traffic
  wfp.ipsec.policy:
    scenario:
      guaranteed_encryption:
        required_ports:
          - port: 5555
            protocol: tcp
        exempt_ports:  # the controller's WinRM/PSRP connection (HTTP and HTTPS)
          - port: 5985
          - port: 5986

- name: A port from a variable, a port range, and the WinRM/HTTPS port kept in the clear
  wfp.ipsec.policy:
    scenario:
      guaranteed_encryption:
        required_ports:
          - port: "{{ app_port | default(8443) }}"
          - port: 5000-5010
            protocol: udp
        exempt_ports:
          - port: 5986

- name: IKE only, IPv4 only, certificate authentication
  wfp.ipsec.policy:
    provider:
      name: corp-ipsec
    scenario:
      guaranteed_encryption:
        keying_modules: [ike]
        ip_versions: [4]
        required_ports: [{port: 443}]
        main_mode:
          authentication:
            - method: certificate
              root_subjects: ["CN=Corp Root CA, O=Corp"]

- name: Report drift without changing anything
  wfp.ipsec.policy:
    scenario:
      guaranteed_encryption:
        required_ports: [{port: 5555}]
  check_mode: true
  diff: true
  register: drift

- name: A raw filter next to the scenario (block inbound TCP 23 in our sublayer)
  wfp.ipsec.policy:
    scenario:
      guaranteed_encryption:
        required_ports: [{port: 5555}]
    objects:
      filters:
        - id: block-telnet-v4
          name: block inbound telnet
          layer_key: FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4
          weight: {type: FWP_UINT64, value: 4096}
          conditions:
            - field_key: FWPM_CONDITION_IP_LOCAL_PORT
              match_type: FWP_MATCH_EQUAL
              value: {type: FWP_UINT16, value: 23}
          action: {type: FWP_ACTION_BLOCK}

- name: Remove everything the provider owns
  wfp.ipsec.policy:
    state: absent
"""

RETURN = r"""
changed:
  description: Whether the plan had operations (in check mode, whether it would change the host).
  returned: always
  type: bool
provider_key:
  description: The provider GUID the run managed.
  returned: success
  type: str
  sample: 5d1e4c5e-7a3b-5c11-9f0e-4b7f7b0a1c2d
sublayer_key:
  description: The provider's sublayer GUID.
  returned: success
  type: str
backend:
  description: How the host was reached (V(live), V(offline) or V(offline-dump)).
  returned: success
  type: str
plan:
  description: The ordered operations (deletes first, then adds); a changed object appears as a delete and an add.
  returned: success
  type: list
  elements: dict
  contains:
    op:
      description: V(delete) or V(add).
      type: str
    type:
      description: V(provider), V(sublayer), V(provider_context) or V(filter).
      type: str
    name:
      description: Display name of the object.
      type: str
    key:
      description: Object GUID.
      type: str
    reason:
      description: V(missing), V(unexpected), V(changed), or V(dependency) when a referenced object is re-added.
      type: str
drift:
  description:
    - How many owned objects are missing, unexpected or changed on the host. With
      O(state=absent) every owned object is unexpected; RV(msg) says C(remove N objects).
  returned: success
  type: dict
  sample: {missing: 2, unexpected: 0, changed: 1}
  contains:
    missing:
      description: Declared objects the host lacks.
      type: int
    unexpected:
      description: Objects our provider owns on the host that the declaration does not have.
      type: int
    changed:
      description: Objects on both sides whose fields differ (each is deleted and added again).
      type: int
msg:
  description:
    - >-
      What the run did or would do, in words, for example
      C(check mode: would add 36 filters, 4 provider contexts, 1 sublayer, 1 provider). When the
      plan has more operations than drifted objects, it says why (objects re-added because they
      depend on a replaced object). With O(state=absent), C(remove N objects (...)).
    - In check mode the same sentence and the top shadowing findings are also returned as
      warnings, prefixed with the host name, so they print in the normal output.
  returned: success
  type: str
  sample: "check mode: would add 2 filters; remove 1 filter (3 operations)"
transition:
  description:
    - The plan between the host's stage and the declared one, in words. The stages (no policy,
      boundary, isolation, transport mode, server isolation, guaranteed encryption, IKEv2
      transport) are recognised from the host's objects.
  returned: success
  type: str
  sample: >-
    boundary → isolation: replace 2 quick-mode contexts (flag ND_BOUNDARY → ND_SECURE);
    re-add the 4 quick-mode policy filters that use them; add 7 receive/accept filters
stage:
  description: The stage the host is at (before this run) and the stage declared, as in RV(transition).
  returned: success
  type: dict
  sample: {host: boundary, declared: isolation}
diff:
  description:
    - Ansible's diff, shown with C(--diff), as a list. The first item's C(prepared) text has one
      line per object to add, remove, or re-add unchanged (layer, action and callout, raw context,
      conditions and weight by name); then one field-level C(before)/C(after) (YAML text) per
      changed object. Secrets are masked.
  returned: diff mode
  type: list
  elements: dict
apply:
  description: The host's report of the applied transaction.
  returned: when changes were applied
  type: dict
  contains:
    applied:
      description: Operations applied in the one transaction.
      type: int
    added:
      description: Objects added, by type (C(filter), C(provider_context), C(sublayer), C(provider)).
      type: dict
    deleted:
      description: Objects deleted, by type.
      type: dict
    base_fingerprint:
      description: Fingerprint of the owned objects the plan was computed from (checked by the host before applying).
      type: str
    fingerprint:
      description: Fingerprint of the owned objects after the transaction.
      type: str
shadowing:
  description:
    - Filters of other providers that would stop a declared filter from deciding matching traffic
      under WFP arbitration, with both filters, their sublayers and weights and the reason.
  returned: check mode, when O(shadow_check) is true and O(state=present)
  type: list
  elements: dict
  contains:
    rule:
      description: The arbitration rule, for example C(cross-sublayer-block) or C(same-sublayer-shadow).
      type: str
    certainty:
      description: V(certain), or V(possible) when weights or run-time decisions leave it open.
      type: str
    overlap:
      description: V(overlaps) or V(may overlap) (the traffic both filters match).
      type: str
    coverage:
      description: V(all) when every packet our filter matches is affected, V(some) otherwise.
      type: str
    layer:
      description: The layer symbol.
      type: str
    layer_key:
      description: The layer GUID.
      type: str
    ours:
      description: Our filter (key, name, action, sublayer and weights).
      type: dict
    theirs:
      description: The other provider's filter (key, name, provider, action, hardness, sublayer and weights).
      type: dict
    why:
      description: The reason in words.
      type: str
confirmation:
  description:
    - Commit confirmed - V(confirmed) (applied, then confirmed over a new connection),
      V(pending) (check mode found an unconfirmed apply) or V(rolled_back), with the
      C(deadline) (UTC, ISO 8601) and the fingerprints involved.
  returned: when an apply ran with O(confirm_timeout) above 0, or a pending apply was found
  type: dict
problems:
  description: Every problem found in the declaration (field path and fix).
  returned: when the declaration is invalid
  type: list
  elements: str
ownership:
  description:
    - Why the run refused to touch the provider or sublayer (see O(adopt_provider)); nothing was
      planned or changed.
  returned: when the declared provider or sublayer is not ours to manage
  type: list
  elements: str
internal_error:
  description:
    - The type of an unexpected error (a bug in the collection) that failed the task instead of a
      traceback.
  returned: on an unexpected error
  type: str
"""
