// Copyright: (c) 2026, wfp.ipsec contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
//
// Commit confirmed on the host (docs/commit-confirmed.md): a tentative apply whose added objects
// are non-persistent, with the previous owned objects saved as a pending record; the confirmation
// that makes them persistent; and the restore the host's own scheduled task runs at the deadline
// or at startup. The same protocol as plugins/plugin_utils/confirm.py on the engine model.
// C# 5, pure BCL + P/Invoke through WfpIpsec.cs and the writes of WfpIpsecApply.cs (compiled
// together with both).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Collections;
using System.IO;
using System.IO.Compression;
using System.Text;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecApply;
using Model = ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec.Convert;

//TypeAccelerator -Name WfpIpsec.Confirmation -TypeName Confirmation

namespace ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecConfirm
{
    /// <summary>Phase 1 (ApplyTentative), phase 2 (Confirm) and the rollback (Restore). The
    /// pending record is one JSON file per provider in a directory only administrators and SYSTEM
    /// can write (policy.ps1 creates it). It holds the previous owned objects, pre-shared keys
    /// included, because the rollback must add them again.</summary>
    public static class Confirmation
    {
        public const string PendingFormat = "wfp.ipsec.pending/1";
        private static readonly string[] PersistentFlags = new string[] {
            "FWPM_PROVIDER_FLAG_PERSISTENT", "FWPM_SUBLAYER_FLAG_PERSISTENT",
            "FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT", "FWPM_FILTER_FLAG_PERSISTENT" };

        /// <summary>The pending record's file for a provider.</summary>
        public static string PendingPath(string directory, string providerKey)
        {
            return Path.Combine(directory, Model.GuidText(providerKey, "provider_key") + ".json");
        }

        /// <summary>The C# sources the rollback task compiles, in the order it compiles them.</summary>
        public static readonly string[] RestoreSources = new string[] { "WfpIpsec.cs", "WfpIpsecApply.cs", "WfpIpsecConfirm.cs" };

        /// <summary>Write the rollback task's sources into <paramref name="directory"/>. The
        /// controller sends each as base64 of its gzip-compressed UTF-8 text (a fifth of the
        /// bytes); every one must be there and decode, or nothing is written.</summary>
        public static void WriteRestoreSources(string directory, IDictionary sources)
        {
            Dictionary<string, string> texts = new Dictionary<string, string>();
            foreach (string name in RestoreSources)
            {
                string path = "restore_sources." + name;
                if (sources == null || !sources.Contains(name))
                    throw WfpException.Invalid(path + " is missing; the rollback task compiles it");
                texts[name] = Inflate(sources[name] as string, path);
            }
            foreach (KeyValuePair<string, string> source in texts)
                File.WriteAllText(Path.Combine(directory, source.Key), source.Value, new UTF8Encoding(false));
        }

        /// <summary>The text of base64 gzip-compressed UTF-8 (strict: bad bytes are an error).</summary>
        internal static string Inflate(string base64, string path)
        {
            if (base64 == null)
                throw WfpException.Invalid(path + ": expected a string (base64 of gzip-compressed UTF-8)");
            try
            {
                using (MemoryStream input = new MemoryStream(System.Convert.FromBase64String(base64)))
                using (GZipStream gzip = new GZipStream(input, CompressionMode.Decompress))
                using (StreamReader reader = new StreamReader(gzip, new UTF8Encoding(false, true), false))
                    return reader.ReadToEnd();
            }
            catch (FormatException)
            {
                throw WfpException.Invalid(path + ": not base64");
            }
            catch (InvalidDataException)
            {
                throw WfpException.Invalid(path + ": not gzip-compressed data");
            }
            catch (IOException)
            {
                // Mono reports a corrupt stream as a plain IOException.
                throw WfpException.Invalid(path + ": not gzip-compressed data");
            }
            catch (DecoderFallbackException)
            {
                throw WfpException.Invalid(path + ": not UTF-8 text");
            }
        }

        /// <summary>Summaries (no snapshot, no objects) of every pending record in the
        /// directory, as a JSON list; what a read returns as pending_json.</summary>
        public static string PendingSummaries(string directory)
        {
            return PolicyHost.PendingSummaries(directory);
        }

        /// <summary>Phase 1: apply a plan in one transaction with every persistent add made
        /// non-persistent, and write the pending record (the previous owned objects, the
        /// deadline in Unix seconds, the fingerprints) before the commit.</summary>
        public static string ApplyTentative(string planJson, long deadline, string directory)
        {
            Dictionary<string, object> plan = Model.AsDict(Json.Parse(planJson), "plan");
            if (Model.Str(plan, "format", "plan") != PolicyHost.PlanFormat)
                throw WfpException.Invalid("plan.format: expected " + PolicyHost.PlanFormat);
            string owner = Model.GuidText(Model.Str(plan, "provider_key", "plan"), "plan.provider_key");
            string expected = Model.Str(plan, "base_fingerprint", "plan");
            List<object> operations = Model.AsList(Model.Get(plan, "operations"), "plan.operations");
            string path = PendingPath(directory, owner);
            if (File.Exists(path))
                throw Refused("WFP_IPSEC_PENDING", "an unconfirmed apply of provider " + owner +
                    " is pending until " + DeadlineText(Model.AsDict(Load(path), "pending")) +
                    "; confirm it (run again) or wait for the host to restore its previous policy");
            List<object> tentative = new List<object>();
            List<object> objects = new List<object>();
            List<object> tentativeOperations = TentativeOperations(operations, tentative, objects);
            Directory.CreateDirectory(directory);

            using (Session session = Session.Open())
            {
                bool written = false;
                session.Begin(false);
                try
                {
                    Dictionary<string, object> before = session.ReadOwned(owner);
                    PolicyApply.RefuseUnsupported(before);
                    string actual = PolicyHost.Fingerprint(before);
                    if (actual != expected)
                        throw Refused("WFP_IPSEC_STALE_PLAN", "the provider's objects changed since the plan was made (fingerprint " +
                            actual + ", plan expects " + expected + "); nothing was written, re-run to re-plan");
                    Dictionary<string, object> snapshot = ReadWithKeys(session, owner);
                    HashSet<string> owned = PolicyApply.OwnedKeys(before);
                    for (int index = 0; index < tentativeOperations.Count; index++)
                        PolicyApply.ApplyOperation(session, owner, owned, index, tentativeOperations[index]);
                    Dictionary<string, object> after = session.ReadOwned(owner);
                    Dictionary<string, object> pending = new Dictionary<string, object>();
                    pending["format"] = PendingFormat;
                    pending["provider_key"] = owner;
                    pending["deadline"] = deadline;
                    pending["deadline_utc"] = DeadlineText(deadline);
                    pending["base_fingerprint"] = actual;
                    pending["tentative_fingerprint"] = PolicyHost.Fingerprint(after);
                    pending["tentative"] = tentative;
                    pending["objects"] = objects;
                    pending["snapshot"] = snapshot;
                    Write(path, pending);
                    written = true;
                    session.Commit();
                    written = false;  // committed: the record must stay, the rollback needs it
                    Dictionary<string, object> result = new Dictionary<string, object>();
                    result["applied"] = (long)operations.Count;
                    result["base_fingerprint"] = actual;
                    result["fingerprint"] = pending["tentative_fingerprint"];
                    result["state"] = after;
                    result["pending"] = Summary(pending);
                    return Json.Serialize(result);
                }
                catch
                {
                    session.Abort();
                    if (written) File.Delete(path);
                    throw;
                }
            }
        }

        /// <summary>Phase 2, over a new connection: in one transaction, delete the tentative
        /// objects (and whatever references them) and add them again persistent, then discard
        /// the pending record. Refused, nothing changed, after the deadline or when the owned
        /// objects are no longer the tentative state.</summary>
        public static string Confirm(string directory, string providerKey, string tentativeFingerprint)
        {
            return Confirm(directory, providerKey, tentativeFingerprint, UnixNow());
        }

        internal static string Confirm(string directory, string providerKey, string tentativeFingerprint, long now)
        {
            string owner = Model.GuidText(providerKey, "provider_key");
            string path = PendingPath(directory, owner);
            using (Session session = Session.Open())
            {
                // The write transaction is the lock: BFE runs one at a time, so the restore
                // task and this confirmation never both see the pending record.
                session.Begin(false);
                string claimed = null;
                try
                {
                    if (!File.Exists(path))
                        throw NotPending("no unconfirmed apply of provider " + owner + " to confirm: the host restored its " +
                            "previous policy (deadline passed or rebooted), or another run confirmed it; nothing was confirmed");
                    Dictionary<string, object> pending = Model.AsDict(Load(path), "pending");
                    if (Model.Str(pending, "tentative_fingerprint", "pending") != tentativeFingerprint)
                        throw NotPending("the pending apply of provider " + owner + " is another one than this run's; nothing was confirmed");
                    if (now > (long)Model.UInt(pending, "deadline", "pending", Int64.MaxValue))
                        throw NotPending("the confirmation came after the deadline " + DeadlineText(pending) +
                            "; the host restores its previous policy");
                    Dictionary<string, object> current = session.ReadOwned(owner);
                    string actual = PolicyHost.Fingerprint(current);
                    if (actual != tentativeFingerprint)
                        throw NotPending("the provider's objects are no longer the unconfirmed apply (" + actual + ", expected " +
                            tentativeFingerprint + "); nothing was confirmed");
                    long count = MakePersistent(session, owner, current, pending);
                    claimed = path + ".confirming";
                    File.Move(path, claimed);
                    session.Commit();
                    Discard(ref claimed);
                    Dictionary<string, object> result = new Dictionary<string, object>();
                    result["confirmed"] = count;
                    return Json.Serialize(result);
                }
                catch
                {
                    session.Abort();
                    if (claimed != null && File.Exists(claimed) && !File.Exists(path)) File.Move(claimed, path);
                    throw;
                }
            }
        }

        /// <summary>The rollback (the scheduled task at the deadline or at startup, or the
        /// module's own cleanup): in one transaction the owned objects become the snapshot
        /// again, then the pending record is discarded. Nothing pending: nothing happens.</summary>
        public static string Restore(string directory, string providerKey)
        {
            string owner = Model.GuidText(providerKey, "provider_key");
            string path = PendingPath(directory, owner);
            Dictionary<string, object> result = new Dictionary<string, object>();
            result["restored"] = false;
            using (Session session = Session.Open())
            {
                session.Begin(false);
                string claimed = null;
                try
                {
                    if (!File.Exists(path))
                    {
                        session.Abort();
                        result["reason"] = "nothing pending";
                        return Json.Serialize(result);
                    }
                    Dictionary<string, object> pending = Model.AsDict(Load(path), "pending");
                    Dictionary<string, object> current = session.ReadOwned(owner);
                    if (PolicyHost.Fingerprint(current) != Model.Str(pending, "base_fingerprint", "pending"))
                    {
                        Dictionary<string, object> snapshot = Model.AsDict(Model.Get(pending, "snapshot"), "pending.snapshot");
                        for (int t = Model.ObjectTypes.Length - 1; t >= 0; t--)
                            foreach (object item in Model.AsList(current[Model.ListNames[t]], Model.ListNames[t]))
                                Writes.Delete(session, Model.ObjectTypes[t], new Guid((string)((Dictionary<string, object>)item)["key"]));
                        for (int t = 0; t < Model.ObjectTypes.Length; t++)
                            foreach (object item in Model.OptionalList(snapshot, Model.ListNames[t], "pending.snapshot"))
                                Writes.Add(session, Model.ObjectTypes[t], Model.AsDict(item, "pending.snapshot"));
                        result["restored"] = true;
                    }
                    claimed = path + ".restoring";
                    File.Move(path, claimed);
                    session.Commit();
                    Discard(ref claimed);
                    return Json.Serialize(result);
                }
                catch
                {
                    session.Abort();
                    if (claimed != null && File.Exists(claimed) && !File.Exists(path)) File.Move(claimed, path);
                    throw;
                }
            }
        }

        // ---- helpers ----------------------------------------------------------------------

        /// <summary>After a commit the claimed record is spent: delete it, and never put it
        /// back (a record put back would make the task undo what was just committed). A file
        /// that cannot be deleted is left under its claimed name, which no reader looks at.</summary>
        private static void Discard(ref string claimed)
        {
            string spent = claimed;
            claimed = null;
            try
            {
                File.Delete(spent);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static List<object> TentativeOperations(List<object> operations, List<object> tentative, List<object> objects)
        {
            List<object> result = new List<object>();
            for (int index = 0; index < operations.Count; index++)
            {
                Dictionary<string, object> op = Model.AsDict(operations[index], "plan.operations[" + index + "]");
                object raw;
                Dictionary<string, object> obj = op.TryGetValue("object", out raw) ? raw as Dictionary<string, object> : null;
                string type = op.ContainsKey("type") ? op["type"] as string : null;
                int t = type == null ? -1 : Array.IndexOf(Model.ObjectTypes, type);
                if ((op.ContainsKey("op") ? op["op"] as string : null) != "add" || obj == null || t < 0 || !HasFlag(obj, PersistentFlags[t]))
                {
                    result.Add(op);
                    continue;
                }
                Dictionary<string, object> stripped = new Dictionary<string, object>(obj);
                List<object> flags = new List<object>();
                foreach (object flag in Model.AsList(obj["flags"], "object.flags"))
                    if (!PersistentFlags[t].Equals(flag)) flags.Add(flag);
                stripped["flags"] = flags;
                Dictionary<string, object> copy = new Dictionary<string, object>(op);
                copy["object"] = stripped;
                result.Add(copy);
                Dictionary<string, object> item = new Dictionary<string, object>();
                item["type"] = type;
                item["key"] = op["key"];
                item["name"] = op.ContainsKey("name") ? op["name"] : null;
                tentative.Add(item);
                Dictionary<string, object> declared = new Dictionary<string, object>();
                declared["type"] = type;
                declared["object"] = obj;
                objects.Add(declared);
            }
            return result;
        }

        /// <summary>Delete the tentative objects and every owned object referencing them,
        /// newest type first; add them again, the tentative ones as declared (persistent).</summary>
        private static long MakePersistent(Session session, string owner, Dictionary<string, object> current, Dictionary<string, object> pending)
        {
            Dictionary<string, Dictionary<string, object>> declared = new Dictionary<string, Dictionary<string, object>>();
            foreach (object raw in Model.AsList(Model.Get(pending, "objects"), "pending.objects"))
            {
                Dictionary<string, object> obj = Model.AsDict(Model.Get(Model.AsDict(raw, "pending.objects"), "object"), "pending.objects");
                declared[Model.GuidText(Model.Str(obj, "key", "object"), "object.key")] = obj;
            }
            HashSet<string> affected = new HashSet<string>(declared.Keys);
            bool grew = true;
            while (grew)
            {
                grew = false;
                foreach (string list in Model.ListNames)
                    foreach (object raw in Model.AsList(current[list], list))
                    {
                        Dictionary<string, object> obj = (Dictionary<string, object>)raw;
                        string key = (string)obj["key"];
                        if (affected.Contains(key)) continue;
                        foreach (string field in new string[] { "provider_key", "sublayer_key", "provider_context_key" })
                        {
                            string target;
                            if (obj.ContainsKey(field) && (target = obj[field] as string) != null && affected.Contains(target))
                            {
                                affected.Add(key);
                                grew = true;
                                break;
                            }
                        }
                    }
            }
            for (int t = Model.ObjectTypes.Length - 1; t >= 0; t--)
                foreach (object raw in Model.AsList(current[Model.ListNames[t]], Model.ListNames[t]))
                {
                    string key = (string)((Dictionary<string, object>)raw)["key"];
                    if (affected.Contains(key)) Writes.Delete(session, Model.ObjectTypes[t], new Guid(key));
                }
            for (int t = 0; t < Model.ObjectTypes.Length; t++)
                foreach (object raw in Model.AsList(current[Model.ListNames[t]], Model.ListNames[t]))
                {
                    Dictionary<string, object> obj = (Dictionary<string, object>)raw;
                    string key = (string)obj["key"];
                    if (!affected.Contains(key)) continue;
                    Dictionary<string, object> add;
                    Writes.Add(session, Model.ObjectTypes[t], declared.TryGetValue(key, out add) ? add : obj);
                }
            return declared.Count;
        }

        private static Dictionary<string, object> ReadWithKeys(Session session, string owner)
        {
            Model.KeepPresharedKeys = true;
            try
            {
                Dictionary<string, object> state = session.ReadOwned(owner);
                foreach (object raw in Model.AsList(state["provider_contexts"], "provider_contexts"))
                {
                    Dictionary<string, object> context = (Dictionary<string, object>)raw;
                    if (Json.Serialize(context).Contains("\"key\":\"\""))
                        throw Refused("WFP_IPSEC_NO_SNAPSHOT", "provider context " + context["key"] + " has a pre-shared key the host " +
                            "does not return, so a rollback could not add it again; nothing was written (set confirm_timeout: 0 " +
                            "to apply without commit confirmed)");
                }
                return state;
            }
            finally
            {
                Model.KeepPresharedKeys = false;
            }
        }

        private static bool HasFlag(Dictionary<string, object> obj, string flag)
        {
            object flags;
            if (!obj.TryGetValue("flags", out flags) || !(flags is List<object>)) return false;
            return ((List<object>)flags).Contains(flag);
        }

        private static Dictionary<string, object> Summary(object record)
        {
            return PolicyHost.PendingSummary(record);
        }

        private static object Load(string path)
        {
            return Json.Parse(File.ReadAllText(path, new UTF8Encoding(false)));
        }

        private static void Write(string path, Dictionary<string, object> record)
        {
            string temp = path + ".tmp";
            File.WriteAllText(temp, Json.Serialize(record), new UTF8Encoding(false));
            if (File.Exists(path)) File.Delete(path);
            File.Move(temp, path);
        }

        private static long UnixNow()
        {
            return (long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
        }

        private static string DeadlineText(long deadline)
        {
            return new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(deadline)
                .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        private static string DeadlineText(Dictionary<string, object> pending)
        {
            return Model.Str(pending, "deadline_utc", "pending");
        }

        private static WfpException NotPending(string message)
        {
            return Refused("WFP_IPSEC_NOT_PENDING", message);
        }

        private static WfpException Refused(string symbol, string message)
        {
            return new WfpException(0, symbol, message, null);
        }
    }
}
