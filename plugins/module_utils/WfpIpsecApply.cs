// Copyright: (c) 2026, wfp.ipsec contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
//
// The write half of the wfp.ipsec host layer: canonical JSON -> native structs, and the atomic,
// fingerprinted apply of a plan. Only the policy module's apply needs it, so the read-only
// policy_info module and the controller's reads do not compile it (docs/host-layer.md, "Split").
// C# 5 only; pure BCL + P/Invoke, like WfpIpsec.cs (the `using` below makes Ansible ship it).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Principal;
using System.Text;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec;
using Convert = ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec.Convert;

//TypeAccelerator -Name WfpIpsec.PolicyApply -TypeName PolicyApply

namespace ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecApply
{
    /// <summary>Entry point called by plugins/modules/policy.ps1 for _operation=apply.</summary>
    public static class PolicyApply
    {
        /// <summary>Apply a plan (docs/canonical-form.md, Plan) in one transaction of a
        /// non-dynamic session. The owned state is re-read inside the transaction and the plan
        /// is refused when its fingerprint differs from base_fingerprint. On any failure the
        /// transaction is aborted and a WfpException names the failing operation.</summary>
        public static string Apply(string planJson)
        {
            Dictionary<string, object> plan = Convert.AsDict(Json.Parse(planJson), "plan");
            if (Convert.Str(plan, "format", "plan") != PolicyHost.PlanFormat)
                throw WfpException.Invalid("plan.format: expected " + PolicyHost.PlanFormat);
            string owner = Convert.GuidText(Convert.Str(plan, "provider_key", "plan"), "plan.provider_key");
            string expected = Convert.Str(plan, "base_fingerprint", "plan");
            List<object> operations = Convert.AsList(Convert.Get(plan, "operations"), "plan.operations");

            using (Session session = Session.Open())
            {
                session.Begin(false);
                try
                {
                    Dictionary<string, object> before = session.ReadOwned(owner);
                    RefuseUnsupported(before);
                    string actual = PolicyHost.Fingerprint(before);
                    if (actual != expected)
                    {
                        Dictionary<string, object> details = new Dictionary<string, object>();
                        details["base_fingerprint"] = expected;
                        details["actual_fingerprint"] = actual;
                        throw new WfpException(0, "WFP_IPSEC_STALE_PLAN",
                            "the provider's objects changed since the plan was made (fingerprint " + actual +
                            ", plan expects " + expected + "); nothing was written, re-run to re-plan",
                            details);
                    }
                    HashSet<string> owned = OwnedKeys(before);
                    for (int index = 0; index < operations.Count; index++)
                        ApplyOperation(session, owner, owned, index, operations[index]);
                    session.Commit();
                }
                catch
                {
                    session.Abort();
                    throw;
                }
                Dictionary<string, object> result = new Dictionary<string, object>();
                result["applied"] = (long)operations.Count;
                result["base_fingerprint"] = expected;
                try
                {
                    session.Begin(true);
                    Dictionary<string, object> after = session.ReadOwned(owner);
                    session.Commit();
                    result["fingerprint"] = PolicyHost.Fingerprint(after);
                    result["state"] = after;
                }
                catch (Exception error)
                {
                    // The plan is committed: never report "nothing changed" because the read-back failed.
                    session.Abort();
                    WfpException wfp = WfpException.Find(error);
                    result["fingerprint"] = null;
                    result["state"] = null;
                    result["warnings"] = new List<object> {
                        String.Format(CultureInfo.InvariantCulture,
                            "the plan was applied and committed ({0} operations), but reading the provider's objects back failed: {1}; re-run to verify",
                            operations.Count, wfp != null ? wfp.Message : error.GetType().Name + ": " + error.Message) };
                }
                return Json.Serialize(result);
            }
        }

        /// <summary>The provider owns an object the host cannot read: a plan made without it
        /// would be wrong, so nothing is written.</summary>
        internal static void RefuseUnsupported(Dictionary<string, object> owned)
        {
            object raw;
            if (!owned.TryGetValue("unsupported", out raw)) return;
            List<string> objects = new List<string>();
            foreach (object item in (List<object>)raw)
            {
                Dictionary<string, object> record = (Dictionary<string, object>)item;
                objects.Add(String.Format("{0} {1}: {2}", record["type"], record["key"], record["reason"]));
            }
            Dictionary<string, object> details = new Dictionary<string, object>();
            details["unsupported"] = raw;
            throw new WfpException(0, "WFP_IPSEC_UNSUPPORTED_OBJECT",
                "the provider owns objects this collection cannot read (" + String.Join("; ", objects.ToArray()) +
                "); nothing was written: delete them by key, then re-run", details);
        }

        internal static HashSet<string> OwnedKeys(Dictionary<string, object> state)
        {
            HashSet<string> keys = new HashSet<string>();
            foreach (string list in Convert.ListNames)
                foreach (object item in (List<object>)state[list])
                    keys.Add((string)((Dictionary<string, object>)item)["key"]);
            return keys;
        }

        internal static void ApplyOperation(Session session, string owner, HashSet<string> owned, int index, object raw)
        {
            Dictionary<string, object> details = new Dictionary<string, object>();
            details["operation_index"] = (long)index;
            Dictionary<string, object> op = Convert.AsDict(raw, "plan.operations[" + index + "]");
            string verb = op.ContainsKey("op") ? op["op"] as string : null;
            string type = op.ContainsKey("type") ? op["type"] as string : null;
            string key = op.ContainsKey("key") ? op["key"] as string : null;
            details["op"] = verb;
            details["type"] = type;
            details["key"] = key;
            details["name"] = op.ContainsKey("name") ? op["name"] : null;
            string what = String.Format("operation {0} ({1} {2} {3})", index, verb, type, key);
            try
            {
                if (type == null || Array.IndexOf(Convert.ObjectTypes, type) < 0)
                    throw WfpException.Invalid("type must be one of provider, sublayer, provider_context, filter");
                Guid guid = new Guid(Convert.GuidText(key, "key"));
                if (verb == "delete")
                {
                    if (!owned.Contains(guid.ToString("D")))
                        throw WfpException.Invalid("refusing to delete an object the provider does not own");
                    Writes.Delete(session, type, guid);
                }
                else if (verb == "add")
                {
                    Dictionary<string, object> obj = Convert.AsDict(Convert.Get(op, "object"), "object");
                    if (Convert.GuidText(Convert.Str(obj, "key", "object"), "object.key") != guid.ToString("D"))
                        throw WfpException.Invalid("object.key differs from the operation's key");
                    string objectOwner = type == "provider" ? guid.ToString("D")
                        : Convert.OptionalGuidText(obj, "provider_key", "object");
                    if (objectOwner != owner)
                        throw WfpException.Invalid("the object is not owned by the plan's provider " + owner);
                    Writes.Add(session, type, obj);
                }
                else
                {
                    throw WfpException.Invalid("op must be add or delete");
                }
            }
            catch (WfpException error)
            {
                foreach (KeyValuePair<string, object> pair in error.Details)
                    details[pair.Key] = pair.Value;
                throw new WfpException(error.Code, error.Symbol, what + ": " + error.Message, details);
            }
        }
    }

    /// <summary>Add and delete by object type, in the caller's transaction.</summary>
    internal static class Writes
    {
        internal static void Add(Session session, string type, Dictionary<string, object> obj)
        {
            using (Arena arena = new Arena())
            {
                uint status;
                ulong id;
                switch (type)
                {
                    case "provider":
                        NativeHelpers.FWPM_PROVIDER0 provider = Writer.ProviderToNative(obj, arena);
                        status = NativeMethods.FwpmProviderAdd0(session.Engine, ref provider, IntPtr.Zero);
                        break;
                    case "sublayer":
                        NativeHelpers.FWPM_SUBLAYER0 sublayer = Writer.SubLayerToNative(obj, arena);
                        status = NativeMethods.FwpmSubLayerAdd0(session.Engine, ref sublayer, IntPtr.Zero);
                        break;
                    case "provider_context":
                        NativeHelpers.FWPM_PROVIDER_CONTEXT2 context = Writer.ProviderContextToNative(obj, arena);
                        status = NativeMethods.FwpmProviderContextAdd2(session.Engine, ref context, IntPtr.Zero, out id);
                        break;
                    default:
                        NativeHelpers.FWPM_FILTER0 filter = Writer.FilterToNative(obj, arena);
                        status = NativeMethods.FwpmFilterAdd0(session.Engine, ref filter, IntPtr.Zero, out id);
                        break;
                }
                Session.Check(status, AddFunction(type));
            }
        }

        internal static void Delete(Session session, string type, Guid key)
        {
            uint status;
            switch (type)
            {
                case "provider": status = NativeMethods.FwpmProviderDeleteByKey0(session.Engine, ref key); break;
                case "sublayer": status = NativeMethods.FwpmSubLayerDeleteByKey0(session.Engine, ref key); break;
                case "provider_context": status = NativeMethods.FwpmProviderContextDeleteByKey0(session.Engine, ref key); break;
                default: status = NativeMethods.FwpmFilterDeleteByKey0(session.Engine, ref key); break;
            }
            Session.Check(status, DeleteFunction(type));
        }

        private static string AddFunction(string type)
        {
            switch (type)
            {
                case "provider": return "FwpmProviderAdd0";
                case "sublayer": return "FwpmSubLayerAdd0";
                case "provider_context": return "FwpmProviderContextAdd2";
                default: return "FwpmFilterAdd0";
            }
        }

        private static string DeleteFunction(string type)
        {
            switch (type)
            {
                case "provider": return "FwpmProviderDeleteByKey0";
                case "sublayer": return "FwpmSubLayerDeleteByKey0";
                case "provider_context": return "FwpmProviderContextDeleteByKey0";
                default: return "FwpmFilterDeleteByKey0";
            }
        }
    }

    /// <summary>Canonical JSON -> native structs (the inverse of Convert's *FromNative).</summary>
    internal abstract class Writer : Convert
    {
        private static byte[] OptionalHex(Dictionary<string, object> d, string key, string path)
        {
            string text = OptionalStr(d, key);
            return text == null ? null : FromHex(text, path + "." + key);
        }

        private static NativeHelpers.FWPM_DISPLAY_DATA0 Display(Dictionary<string, object> d, Arena arena)
        {
            NativeHelpers.FWPM_DISPLAY_DATA0 display = new NativeHelpers.FWPM_DISPLAY_DATA0();
            display.name = arena.Str(OptionalStr(d, "name") ?? "");
            display.description = arena.Str(OptionalStr(d, "description"));
            return display;
        }

        private static IntPtr ProviderKeyPtr(Dictionary<string, object> d, string path, Arena arena)
        {
            string owner = OptionalGuidText(d, "provider_key", path);
            return owner == null ? IntPtr.Zero : arena.GuidPtr(new Guid(owner));
        }

        internal static NativeHelpers.FWPM_PROVIDER0 ProviderToNative(Dictionary<string, object> d, Arena arena)
        {
            NativeHelpers.FWPM_PROVIDER0 p = new NativeHelpers.FWPM_PROVIDER0();
            p.providerKey = new Guid(GuidText(Str(d, "key", "provider"), "provider.key"));
            p.displayData = Display(d, arena);
            p.flags = Catalogue.Flags("FWPM_PROVIDER_FLAG", Get(d, "flags"), "provider.flags");
            p.providerData = arena.Blob(OptionalHex(d, "provider_data", "provider"));
            p.serviceName = arena.Str(OptionalStr(d, "service_name"));
            return p;
        }

        internal static NativeHelpers.FWPM_SUBLAYER0 SubLayerToNative(Dictionary<string, object> d, Arena arena)
        {
            NativeHelpers.FWPM_SUBLAYER0 s = new NativeHelpers.FWPM_SUBLAYER0();
            s.subLayerKey = new Guid(GuidText(Str(d, "key", "sublayer"), "sublayer.key"));
            s.displayData = Display(d, arena);
            s.flags = Catalogue.Flags("FWPM_SUBLAYER_FLAG", Get(d, "flags"), "sublayer.flags");
            s.providerKey = ProviderKeyPtr(d, "sublayer", arena);
            s.providerData = arena.Blob(OptionalHex(d, "provider_data", "sublayer"));
            s.weight = (ushort)UInt(d, "weight", "sublayer", 0xFFFF);
            return s;
        }

        internal static NativeHelpers.FWPM_PROVIDER_CONTEXT2 ProviderContextToNative(Dictionary<string, object> d, Arena arena)
        {
            const string path = "provider_context";
            NativeHelpers.FWPM_PROVIDER_CONTEXT2 c = new NativeHelpers.FWPM_PROVIDER_CONTEXT2();
            string key = GuidText(Str(d, "key", path), path + ".key");
            c.providerContextKey = new Guid(key);
            c.displayData = Display(d, arena);
            c.flags = Catalogue.Flags("FWPM_PROVIDER_CONTEXT_FLAG", Get(d, "flags"), path + ".flags");
            c.providerKey = ProviderKeyPtr(d, path, arena);
            string type = Str(d, "type", path);
            c.type = Catalogue.Value("FWPM_PROVIDER_CONTEXT_TYPE", type, path + ".type");
            Dictionary<string, object> policy = AsDict(Get(d, "policy"), path + ".policy");
            c.providerData = arena.Blob(EncodePskRecord(PskDigests(policy, key), OptionalHex(d, "provider_data", path)));
            if (IsIkeV2(type))
                CheckIkeV2(policy, type, path + ".policy");
            if (type == "FWPM_IPSEC_IKEV2_MM_CONTEXT")
                c.ikeV2MmPolicy = arena.Struct(MainModeToNative(policy, key, arena));
            else if (type == "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT")
                c.ikeV2QmTransportPolicy = arena.Struct(QuickModeToNative(policy, key, type, arena));
            else if (type == "FWPM_IPSEC_AUTHIP_MM_CONTEXT")
                c.authIpMmPolicy = arena.Struct(MainModeToNative(policy, key, arena));
            else if (type == "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT")
                c.authipQmTransportPolicy = arena.Struct(QuickModeToNative(policy, key, type, arena));
            else if (IsMainMode(type))
                c.ikeMmPolicy = arena.Struct(MainModeToNative(policy, key, arena));
            else if (IsQuickModeTransport(type))
                c.ikeQmTransportPolicy = arena.Struct(QuickModeToNative(policy, key, type, arena));
            else
                throw WfpException.Invalid(path + ".type: " + type + " contexts are read-only in this collection");
            return c;
        }

        /// <summary>What Microsoft documents as not IKEv2's, refused before BFE sees it (the
        /// engine model mirrors these; docs/scenario-ikev2-transport.md, "Rules"): authentication
        /// other than certificates (pre-shared keys are "available only for IKE"; anonymous, SSL
        /// and NTLMv2 only for AuthIP; EAP is not written by this collection), the AuthIP-only
        /// policy flags and impersonation, and a retransmit duration under 120 seconds.
        /// Extended mode is left to BFE (FWP_E_EM_NOT_SUPPORTED).</summary>
        private static void CheckIkeV2(Dictionary<string, object> p, string type, string path)
        {
            List<object> methods = OptionalList(p, "authentication_methods", path);
            for (int i = 0; i < methods.Count; i++)
            {
                string mpath = path + ".authentication_methods[" + i + "].type";
                string methodType = Str(AsDict(methods[i], mpath), "type", mpath);
                if (!IsCertificateMethod(methodType))
                    throw WfpException.Invalid(mpath + ": " + methodType + " is not for IKEv2; use IKEEXT_CERTIFICATE, IKEEXT_CERTIFICATE_ECDSA_P256 or IKEEXT_CERTIFICATE_ECDSA_P384");
            }
            foreach (object flag in OptionalList(p, "flags", path))
            {
                string name = flag as string;
                if (name == "IKEEXT_POLICY_FLAG_NO_IMPERSONATION_LUID_VERIFY" || name == "IKEEXT_POLICY_FLAG_ENABLE_OPTIONAL_DH" ||
                    name == "IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY")
                    throw WfpException.Invalid(path + ".flags: " + name + " applies only to AuthIP");
            }
            if (type != "FWPM_IPSEC_IKEV2_MM_CONTEXT") return;
            string impersonation = OptionalStr(p, "initiator_impersonation");
            if (impersonation != null && impersonation != "IKEEXT_IMPERSONATION_NONE")
                throw WfpException.Invalid(path + ".initiator_impersonation: " + impersonation + " applies only to AuthIP; use IKEEXT_IMPERSONATION_NONE");
            if (UInt(p, "retransmit_duration_seconds", path, UInt32.MaxValue) < 120)
                throw WfpException.Invalid(path + ".retransmit_duration_seconds: IKEv2 needs at least 120 seconds");
        }

        private static NativeHelpers.IKEEXT_POLICY2 MainModeToNative(Dictionary<string, object> p, string contextKey, Arena arena)
        {
            const string path = "policy";
            NativeHelpers.IKEEXT_POLICY2 policy = new NativeHelpers.IKEEXT_POLICY2();
            policy.softExpirationTime = (uint)UInt(p, "soft_expiration_seconds", path, UInt32.MaxValue);
            List<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2> methods = AuthMethodsToNative(p, contextKey, path, arena);
            policy.numAuthenticationMethods = (uint)methods.Count;
            policy.authenticationMethods = arena.Array(methods);
            policy.initiatorImpersonationType = Catalogue.Value("IKEEXT_IMPERSONATION", Get(p, "initiator_impersonation"), path + ".initiator_impersonation");
            List<NativeHelpers.IKEEXT_PROPOSAL0> proposals = new List<NativeHelpers.IKEEXT_PROPOSAL0>();
            List<object> raw = OptionalList(p, "proposals", path);
            for (int i = 0; i < raw.Count; i++)
            {
                string ppath = path + ".proposals[" + i + "]";
                Dictionary<string, object> item = AsDict(raw[i], ppath);
                NativeHelpers.IKEEXT_PROPOSAL0 proposal = new NativeHelpers.IKEEXT_PROPOSAL0();
                proposal.cipherAlgorithm.algoIdentifier = Catalogue.Value("IKEEXT_CIPHER", Get(item, "cipher"), ppath + ".cipher");
                proposal.integrityAlgorithm.algoIdentifier = Catalogue.Value("IKEEXT_INTEGRITY", Get(item, "integrity"), ppath + ".integrity");
                proposal.dhGroup = Catalogue.Value("IKEEXT_DH_GROUP", Get(item, "dh_group"), ppath + ".dh_group");
                proposal.maxLifetimeSeconds = (uint)UInt(item, "max_lifetime_seconds", ppath, UInt32.MaxValue);
                proposal.quickModeLimit = (uint)UInt(item, "quick_mode_limit", ppath, UInt32.MaxValue);
                proposals.Add(proposal);
            }
            policy.numIkeProposals = (uint)proposals.Count;
            policy.ikeProposals = arena.Array(proposals);
            policy.flags = Catalogue.Flags("IKEEXT_POLICY_FLAG", Get(p, "flags"), path + ".flags");
            policy.maxDynamicFilters = (uint)UInt(p, "max_dynamic_filters", path, UInt32.MaxValue);
            policy.retransmitDurationSecs = (uint)UInt(p, "retransmit_duration_seconds", path, UInt32.MaxValue);
            return policy;
        }

        private static NativeHelpers.IPSEC_TRANSPORT_POLICY2 QuickModeToNative(Dictionary<string, object> p, string contextKey, string type, Arena arena)
        {
            const string path = "policy";
            NativeHelpers.IPSEC_TRANSPORT_POLICY2 policy = new NativeHelpers.IPSEC_TRANSPORT_POLICY2();
            List<NativeHelpers.IPSEC_PROPOSAL0> proposals = new List<NativeHelpers.IPSEC_PROPOSAL0>();
            List<object> raw = OptionalList(p, "proposals", path);
            for (int i = 0; i < raw.Count; i++)
            {
                string ppath = path + ".proposals[" + i + "]";
                Dictionary<string, object> item = AsDict(raw[i], ppath);
                Dictionary<string, object> lifetime = AsDict(Get(item, "lifetime"), ppath + ".lifetime");
                NativeHelpers.IPSEC_PROPOSAL0 proposal = new NativeHelpers.IPSEC_PROPOSAL0();
                proposal.lifetime.lifetimeSeconds = (uint)UInt(lifetime, "seconds", ppath + ".lifetime", UInt32.MaxValue);
                proposal.lifetime.lifetimeKilobytes = (uint)UInt(lifetime, "kilobytes", ppath + ".lifetime", UInt32.MaxValue);
                proposal.lifetime.lifetimePackets = (uint)UInt(lifetime, "packets", ppath + ".lifetime", UInt32.MaxValue);
                List<NativeHelpers.IPSEC_SA_TRANSFORM0> transforms = new List<NativeHelpers.IPSEC_SA_TRANSFORM0>();
                List<object> rawTransforms = OptionalList(item, "transforms", ppath);
                for (int t = 0; t < rawTransforms.Count; t++)
                    transforms.Add(TransformToNative(AsDict(rawTransforms[t], ppath + ".transforms[" + t + "]"), ppath + ".transforms[" + t + "]", arena));
                proposal.numSaTransforms = (uint)transforms.Count;
                proposal.saTransforms = arena.Array(transforms);
                proposal.pfsGroup = Catalogue.Value("IPSEC_PFS_GROUP", Get(item, "pfs_group"), ppath + ".pfs_group");
                proposals.Add(proposal);
            }
            policy.numIpsecProposals = (uint)proposals.Count;
            policy.ipsecProposals = arena.Array(proposals);
            policy.flags = Catalogue.Flags("IPSEC_POLICY_FLAG", Get(p, "flags"), path + ".flags");
            policy.ndAllowClearTimeoutSeconds = (uint)UInt(p, "nd_allow_clear_timeout_seconds", path, UInt32.MaxValue);
            policy.saIdleTimeout.idleTimeoutSeconds = (uint)UInt(p, "idle_timeout_seconds", path, UInt32.MaxValue);
            policy.saIdleTimeout.idleTimeoutSecondsFailOver = (uint)UInt(p, "idle_timeout_fail_over_seconds", path, UInt32.MaxValue);
            object em = Get(p, "em_policy");
            if (em != null)
            {
                // Extended mode exists only for AuthIP; BFE answers FWP_E_EM_NOT_SUPPORTED otherwise
                // (IKE and, by the same rule, IKEv2: the stand-in and the engine model do the same).
                Dictionary<string, object> emDict = AsDict(em, path + ".em_policy");
                NativeHelpers.IKEEXT_EM_POLICY2 emPolicy = new NativeHelpers.IKEEXT_EM_POLICY2();
                List<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2> methods = AuthMethodsToNative(emDict, contextKey, path + ".em_policy", arena);
                emPolicy.numAuthenticationMethods = (uint)methods.Count;
                emPolicy.authenticationMethods = arena.Array(methods);
                emPolicy.initiatorImpersonationType = Catalogue.Value("IKEEXT_IMPERSONATION", Get(emDict, "initiator_impersonation"), path + ".em_policy.initiator_impersonation");
                policy.emPolicy = arena.Struct(emPolicy);
            }
            return policy;
        }

        private static NativeHelpers.IPSEC_SA_TRANSFORM0 TransformToNative(Dictionary<string, object> t, string path, Arena arena)
        {
            NativeHelpers.IPSEC_SA_TRANSFORM0 transform = new NativeHelpers.IPSEC_SA_TRANSFORM0();
            string type = Str(t, "type", path);
            transform.ipsecTransformType = Catalogue.Value("IPSEC_TRANSFORM_TYPE", type, path + ".type");
            NativeHelpers.IPSEC_AUTH_TRANSFORM0 auth = new NativeHelpers.IPSEC_AUTH_TRANSFORM0();
            NativeHelpers.IPSEC_CIPHER_TRANSFORM0 cipher = new NativeHelpers.IPSEC_CIPHER_TRANSFORM0();
            if (HasAuth(type))
            {
                Dictionary<string, object> a = AsDict(Get(t, "auth"), path + ".auth");
                auth.authTransformId.authType = Catalogue.Value("IPSEC_AUTH_TYPE", Get(a, "type"), path + ".auth.type");
                auth.authTransformId.authConfig = (byte)Catalogue.Value("IPSEC_AUTH_CONFIG", Get(a, "config"), path + ".auth.config");
            }
            if (HasCipher(type))
            {
                Dictionary<string, object> c = AsDict(Get(t, "cipher"), path + ".cipher");
                cipher.cipherTransformId.cipherType = Catalogue.Value("IPSEC_CIPHER_TYPE", Get(c, "type"), path + ".cipher.type");
                cipher.cipherTransformId.cipherConfig = (byte)Catalogue.Value("IPSEC_CIPHER_CONFIG", Get(c, "config"), path + ".cipher.config");
            }
            switch (type)
            {
                case "IPSEC_TRANSFORM_AH": transform.ahTransform = arena.Struct(auth); break;
                case "IPSEC_TRANSFORM_ESP_AUTH": transform.espAuthTransform = arena.Struct(auth); break;
                case "IPSEC_TRANSFORM_ESP_CIPHER": transform.espCipherTransform = arena.Struct(cipher); break;
                case "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER":
                    NativeHelpers.IPSEC_AUTH_AND_CIPHER_TRANSFORM0 both = new NativeHelpers.IPSEC_AUTH_AND_CIPHER_TRANSFORM0();
                    both.authTransform = auth;
                    both.cipherTransform = cipher;
                    transform.espAuthAndCipherTransform = arena.Struct(both);
                    break;
                default: throw WfpException.Invalid(path + ".type: " + type + " is not supported");
            }
            return transform;
        }

        private static List<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2> AuthMethodsToNative(Dictionary<string, object> owner, string contextKey, string path, Arena arena)
        {
            List<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2> result = new List<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2>();
            List<object> raw = OptionalList(owner, "authentication_methods", path);
            for (int i = 0; i < raw.Count; i++)
                result.Add(AuthMethodToNative(AsDict(raw[i], path), path + ".authentication_methods[" + i + "]", arena));
            return result;
        }

        private static NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2 AuthMethodToNative(Dictionary<string, object> m, string path, Arena arena)
        {
            NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2 method = new NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2();
            string type = Str(m, "type", path);
            method.authenticationMethodType = Catalogue.Value("IKEEXT_AUTHENTICATION_METHOD_TYPE", type, path + ".type");
            switch (type)
            {
                case "IKEEXT_KERBEROS":
                    method.kerberosAuthentication.flags = Catalogue.Flags("IKEEXT_KERB_AUTH", Get(m, "flags"), path + ".flags");
                    break;
                case "IKEEXT_NTLM_V2":
                    method.ntlmV2Authentication.flags = Catalogue.Flags("IKEEXT_NTLM_V2_AUTH", Get(m, "flags"), path + ".flags");
                    break;
                case "IKEEXT_ANONYMOUS":
                    break;
                case "IKEEXT_PRESHARED_KEY":
                    string key = OptionalStr(m, "key");
                    if (key == null)
                        throw WfpException.Invalid(path + ": writing a pre-shared key method needs `key` (a key_digest cannot be written)");
                    method.presharedKeyAuthentication.presharedKey = arena.Blob(Encoding.Unicode.GetBytes(key));
                    break;
                case "IKEEXT_CERTIFICATE":
                case "IKEEXT_CERTIFICATE_ECDSA_P256":
                case "IKEEXT_CERTIFICATE_ECDSA_P384":
                case "IKEEXT_SSL":
                    NativeHelpers.IKEEXT_CERTIFICATE_AUTHENTICATION2 cert = new NativeHelpers.IKEEXT_CERTIFICATE_AUTHENTICATION2();
                    cert.inboundConfigType = Catalogue.Value("IKEEXT_CERT_CONFIG", Get(m, "inbound_config"), path + ".inbound_config");
                    cert.outboundConfigType = Catalogue.Value("IKEEXT_CERT_CONFIG", Get(m, "outbound_config"), path + ".outbound_config");
                    List<NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0> roots = new List<NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0>();
                    foreach (object subject in OptionalList(m, "root_subjects", path))
                    {
                        NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0 root = new NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0();
                        root.certData = arena.Blob(new X500DistinguishedName((string)subject).RawData);
                        roots.Add(root);
                    }
                    IntPtr rootArray = arena.Array(roots);
                    // Explicit trust lists carry the root subjects; the store-based configs use none.
                    if (cert.inboundConfigType == Catalogue.Value("IKEEXT_CERT_CONFIG", "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST", path))
                    {
                        cert.inboundRootArraySize = (uint)roots.Count;
                        cert.inboundRootCriteria = rootArray;
                    }
                    if (cert.outboundConfigType == Catalogue.Value("IKEEXT_CERT_CONFIG", "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST", path))
                    {
                        cert.outboundRootArraySize = (uint)roots.Count;
                        cert.outboundRootCriteria = rootArray;
                    }
                    cert.flags = Catalogue.Flags("IKEEXT_CERT_AUTH_FLAG", Get(m, "flags"), path + ".flags");
                    if (type == "IKEEXT_SSL") method.sslAuthentication = cert;
                    else method.certificateAuthentication = cert;
                    break;
                default:
                    throw WfpException.Invalid(path + ".type: " + type + " is not supported by this collection");
            }
            return method;
        }

        internal static NativeHelpers.FWPM_FILTER0 FilterToNative(Dictionary<string, object> d, Arena arena)
        {
            const string path = "filter";
            NativeHelpers.FWPM_FILTER0 f = new NativeHelpers.FWPM_FILTER0();
            f.filterKey = new Guid(GuidText(Str(d, "key", path), path + ".key"));
            f.displayData = Display(d, arena);
            uint flags = Catalogue.Flags("FWPM_FILTER_FLAG", Get(d, "flags"), path + ".flags");
            f.providerKey = ProviderKeyPtr(d, path, arena);
            f.providerData = arena.Blob(OptionalHex(d, "provider_data", path));
            f.layerKey = new Guid(GuidText(Str(d, "layer_key", path), path + ".layer_key"));
            string sublayer = OptionalGuidText(d, "sublayer_key", path);
            f.subLayerKey = sublayer == null ? Guid.Empty : new Guid(sublayer);
            object weight = Get(d, "weight");
            f.weight = ToValue0(weight == null ? EmptyValue() : AsDict(weight, path + ".weight"), path + ".weight", arena);
            List<NativeHelpers.FWPM_FILTER_CONDITION0> conditions = new List<NativeHelpers.FWPM_FILTER_CONDITION0>();
            List<object> raw = OptionalList(d, "conditions", path);
            for (int i = 0; i < raw.Count; i++)
            {
                string cpath = path + ".conditions[" + i + "]";
                Dictionary<string, object> c = AsDict(raw[i], cpath);
                NativeHelpers.FWPM_FILTER_CONDITION0 condition = new NativeHelpers.FWPM_FILTER_CONDITION0();
                condition.fieldKey = new Guid(GuidText(Str(c, "field_key", cpath), cpath + ".field_key"));
                condition.matchType = Catalogue.Value("FWP_MATCH_TYPE", Get(c, "match_type"), cpath + ".match_type");
                condition.conditionValue = ValueToNative(AsDict(Get(c, "value"), cpath + ".value"), cpath + ".value", arena);
                conditions.Add(condition);
            }
            f.numFilterConditions = (uint)conditions.Count;
            f.filterCondition = arena.Array(conditions);
            Dictionary<string, object> action = AsDict(Get(d, "action"), path + ".action");
            string actionType = Str(action, "type", path + ".action");
            f.action.type = Catalogue.Value("FWP_ACTION_TYPE", actionType, path + ".action.type");
            if (Array.IndexOf(CalloutActions, actionType) >= 0)
                f.action.calloutKey = new Guid(GuidText(OptionalStr(action, "callout_key"), path + ".action.callout_key"));
            // rawContext and providerContextKey share one union: write exactly one of them, and
            // keep FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT in step with which one it is.
            string contextKey = OptionalGuidText(d, "provider_context_key", path);
            object rawContext = Get(d, "raw_context");
            if (contextKey != null && rawContext != null)
                throw WfpException.Invalid(path + ": raw_context and provider_context_key share a union: set only one");
            if (contextKey != null)
            {
                f.providerContextKey = new Guid(contextKey);
                flags |= Catalogue.FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
            }
            else
            {
                flags &= ~Catalogue.FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
                if (rawContext is long && (long)rawContext >= 0) f.rawContext = (ulong)(long)rawContext;
                else if (rawContext is ulong) f.rawContext = (ulong)rawContext;
                else if (rawContext != null) throw WfpException.Invalid(path + ".raw_context: expected an unsigned 64-bit integer");
            }
            f.flags = flags;
            return f;
        }

        private static Dictionary<string, object> EmptyValue()
        {
            Dictionary<string, object> empty = new Dictionary<string, object>();
            empty["type"] = "FWP_EMPTY";
            return empty;
        }

        private static NativeHelpers.FWP_VALUE0 ToValue0(Dictionary<string, object> v, string path, Arena arena)
        {
            NativeHelpers.FWP_CONDITION_VALUE0 c = ValueToNative(v, path, arena);
            if (c.type == Catalogue.Value("FWP_DATA_TYPE", "FWP_V4_ADDR_MASK", path) ||
                c.type == Catalogue.Value("FWP_DATA_TYPE", "FWP_V6_ADDR_MASK", path) ||
                c.type == Catalogue.Value("FWP_DATA_TYPE", "FWP_RANGE_TYPE", path))
                throw WfpException.Invalid(path + ": this value type is only valid in a filter condition");
            NativeHelpers.FWP_VALUE0 value = new NativeHelpers.FWP_VALUE0();
            value.type = c.type;
            value.byteBlob = c.byteBlob;  // the whole 8-byte union
            return value;
        }

        internal static NativeHelpers.FWP_CONDITION_VALUE0 ValueToNative(Dictionary<string, object> v, string path, Arena arena)
        {
            NativeHelpers.FWP_CONDITION_VALUE0 c = new NativeHelpers.FWP_CONDITION_VALUE0();
            string type = Str(v, "type", path);
            c.type = Catalogue.Value("FWP_DATA_TYPE", type, path + ".type");
            object raw = Get(v, "value");
            string vpath = path + ".value";
            switch (type)
            {
                case "FWP_EMPTY": break;
                case "FWP_UINT8": c.uint8 = (byte)Int(raw, vpath, 0, Byte.MaxValue); break;
                case "FWP_UINT16": c.uint16 = (ushort)Int(raw, vpath, 0, UInt16.MaxValue); break;
                case "FWP_UINT32": c.uint32 = (uint)Int(raw, vpath, 0, UInt32.MaxValue); break;
                case "FWP_INT8": c.int8 = (sbyte)Int(raw, vpath, SByte.MinValue, SByte.MaxValue); break;
                case "FWP_INT16": c.int16 = (short)Int(raw, vpath, Int16.MinValue, Int16.MaxValue); break;
                case "FWP_INT32": c.int32 = (int)Int(raw, vpath, Int32.MinValue, Int32.MaxValue); break;
                case "FWP_UINT64":
                    ulong u;
                    if (raw is ulong) u = (ulong)raw;
                    else u = (ulong)Int(raw, vpath, 0, Int64.MaxValue);
                    c.uint64 = arena.Bytes(BitConverter.GetBytes(u));
                    break;
                case "FWP_INT64":
                    c.int64 = arena.Bytes(BitConverter.GetBytes(Int(raw, vpath, Int64.MinValue, Int64.MaxValue)));
                    break;
                case "FWP_BYTE_ARRAY16_TYPE":
                    c.byteArray16 = arena.Bytes(ParseV6(raw as string, vpath));
                    break;
                case "FWP_BYTE_ARRAY6_TYPE":
                    byte[] mac = FromHex((raw as string) ?? "", vpath);
                    if (mac.Length != 6) throw WfpException.Invalid(vpath + ": expected 6 bytes (a MAC address)");
                    c.byteArray6 = arena.Bytes(mac);
                    break;
                case "FWP_BYTE_BLOB_TYPE":
                    c.byteBlob = arena.Struct(arena.Blob(FromHex((raw as string) ?? "", vpath)));
                    break;
                case "FWP_SID":
                    SecurityIdentifier sid = new SecurityIdentifier((raw as string) ?? "");
                    byte[] sidBytes = new byte[sid.BinaryLength];
                    sid.GetBinaryForm(sidBytes, 0);
                    c.sid = arena.Bytes(sidBytes);
                    break;
                case "FWP_SECURITY_DESCRIPTOR_TYPE":
                    RawSecurityDescriptor sd = new RawSecurityDescriptor((raw as string) ?? "");
                    byte[] sdBytes = new byte[sd.BinaryLength];
                    sd.GetBinaryForm(sdBytes, 0);
                    c.sd = arena.Struct(arena.Blob(sdBytes));
                    break;
                case "FWP_UNICODE_STRING_TYPE":
                    if (!(raw is string)) throw WfpException.Invalid(vpath + ": expected a string");
                    c.unicodeString = arena.Str((string)raw);
                    break;
                case "FWP_V4_ADDR_MASK":
                    NativeHelpers.FWP_V4_ADDR_AND_MASK v4 = new NativeHelpers.FWP_V4_ADDR_AND_MASK();
                    int prefix4;
                    byte[] addr4 = ParseNetwork(raw as string, false, vpath, out prefix4);
                    v4.addr = (uint)(addr4[0] << 24 | addr4[1] << 16 | addr4[2] << 8 | addr4[3]);
                    v4.mask = prefix4 == 0 ? 0 : 0xFFFFFFFF << (32 - prefix4);
                    c.v4AddrMask = arena.Struct(v4);
                    break;
                case "FWP_V6_ADDR_MASK":
                    int prefix6;
                    byte[] addr6 = ParseNetwork(raw as string, true, vpath, out prefix6);
                    byte[] v6 = new byte[17];
                    Buffer.BlockCopy(addr6, 0, v6, 0, 16);
                    v6[16] = (byte)prefix6;
                    c.v6AddrMask = arena.Bytes(v6);
                    break;
                case "FWP_RANGE_TYPE":
                    NativeHelpers.FWP_RANGE0 range = new NativeHelpers.FWP_RANGE0();
                    range.valueLow = ToValue0(AsDict(Get(v, "low"), path + ".low"), path + ".low", arena);
                    range.valueHigh = ToValue0(AsDict(Get(v, "high"), path + ".high"), path + ".high", arena);
                    c.rangeValue = arena.Struct(range);
                    break;
                default:
                    throw WfpException.Invalid(path + ".type: " + type + " values are not supported");
            }
            return c;
        }

        /// <summary>Digests of the declared keys, in the order of the native methods.</summary>
        internal static List<byte[]> PskDigests(Dictionary<string, object> policy, string contextKey)
        {
            List<object> methods = new List<object>();
            methods.AddRange(OptionalList(policy, "authentication_methods", "policy"));
            Dictionary<string, object> em = Get(policy, "em_policy") as Dictionary<string, object>;
            if (em != null) methods.AddRange(OptionalList(em, "authentication_methods", "policy.em_policy"));
            List<byte[]> digests = new List<byte[]>();
            foreach (object raw in methods)
            {
                Dictionary<string, object> method = raw as Dictionary<string, object>;
                string key = method == null ? null : OptionalStr(method, "key");
                if (method == null || OptionalStr(method, "type") != "IKEEXT_PRESHARED_KEY" || key == null) continue;
                using (HMACSHA256 mac = new HMACSHA256(Encoding.UTF8.GetBytes(contextKey)))
                    digests.Add(mac.ComputeHash(Encoding.Unicode.GetBytes(key)));
            }
            return digests;
        }

        internal static byte[] EncodePskRecord(List<byte[]> digests, byte[] declared)
        {
            if (digests.Count == 0) return declared;
            if (digests.Count > 255) throw WfpException.Invalid("policy: more than 255 pre-shared key methods");
            declared = declared ?? new byte[0];
            byte[] data = new byte[PskRecord.Magic.Length + 1 + PskRecord.DigestSize * digests.Count + declared.Length];
            Buffer.BlockCopy(PskRecord.Magic, 0, data, 0, PskRecord.Magic.Length);
            data[PskRecord.Magic.Length] = (byte)digests.Count;
            for (int i = 0; i < digests.Count; i++)
                Buffer.BlockCopy(digests[i], 0, data, PskRecord.Magic.Length + 1 + PskRecord.DigestSize * i, PskRecord.DigestSize);
            Buffer.BlockCopy(declared, 0, data, data.Length - declared.Length, declared.Length);
            return data;
        }

        internal static byte[] ParseV6(string text, string path)
        {
            IPAddress address;
            if (text == null || text.Contains("%") || !IPAddress.TryParse(text, out address) ||
                address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                throw WfpException.Invalid(path + ": expected an IPv6 address, got '" + text + "'");
            return address.GetAddressBytes();
        }

        internal static byte[] ParseNetwork(string text, bool v6, string path, out int prefix)
        {
            if (text == null) throw WfpException.Invalid(path + ": expected address/prefix");
            string[] parts = text.Split('/');
            int bits = v6 ? 128 : 32;
            prefix = bits;
            if (parts.Length > 2 || (parts.Length == 2 && (!Int32.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)))
                throw WfpException.Invalid(path + ": bad prefix in '" + text + "'");
            IPAddress address;
            if (!IPAddress.TryParse(parts[0], out address) ||
                address.AddressFamily != (v6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork))
                throw WfpException.Invalid(path + ": bad address in '" + text + "'");
            byte[] bytes = address.GetAddressBytes();
            for (int i = 0; i < bytes.Length; i++)
            {
                int keep = Math.Max(0, Math.Min(8, prefix - 8 * i));
                bytes[i] &= (byte)(0xFF00 >> keep);
            }
            return bytes;
        }
    }
}
