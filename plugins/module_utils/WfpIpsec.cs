// Copyright: (c) 2026, wfp.ipsec contributors
// GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
//
// Host half of wfp.ipsec, the read util: P/Invoke into fwpuclnt.dll, conversion from native WFP
// structs to the canonical JSON form (docs/canonical-form.md), owned-only and shadow reads, the
// fingerprint and JSON. Every module loads it; the write half (JSON -> native, the atomic apply)
// is WfpIpsecApply.cs, loaded by the policy module only.
// C# 5 only (Windows PowerShell 5.1 compiles with the .NET Framework csc); pure BCL + P/Invoke so
// that Mono can compile and run it against the Linux stand-in (tests/harness/fwpsim.c).
// Design notes: docs/host-layer.md.

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
using Microsoft.Win32.SafeHandles;

//TypeAccelerator -Name WfpIpsec.PolicyHost -TypeName PolicyHost
//TypeAccelerator -Name WfpIpsec.WfpException -TypeName WfpException
//TypeAccelerator -Name WfpIpsec.Json -TypeName Json

namespace ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec
{
    // ---------------------------------------------------------------------------------------
    // Public surface
    // ---------------------------------------------------------------------------------------

    /// <summary>A WFP call or a plan failed. Code is the Win32/FWP_E_* status (0 when the
    /// failure is ours, e.g. a stale plan); Details is safe to return to the controller.</summary>
    public class WfpException : Exception
    {
        private readonly uint code;
        private readonly string symbol;
        private readonly Dictionary<string, object> details;

        public WfpException(uint code, string symbol, string message, Dictionary<string, object> details)
            : base(message)
        {
            this.code = code;
            this.symbol = symbol;
            this.details = details ?? new Dictionary<string, object>();
            this.HResult = unchecked((int)code);
            this.details["error"] = symbol;
            this.details["code"] = String.Format("0x{0:X8}", code);
            this.details["message"] = message;
        }

        public uint Code { get { return code; } }
        public string Symbol { get { return symbol; } }
        public Dictionary<string, object> Details { get { return details; } }

        internal static WfpException FromStatus(uint status, string what, Dictionary<string, object> details)
        {
            string name = Catalogue.ErrorSymbol(status);
            string hint = Catalogue.ErrorHint(name);
            string message = String.Format("{0} failed: {1} (0x{2:X8}){3}", what, name, status,
                hint == null ? "" : ": " + hint);
            return new WfpException(status, name, message, details);
        }

        /// <summary>The WfpException behind an exception (PowerShell wraps .NET exceptions in
        /// MethodInvocationException), or null when the failure did not come from WFP.</summary>
        public static WfpException Find(Exception exception)
        {
            while (exception != null && !(exception is WfpException))
            {
                exception = exception.InnerException;
            }
            return exception as WfpException;
        }

        internal static WfpException Invalid(string message)
        {
            return new WfpException(0x80070057, "E_INVALIDARG", message, null);
        }
    }

    /// <summary>A read's reply: the state document as JSON text and the fingerprint of the
    /// owned objects in it (PolicyHost.Fingerprint; null when the read names no provider).</summary>
    public sealed class ReadReply
    {
        public ReadReply(string stateJson, string fingerprint)
        {
            StateJson = stateJson;
            Fingerprint = fingerprint;
        }

        public string StateJson { get; private set; }
        public string Fingerprint { get; private set; }
    }

    /// <summary>Read entry points called by plugins/modules/policy.ps1 and policy_info.ps1 (the
    /// apply is PolicyApply in WfpIpsecApply.cs). Every method returns JSON text in the canonical
    /// form.</summary>
    public static class PolicyHost
    {
        public const string StateFormat = "wfp.ipsec.state/1";
        public const string PlanFormat = "wfp.ipsec.plan/1";

        /// <summary>The state document of the objects owned by one provider (the provider, and
        /// every sublayer, provider context and filter whose provider_key is it).</summary>
        public static string Read(string providerKey)
        {
            return ReadWithFingerprint(providerKey).StateJson;
        }

        /// <summary>Read, with the fingerprint of the objects read (the base a plan made from
        /// them carries): the module replies send it as `fingerprint` beside `state_json`, so
        /// the controller need not serialise every owned object again to compute it.</summary>
        public static ReadReply ReadWithFingerprint(string providerKey)
        {
            string owner = Convert.GuidText(providerKey, "provider_key");
            using (Session session = Session.Open())
            {
                session.Begin(true);
                Dictionary<string, object> state = session.ReadOwned(owner);
                session.Commit();
                return new ReadReply(Json.Serialize(state), Fingerprint(state));
            }
        }

        /// <summary>Every provider, sublayer, provider context and filter the caller can see.</summary>
        public static string ReadAll()
        {
            return ReadAll(null, null);
        }

        /// <summary>The shadow read: every provider, sublayer and provider context, the filters
        /// at `layers` (symbols or GUIDs) and every filter `providerKey` owns; all filters when
        /// `layers` is null or empty. One read-only transaction of its own.</summary>
        public static string ReadAll(string[] layers, string providerKey)
        {
            return ReadAllWithFingerprint(layers, providerKey).StateJson;
        }

        /// <summary>ReadAll, with the fingerprint of the part `providerKey` owns (the provider
        /// whose key it is, every other object whose provider_key it is: model.owned_state);
        /// no fingerprint (null) without a provider key.</summary>
        public static ReadReply ReadAllWithFingerprint(string[] layers, string providerKey)
        {
            string owner = String.IsNullOrEmpty(providerKey) ? null : Convert.GuidText(providerKey, "provider_key");
            List<Guid> keys = LayerKeys(layers);
            using (Session session = Session.Open())
            {
                session.Begin(true);
                Dictionary<string, object> state = session.ReadAll(owner, keys);
                session.Commit();
                string fingerprint = owner == null ? null : Fingerprint(Owned(state, owner));
                return new ReadReply(Json.Serialize(state), fingerprint);
            }
        }

        /// <summary>The part of a state document `owner` owns, like model.owned_state (the
        /// objects are shared, not copied).</summary>
        internal static Dictionary<string, object> Owned(Dictionary<string, object> state, string owner)
        {
            Dictionary<string, object> owned = new Dictionary<string, object>();
            foreach (string list in Convert.ListNames)
            {
                List<object> items = new List<object>();
                object raw;
                if (state.TryGetValue(list, out raw) && raw != null)
                {
                    string field = list == "providers" ? "key" : "provider_key";
                    foreach (object item in Convert.AsList(raw, list))
                    {
                        object value;
                        if (Convert.AsDict(item, list).TryGetValue(field, out value) && value as string == owner)
                            items.Add(item);
                    }
                }
                owned[list] = items;
            }
            return owned;
        }

        private static List<Guid> LayerKeys(string[] layers)
        {
            if (layers == null || layers.Length == 0) return null;
            List<Guid> keys = new List<Guid>();
            foreach (string layer in layers)
                keys.Add(new Guid(Catalogue.LayerGuid(layer)));
            return keys;
        }

        /// <summary>Filters at the given layers (symbols or GUIDs) with the sublayers, provider
        /// contexts and providers they reference (Query(null, layers)).</summary>
        public static string ReadLayers(string[] layers)
        {
            if (layers == null || layers.Length == 0)
                throw WfpException.Invalid("layers: give at least one layer symbol or GUID");
            return Query(null, layers);
        }

        /// <summary>The policy_info view, like plugin_utils/query.py select(): the objects of a
        /// provider, or on layers, or both (intersection), or everything.</summary>
        public static string Query(string providerKey, string[] layers)
        {
            string owner = String.IsNullOrEmpty(providerKey) ? null : Convert.GuidText(providerKey, "provider_key");
            List<Guid> keys = LayerKeys(layers);
            using (Session session = Session.Open())
            {
                session.Begin(true);
                Dictionary<string, object> state = session.ReadState(owner, keys);
                session.Commit();
                return Json.Serialize(state);
            }
        }

        /// <summary>The fingerprint of a state document: sha256 over the four object lists
        /// (runtime removed, each sorted by key), JSON with sorted keys, compact separators,
        /// non-ASCII kept as UTF-8 -- byte-identical to model.fingerprint() in Python.</summary>
        public static string Fingerprint(string stateJson)
        {
            return Fingerprint(Convert.AsDict(Json.Parse(stateJson), "state"));
        }

        /// <summary>hmac-sha256 digest of a pre-shared key as the canonical form defines it.</summary>
        public static string PskDigest(string contextKey, string key)
        {
            return Convert.PskDigest(contextKey, Encoding.Unicode.GetBytes(key));
        }

        private static readonly string[] PendingSummaryKeys = new string[] {
            "format", "provider_key", "deadline", "deadline_utc", "base_fingerprint",
            "tentative_fingerprint", "tentative" };

        /// <summary>Summaries (no snapshot, no objects) of every commit-confirmed pending record
        /// in the directory (WfpIpsecConfirm.cs writes them), as a JSON list: what every read
        /// returns as pending_json. Here, in the read util, so that policy_info.ps1's reads
        /// report them without loading the write half.</summary>
        public static string PendingSummaries(string directory)
        {
            List<object> summaries = new List<object>();
            if (System.IO.Directory.Exists(directory))
            {
                string[] files = System.IO.Directory.GetFiles(directory, "*.json");
                Array.Sort(files, StringComparer.Ordinal);
                foreach (string file in files)
                    summaries.Add(PendingSummary(Json.Parse(System.IO.File.ReadAllText(file, new UTF8Encoding(false)))));
            }
            return Json.Serialize(summaries);
        }

        internal static Dictionary<string, object> PendingSummary(object record)
        {
            Dictionary<string, object> pending = Convert.AsDict(record, "pending");
            Dictionary<string, object> summary = new Dictionary<string, object>();
            foreach (string key in PendingSummaryKeys)
                summary[key] = Convert.Get(pending, key);
            return summary;
        }

        internal static string Fingerprint(Dictionary<string, object> state)
        {
            Dictionary<string, object> document = new Dictionary<string, object>();
            foreach (string list in Convert.ListNames)
            {
                List<Dictionary<string, object>> items = new List<Dictionary<string, object>>();
                object raw;
                if (state.TryGetValue(list, out raw) && raw != null)
                {
                    foreach (object item in Convert.AsList(raw, list))
                    {
                        Dictionary<string, object> copy = new Dictionary<string, object>(Convert.AsDict(item, list));
                        copy.Remove("runtime");
                        items.Add(copy);
                    }
                }
                items.Sort(delegate(Dictionary<string, object> a, Dictionary<string, object> b)
                {
                    return Json.CompareCodePoints(System.Convert.ToString(a["key"], CultureInfo.InvariantCulture),
                        System.Convert.ToString(b["key"], CultureInfo.InvariantCulture));
                });
                document[list] = items;
            }
            byte[] text = new UTF8Encoding(false).GetBytes(Json.Serialize(document));
            using (SHA256 sha = SHA256.Create())
                return "sha256:" + Convert.Hex(sha.ComputeHash(text));
        }
    }

    // ---------------------------------------------------------------------------------------
    // JSON: a small reader/writer (no System.Web.Extensions, which PowerShell does not load and
    // whose serializer escapes '<', '>' and '\'' -- the fingerprint needs Python's exact bytes).
    // Objects are Dictionary<string, object>, arrays List<object>, integers long (or ulong
    // above Int64.MaxValue), other numbers double.
    // ---------------------------------------------------------------------------------------

    public static class Json
    {
        public static object Parse(string text)
        {
            if (text == null)
                throw WfpException.Invalid("JSON text is null");
            Reader reader = new Reader(text);
            object value = reader.Value();
            reader.Space();
            if (reader.Position != text.Length)
                throw reader.Error("trailing characters");
            return value;
        }

        /// <summary>Like Python json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).</summary>
        public static string Serialize(object value)
        {
            StringBuilder sb = new StringBuilder();
            Write(sb, value, false, false);
            return sb.ToString();
        }

        /// <summary>Like Python json.dumps(v, sort_keys=True) (", "/": " separators, ASCII only).</summary>
        internal static string SerializePythonDefault(object value)
        {
            StringBuilder sb = new StringBuilder();
            Write(sb, value, true, true);
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, object value, bool spaced, bool ascii)
        {
            if (value == null) { sb.Append("null"); return; }
            if (value is bool) { sb.Append((bool)value ? "true" : "false"); return; }
            if (value is string) { WriteString(sb, (string)value, ascii); return; }
            if (value is long || value is int || value is uint || value is ulong || value is ushort ||
                value is short || value is byte || value is sbyte)
            {
                sb.Append(System.Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            if (value is double) { sb.Append(((double)value).ToString("R", CultureInfo.InvariantCulture)); return; }
            System.Collections.IDictionary dict = value as System.Collections.IDictionary;
            if (dict != null)
            {
                List<string> keys = new List<string>();
                foreach (object k in dict.Keys)
                    keys.Add((string)k);
                keys.Sort(CompareCodePoints);
                sb.Append('{');
                for (int i = 0; i < keys.Count; i++)
                {
                    if (i > 0) sb.Append(spaced ? ", " : ",");
                    WriteString(sb, keys[i], ascii);
                    sb.Append(spaced ? ": " : ":");
                    Write(sb, dict[keys[i]], spaced, ascii);
                }
                sb.Append('}');
                return;
            }
            System.Collections.IEnumerable list = value as System.Collections.IEnumerable;
            if (list != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (object item in list)
                {
                    if (!first) sb.Append(spaced ? ", " : ",");
                    first = false;
                    Write(sb, item, spaced, ascii);
                }
                sb.Append(']');
                return;
            }
            throw new ArgumentException("cannot serialise " + value.GetType().FullName);
        }

        /// <summary>Python's str order: by Unicode code point (UTF-16 ordinal order differs
        /// for characters above U+FFFF against U+E000..U+FFFF).</summary>
        internal static int CompareCodePoints(string a, string b)
        {
            int i = 0, j = 0;
            while (i < a.Length && j < b.Length)
            {
                int ca = Char.IsSurrogatePair(a, i) ? Char.ConvertToUtf32(a, i) : a[i];
                int cb = Char.IsSurrogatePair(b, j) ? Char.ConvertToUtf32(b, j) : b[j];
                if (ca != cb) return ca < cb ? -1 : 1;
                i += ca > 0xFFFF ? 2 : 1;
                j += cb > 0xFFFF ? 2 : 1;
            }
            if (i < a.Length) return 1;
            return j < b.Length ? -1 : 0;
        }

        private static void WriteString(StringBuilder sb, string text, bool ascii)
        {
            sb.Append('"');
            foreach (char c in text)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20 || (ascii && c > 0x7e))
                            sb.AppendFormat("\\u{0:x4}", (int)c);
                        else
                            sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        private sealed class Reader
        {
            private readonly string text;
            internal int Position;

            internal Reader(string text) { this.text = text; }

            internal Exception Error(string what)
            {
                return WfpException.Invalid(string.Format("invalid JSON at offset {0}: {1}", Position, what));
            }

            internal void Space()
            {
                while (Position < text.Length && (text[Position] == ' ' || text[Position] == '\t' ||
                       text[Position] == '\n' || text[Position] == '\r'))
                    Position++;
            }

            internal object Value()
            {
                Space();
                if (Position >= text.Length) throw Error("unexpected end");
                char c = text[Position];
                if (c == '{') return Object();
                if (c == '[') return Array();
                if (c == '"') return String();
                if (Literal("true")) return true;
                if (Literal("false")) return false;
                if (Literal("null")) return null;
                return Number();
            }

            private bool Literal(string word)
            {
                if (string.CompareOrdinal(text, Position, word, 0, word.Length) != 0) return false;
                Position += word.Length;
                return true;
            }

            private Dictionary<string, object> Object()
            {
                Dictionary<string, object> result = new Dictionary<string, object>();
                Position++;
                Space();
                if (Position < text.Length && text[Position] == '}') { Position++; return result; }
                while (true)
                {
                    Space();
                    if (Position >= text.Length || text[Position] != '"') throw Error("expected a key");
                    string key = String();
                    Space();
                    if (Position >= text.Length || text[Position] != ':') throw Error("expected ':'");
                    Position++;
                    result[key] = Value();
                    Space();
                    if (Position < text.Length && text[Position] == ',') { Position++; continue; }
                    if (Position < text.Length && text[Position] == '}') { Position++; return result; }
                    throw Error("expected ',' or '}'");
                }
            }

            private List<object> Array()
            {
                List<object> result = new List<object>();
                Position++;
                Space();
                if (Position < text.Length && text[Position] == ']') { Position++; return result; }
                while (true)
                {
                    result.Add(Value());
                    Space();
                    if (Position < text.Length && text[Position] == ',') { Position++; continue; }
                    if (Position < text.Length && text[Position] == ']') { Position++; return result; }
                    throw Error("expected ',' or ']'");
                }
            }

            private string String()
            {
                StringBuilder sb = new StringBuilder();
                Position++;
                while (true)
                {
                    if (Position >= text.Length) throw Error("unterminated string");
                    char c = text[Position++];
                    if (c == '"') return sb.ToString();
                    if (c != '\\') { sb.Append(c); continue; }
                    if (Position >= text.Length) throw Error("unterminated escape");
                    char e = text[Position++];
                    switch (e)
                    {
                        case '"': sb.Append('"'); break;
                        case '\\': sb.Append('\\'); break;
                        case '/': sb.Append('/'); break;
                        case 'b': sb.Append('\b'); break;
                        case 'f': sb.Append('\f'); break;
                        case 'n': sb.Append('\n'); break;
                        case 'r': sb.Append('\r'); break;
                        case 't': sb.Append('\t'); break;
                        case 'u':
                            if (Position + 4 > text.Length) throw Error("short \\u escape");
                            sb.Append((char)Int32.Parse(text.Substring(Position, 4), NumberStyles.HexNumber,
                                CultureInfo.InvariantCulture));
                            Position += 4;
                            break;
                        default: throw Error("bad escape");
                    }
                }
            }

            private object Number()
            {
                int start = Position;
                bool real = false;
                while (Position < text.Length)
                {
                    char c = text[Position];
                    if (c >= '0' && c <= '9' || c == '-' || c == '+') { Position++; continue; }
                    if (c == '.' || c == 'e' || c == 'E') { real = true; Position++; continue; }
                    break;
                }
                string token = text.Substring(start, Position - start);
                if (token.Length == 0) throw Error("unexpected character");
                if (real)
                    return Double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
                long signed;
                if (Int64.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out signed))
                    return signed;
                ulong unsigned;
                if (UInt64.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out unsigned))
                    return unsigned;
                throw Error("integer out of 64-bit range: " + token);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Catalogue: symbol <-> value tables. The tables themselves (CatalogueData) are generated
    // from plugins/plugin_utils/_catalogue_data.py by tests/harness/gen_cs_catalogue.py and a
    // unit test checks they are current, so Python and C# share one source of truth.
    // ---------------------------------------------------------------------------------------

    internal sealed class Family
    {
        internal string Name;
        internal bool IsFlags;
        internal List<KeyValuePair<string, ulong>> Members = new List<KeyValuePair<string, ulong>>();
        internal Dictionary<string, ulong> BySymbol = new Dictionary<string, ulong>();
    }

    internal static partial class Catalogue
    {
        private static readonly Dictionary<string, Family> families = new Dictionary<string, Family>();
        private static readonly Dictionary<string, string> layers = new Dictionary<string, string>();

        static Catalogue()
        {
            foreach (string row in FamilyTable)
            {
                string[] parts = row.Split('|');
                Family family = new Family();
                family.Name = parts[0];
                family.IsFlags = parts[1] == "F";
                foreach (string member in parts[2].Split(','))
                {
                    if (member.Length == 0) continue;
                    int eq = member.IndexOf('=');
                    ulong value = UInt64.Parse(member.Substring(eq + 3), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    string name = member.Substring(0, eq);
                    family.Members.Add(new KeyValuePair<string, ulong>(name, value));
                    family.BySymbol[name] = value;
                }
                families[family.Name] = family;
            }
            foreach (string row in LayerTable)
            {
                int eq = row.IndexOf('=');
                layers[row.Substring(0, eq)] = row.Substring(eq + 1);
            }
        }

        /// <summary>Every table as name -> [[symbol, value], ...] (used by the catalogue test).</summary>
        internal static Dictionary<string, object> Dump()
        {
            Dictionary<string, object> result = new Dictionary<string, object>();
            foreach (Family family in families.Values)
            {
                List<object> members = new List<object>();
                foreach (KeyValuePair<string, ulong> pair in family.Members)
                    members.Add(new List<object> { pair.Key, pair.Value });
                Dictionary<string, object> entry = new Dictionary<string, object>();
                entry["flags"] = family.IsFlags;
                entry["members"] = members;
                result[family.Name] = entry;
            }
            Dictionary<string, object> layerTable = new Dictionary<string, object>();
            foreach (KeyValuePair<string, string> pair in layers)
                layerTable[pair.Key] = pair.Value;
            Dictionary<string, object> constants = new Dictionary<string, object>();
            constants["RPC_C_AUTHN_WINNT"] = (ulong)RPC_C_AUTHN_WINNT;
            constants["FWPM_TXN_READ_ONLY"] = (ulong)FWPM_TXN_READ_ONLY;
            constants["FWP_FILTER_ENUM_OVERLAPPING"] = (ulong)FWP_FILTER_ENUM_OVERLAPPING;
            constants["FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME"] = (ulong)FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME;
            constants["FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED"] = (ulong)FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED;
            constants["FWP_ACTION_FLAG_CALLOUT"] = (ulong)FWP_ACTION_FLAG_CALLOUT;
            constants["FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"] = (ulong)FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
            Dictionary<string, object> dump = new Dictionary<string, object>();
            dump["families"] = result;
            dump["layers"] = layerTable;
            dump["constants"] = constants;
            return dump;
        }

        private static Family Get(string name)
        {
            return families[name];
        }

        internal static uint Value(string family, object symbol, string path)
        {
            Family f = Get(family);
            string text = symbol as string;
            ulong value;
            if (text == null || !f.BySymbol.TryGetValue(text, out value))
                throw WfpException.Invalid(String.Format("{0}: unknown {1} {2}", path, family,
                    symbol == null ? "null" : "'" + symbol + "'"));
            return (uint)value;
        }

        /// <summary>The first symbol with this value (Python's Enumeration.symbol); unknown
        /// values are returned as 0x-prefixed hex so a foreign object never breaks a read.</summary>
        internal static string Symbol(string family, ulong value)
        {
            foreach (KeyValuePair<string, ulong> pair in Get(family).Members)
                if (pair.Value == value)
                    return pair.Key;
            return String.Format("0x{0:x8}", value);
        }

        internal static uint Flags(string family, object symbols, string path)
        {
            if (symbols == null) return 0;
            uint total = 0;
            foreach (object symbol in Convert.AsList(symbols, path))
                total |= Value(family, symbol, path);
            return total;
        }

        /// <summary>Sorted flag symbols of a value (Python's FlagSet.to_symbols); leftover
        /// unknown bits become one 0x-prefixed hex item.</summary>
        internal static List<object> FlagSymbols(string family, ulong value)
        {
            List<string> names = new List<string>();
            ulong known = 0;
            foreach (KeyValuePair<string, ulong> pair in Get(family).Members)
            {
                if (pair.Value != 0 && (value & pair.Value) == pair.Value)
                {
                    names.Add(pair.Key);
                    known |= pair.Value;
                }
            }
            names.Sort(String.CompareOrdinal);
            List<object> result = new List<object>();
            foreach (string name in names)
                result.Add(name);
            if ((value & ~known) != 0)
                result.Add(String.Format("0x{0:x8}", value & ~known));
            return result;
        }

        internal static string LayerGuid(string symbolOrGuid)
        {
            string text = symbolOrGuid == null ? "" : symbolOrGuid.Trim();
            string layer;
            if (layers.TryGetValue(text, out layer))
                return layer;
            Guid guid;
            if (Guid.TryParse(text, out guid))
                return guid.ToString("D");
            throw WfpException.Invalid("unknown layer '" + text + "': use an FWPM_LAYER_* symbol or a GUID");
        }

        internal static string ErrorSymbol(uint status)
        {
            foreach (KeyValuePair<string, ulong> pair in Get("FWP_E").Members)
                if (pair.Value == status)
                    return pair.Key;
            if (status == 5) return "ERROR_ACCESS_DENIED";
            if (status == 0x80070005) return "E_ACCESSDENIED";
            if (status == 0x80070057) return "E_INVALIDARG";
            if (status == 0x6D9) return "EPT_S_NOT_REGISTERED";
            return String.Format("0x{0:X8}", status);
        }

        internal static string ErrorHint(string symbol)
        {
            switch (symbol)
            {
                case "FWP_E_ALREADY_EXISTS": return "an object with this key already exists";
                case "FWP_E_IN_USE": return "the object is still referenced by another object";
                case "FWP_E_PROVIDER_NOT_FOUND": return "the provider does not exist";
                case "FWP_E_SUBLAYER_NOT_FOUND": return "the sublayer does not exist";
                case "FWP_E_PROVIDER_CONTEXT_NOT_FOUND": return "the provider context does not exist";
                case "FWP_E_FILTER_NOT_FOUND": return "the filter does not exist";
                case "FWP_E_LAYER_NOT_FOUND": return "the layer does not exist";
                case "FWP_E_CALLOUT_NOT_FOUND": return "the callout does not exist";
                case "FWP_E_LIFETIME_MISMATCH":
                    return "a persistent object may only reference persistent objects of the same provider";
                case "FWP_E_INVALID_WEIGHT": return "the weight is out of range (weight ranges are 0-15)";
                case "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER": return "this provider-context type cannot be used at this layer";
                case "FWP_E_EM_NOT_SUPPORTED": return "extended mode is only supported by AuthIP";
                case "FWP_E_TIMEOUT": return "another transaction held the WFP lock too long";
                case "FWP_E_TXN_ABORTED": return "the transaction was aborted";
                case "FWP_E_TXN_IN_PROGRESS": return "this session already has a transaction";
                case "ERROR_ACCESS_DENIED": return "run as an administrator";
                case "EPT_S_NOT_REGISTERED": return "the Base Filtering Engine (BFE) service is not running";
                default: return null;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Native declarations. Every struct is blittable (pointers are IntPtr) so that union arms
    // can overlap in explicit layouts and so that marshalling is a plain memory copy. Field
    // names are the C member names: the layout test compares each one with the x64 SDK table.
    // ---------------------------------------------------------------------------------------

    internal static class NativeHelpers
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct FWP_BYTE_BLOB
        {
            public uint size;
            public IntPtr data;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_DISPLAY_DATA0
        {
            public IntPtr name;
            public IntPtr description;
        }

        /// <summary>FWP_VALUE0: type, then an 8-byte union at offset 8 (64-bit integers are
        /// pointers, 8/16/32-bit ones inline).</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct FWP_VALUE0
        {
            [FieldOffset(0)] public uint type;
            [FieldOffset(8)] public byte uint8;
            [FieldOffset(8)] public ushort uint16;
            [FieldOffset(8)] public uint uint32;
            [FieldOffset(8)] public IntPtr uint64;
            [FieldOffset(8)] public sbyte int8;
            [FieldOffset(8)] public short int16;
            [FieldOffset(8)] public int int32;
            [FieldOffset(8)] public IntPtr int64;
            [FieldOffset(8)] public float float32;
            [FieldOffset(8)] public IntPtr double64;
            [FieldOffset(8)] public IntPtr byteArray16;
            [FieldOffset(8)] public IntPtr byteBlob;
            [FieldOffset(8)] public IntPtr sid;
            [FieldOffset(8)] public IntPtr sd;
            [FieldOffset(8)] public IntPtr tokenInformation;
            [FieldOffset(8)] public IntPtr tokenAccessInformation;
            [FieldOffset(8)] public IntPtr unicodeString;
            [FieldOffset(8)] public IntPtr byteArray6;
            [FieldOffset(8)] public IntPtr bitmapArray64;
        }

        /// <summary>FWP_CONDITION_VALUE0: FWP_VALUE0's arms plus address masks and ranges.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct FWP_CONDITION_VALUE0
        {
            [FieldOffset(0)] public uint type;
            [FieldOffset(8)] public byte uint8;
            [FieldOffset(8)] public ushort uint16;
            [FieldOffset(8)] public uint uint32;
            [FieldOffset(8)] public IntPtr uint64;
            [FieldOffset(8)] public sbyte int8;
            [FieldOffset(8)] public short int16;
            [FieldOffset(8)] public int int32;
            [FieldOffset(8)] public IntPtr int64;
            [FieldOffset(8)] public float float32;
            [FieldOffset(8)] public IntPtr double64;
            [FieldOffset(8)] public IntPtr byteArray16;
            [FieldOffset(8)] public IntPtr byteBlob;
            [FieldOffset(8)] public IntPtr sid;
            [FieldOffset(8)] public IntPtr sd;
            [FieldOffset(8)] public IntPtr tokenInformation;
            [FieldOffset(8)] public IntPtr tokenAccessInformation;
            [FieldOffset(8)] public IntPtr unicodeString;
            [FieldOffset(8)] public IntPtr byteArray6;
            [FieldOffset(8)] public IntPtr bitmapArray64;
            [FieldOffset(8)] public IntPtr v4AddrMask;
            [FieldOffset(8)] public IntPtr v6AddrMask;
            [FieldOffset(8)] public IntPtr rangeValue;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWP_RANGE0
        {
            public FWP_VALUE0 valueLow;
            public FWP_VALUE0 valueHigh;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWP_V4_ADDR_AND_MASK
        {
            public uint addr;
            public uint mask;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_FILTER_CONDITION0
        {
            public Guid fieldKey;
            public uint matchType;
            public FWP_CONDITION_VALUE0 conditionValue;
        }

        /// <summary>FWPM_ACTION0: type, then the filterType/calloutKey GUID union at offset 4.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct FWPM_ACTION0
        {
            [FieldOffset(0)] public uint type;
            [FieldOffset(4)] public Guid filterType;
            [FieldOffset(4)] public Guid calloutKey;
        }

        /// <summary>FWPM_FILTER0. rawContext (UINT64) and providerContextKey (GUID) are an
        /// anonymous union at offset 152 -- after 4 bytes of padding behind FWPM_ACTION0.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct FWPM_FILTER0
        {
            [FieldOffset(0)] public Guid filterKey;
            [FieldOffset(16)] public FWPM_DISPLAY_DATA0 displayData;
            [FieldOffset(32)] public uint flags;
            [FieldOffset(40)] public IntPtr providerKey;
            [FieldOffset(48)] public FWP_BYTE_BLOB providerData;
            [FieldOffset(64)] public Guid layerKey;
            [FieldOffset(80)] public Guid subLayerKey;
            [FieldOffset(96)] public FWP_VALUE0 weight;
            [FieldOffset(112)] public uint numFilterConditions;
            [FieldOffset(120)] public IntPtr filterCondition;
            [FieldOffset(128)] public FWPM_ACTION0 action;
            [FieldOffset(152)] public ulong rawContext;
            [FieldOffset(152)] public Guid providerContextKey;
            [FieldOffset(168)] public IntPtr reserved;
            [FieldOffset(176)] public ulong filterId;
            [FieldOffset(184)] public FWP_VALUE0 effectiveWeight;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_PROVIDER0
        {
            public Guid providerKey;
            public FWPM_DISPLAY_DATA0 displayData;
            public uint flags;
            public FWP_BYTE_BLOB providerData;
            public IntPtr serviceName;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_SUBLAYER0
        {
            public Guid subLayerKey;
            public FWPM_DISPLAY_DATA0 displayData;
            public uint flags;
            public IntPtr providerKey;
            public FWP_BYTE_BLOB providerData;
            public ushort weight;
        }

        /// <summary>FWPM_PROVIDER_CONTEXT2 (Windows 8 / Server 2012 and later): the policy
        /// pointer union at offset 72 holds IKEEXT_POLICY2* or IPSEC_TRANSPORT_POLICY2*.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct FWPM_PROVIDER_CONTEXT2
        {
            [FieldOffset(0)] public Guid providerContextKey;
            [FieldOffset(16)] public FWPM_DISPLAY_DATA0 displayData;
            [FieldOffset(32)] public uint flags;
            [FieldOffset(40)] public IntPtr providerKey;
            [FieldOffset(48)] public FWP_BYTE_BLOB providerData;
            [FieldOffset(64)] public uint type;
            [FieldOffset(72)] public IntPtr keyingPolicy;
            [FieldOffset(72)] public IntPtr ikeQmTransportPolicy;
            [FieldOffset(72)] public IntPtr ikeQmTunnelPolicy;
            [FieldOffset(72)] public IntPtr authipQmTransportPolicy;
            [FieldOffset(72)] public IntPtr authipQmTunnelPolicy;
            [FieldOffset(72)] public IntPtr ikeMmPolicy;
            [FieldOffset(72)] public IntPtr authIpMmPolicy;
            [FieldOffset(72)] public IntPtr dataBuffer;
            [FieldOffset(72)] public IntPtr classifyOptions;
            [FieldOffset(72)] public IntPtr ikeV2QmTunnelPolicy;
            [FieldOffset(72)] public IntPtr ikeV2QmTransportPolicy;
            [FieldOffset(72)] public IntPtr ikeV2MmPolicy;
            [FieldOffset(72)] public IntPtr idpOptions;
            [FieldOffset(80)] public ulong providerContextId;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_CIPHER_ALGORITHM0
        {
            public uint algoIdentifier;
            public uint keyLen;
            public uint rounds;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_INTEGRITY_ALGORITHM0
        {
            public uint algoIdentifier;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_PROPOSAL0
        {
            public IKEEXT_CIPHER_ALGORITHM0 cipherAlgorithm;
            public IKEEXT_INTEGRITY_ALGORITHM0 integrityAlgorithm;
            public uint maxLifetimeSeconds;
            public uint dhGroup;
            public uint quickModeLimit;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_POLICY2
        {
            public uint softExpirationTime;
            public uint numAuthenticationMethods;
            public IntPtr authenticationMethods;
            public uint initiatorImpersonationType;
            public uint numIkeProposals;
            public IntPtr ikeProposals;
            public uint flags;
            public uint maxDynamicFilters;
            public uint retransmitDurationSecs;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_PRESHARED_KEY_AUTHENTICATION1
        {
            public FWP_BYTE_BLOB presharedKey;
            public uint flags;
        }

        /// <summary>One trusted root for IKEEXT_CERTIFICATE_AUTHENTICATION2 (version 2 uses
        /// criteria, not the IKEEXT_CERTIFICATE_CRITERIA0 of versions 0/1). certData is the
        /// DER-encoded subject name; hash, EKU and name filters are not used here.</summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_CERTIFICATE_CRITERIA0
        {
            public FWP_BYTE_BLOB certData;
            public FWP_BYTE_BLOB certHash;
            public IntPtr eku;
            public IntPtr name;
            public uint flags;
        }

        /// <summary>IKEEXT_CERTIFICATE_AUTHENTICATION2: two anonymous unions (inbound at 8/16,
        /// outbound at 32/40) whose arm depends on the config type.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct IKEEXT_CERTIFICATE_AUTHENTICATION2
        {
            [FieldOffset(0)] public uint inboundConfigType;
            [FieldOffset(8)] public uint inboundRootArraySize;
            [FieldOffset(16)] public IntPtr inboundRootCriteria;
            [FieldOffset(8)] public uint inboundEnterpriseStoreArraySize;
            [FieldOffset(16)] public IntPtr inboundEnterpriseStoreCriteria;
            [FieldOffset(8)] public uint inboundRootStoreArraySize;
            [FieldOffset(16)] public IntPtr inboundTrustedRootStoreCriteria;
            [FieldOffset(24)] public uint outboundConfigType;
            [FieldOffset(32)] public uint outboundRootArraySize;
            [FieldOffset(40)] public IntPtr outboundRootCriteria;
            [FieldOffset(32)] public uint outboundEnterpriseStoreArraySize;
            [FieldOffset(40)] public IntPtr outboundEnterpriseStoreCriteria;
            [FieldOffset(32)] public uint outboundRootStoreArraySize;
            [FieldOffset(40)] public IntPtr outboundTrustedRootStoreCriteria;
            [FieldOffset(48)] public uint flags;
            [FieldOffset(56)] public FWP_BYTE_BLOB localCertLocationUrl;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_KERBEROS_AUTHENTICATION1
        {
            public uint flags;
            public IntPtr proxyServer;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_NTLM_V2_AUTHENTICATION0
        {
            public uint flags;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_RESERVED_AUTHENTICATION0
        {
            public uint flags;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_EAP_AUTHENTICATION0
        {
            public uint flags;
        }

        /// <summary>IKEEXT_AUTHENTICATION_METHOD2: method type, then the per-method union at
        /// offset 8 (the IPv6 CGA arm, never used here, is 40 bytes and fits inside).</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct IKEEXT_AUTHENTICATION_METHOD2
        {
            [FieldOffset(0)] public uint authenticationMethodType;
            [FieldOffset(8)] public IKEEXT_PRESHARED_KEY_AUTHENTICATION1 presharedKeyAuthentication;
            [FieldOffset(8)] public IKEEXT_CERTIFICATE_AUTHENTICATION2 certificateAuthentication;
            [FieldOffset(8)] public IKEEXT_KERBEROS_AUTHENTICATION1 kerberosAuthentication;
            [FieldOffset(8)] public IKEEXT_RESERVED_AUTHENTICATION0 reservedAuthentication;
            [FieldOffset(8)] public IKEEXT_NTLM_V2_AUTHENTICATION0 ntlmV2Authentication;
            [FieldOffset(8)] public IKEEXT_CERTIFICATE_AUTHENTICATION2 sslAuthentication;
            [FieldOffset(8)] public IKEEXT_EAP_AUTHENTICATION0 eapAuthentication;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IKEEXT_EM_POLICY2
        {
            public uint numAuthenticationMethods;
            public IntPtr authenticationMethods;
            public uint initiatorImpersonationType;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_SA_LIFETIME0
        {
            public uint lifetimeSeconds;
            public uint lifetimeKilobytes;
            public uint lifetimePackets;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_SA_IDLE_TIMEOUT0
        {
            public uint idleTimeoutSeconds;
            public uint idleTimeoutSecondsFailOver;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_AUTH_TRANSFORM_ID0
        {
            public uint authType;
            public byte authConfig;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_AUTH_TRANSFORM0
        {
            public IPSEC_AUTH_TRANSFORM_ID0 authTransformId;
            public IntPtr cryptoModuleId;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_CIPHER_TRANSFORM_ID0
        {
            public uint cipherType;
            public byte cipherConfig;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_CIPHER_TRANSFORM0
        {
            public IPSEC_CIPHER_TRANSFORM_ID0 cipherTransformId;
            public IntPtr cryptoModuleId;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_AUTH_AND_CIPHER_TRANSFORM0
        {
            public IPSEC_AUTH_TRANSFORM0 authTransform;
            public IPSEC_CIPHER_TRANSFORM0 cipherTransform;
        }

        /// <summary>IPSEC_SA_TRANSFORM0: transform type, then a pointer union at offset 8.</summary>
        [StructLayout(LayoutKind.Explicit)]
        public struct IPSEC_SA_TRANSFORM0
        {
            [FieldOffset(0)] public uint ipsecTransformType;
            [FieldOffset(8)] public IntPtr ahTransform;
            [FieldOffset(8)] public IntPtr espAuthTransform;
            [FieldOffset(8)] public IntPtr espCipherTransform;
            [FieldOffset(8)] public IntPtr espAuthAndCipherTransform;
            [FieldOffset(8)] public IntPtr espAuthFwTransform;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_PROPOSAL0
        {
            public IPSEC_SA_LIFETIME0 lifetime;
            public uint numSaTransforms;
            public IntPtr saTransforms;
            public uint pfsGroup;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct IPSEC_TRANSPORT_POLICY2
        {
            public uint numIpsecProposals;
            public IntPtr ipsecProposals;
            public uint flags;
            public uint ndAllowClearTimeoutSeconds;
            public IPSEC_SA_IDLE_TIMEOUT0 saIdleTimeout;
            public IntPtr emPolicy;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_SESSION0
        {
            public Guid sessionKey;
            public FWPM_DISPLAY_DATA0 displayData;
            public uint flags;
            public uint txnWaitTimeoutInMSec;
            public uint processId;
            public IntPtr sid;
            public IntPtr username;
            public int kernelMode;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_FILTER_ENUM_TEMPLATE0
        {
            public IntPtr providerKey;
            public Guid layerKey;
            public uint enumType;
            public uint flags;
            public IntPtr providerContextTemplate;
            public uint numFilterConditions;
            public IntPtr filterCondition;
            public uint actionMask;
            public IntPtr calloutKey;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_SUBLAYER_ENUM_TEMPLATE0
        {
            public IntPtr providerKey;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0
        {
            public IntPtr providerKey;
            public uint providerContextType;
        }
    }

    internal static class NativeMethods
    {
        private const string Dll = "fwpuclnt.dll";

        [DllImport(Dll)] public static extern uint FwpmEngineOpen0(IntPtr serverName, uint authnService, IntPtr authIdentity, ref NativeHelpers.FWPM_SESSION0 session, out IntPtr engineHandle);
        [DllImport(Dll)] public static extern uint FwpmEngineClose0(IntPtr engineHandle);
        [DllImport(Dll)] public static extern uint FwpmTransactionBegin0(SafeEngineHandle engineHandle, uint flags);
        [DllImport(Dll)] public static extern uint FwpmTransactionCommit0(SafeEngineHandle engineHandle);
        [DllImport(Dll)] public static extern uint FwpmTransactionAbort0(SafeEngineHandle engineHandle);
        [DllImport(Dll)] public static extern void FwpmFreeMemory0(ref IntPtr p);

        [DllImport(Dll)] public static extern uint FwpmProviderAdd0(SafeEngineHandle engineHandle, ref NativeHelpers.FWPM_PROVIDER0 provider, IntPtr sd);
        [DllImport(Dll)] public static extern uint FwpmProviderDeleteByKey0(SafeEngineHandle engineHandle, ref Guid key);
        [DllImport(Dll)] public static extern uint FwpmProviderCreateEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumTemplate, out IntPtr enumHandle);
        [DllImport(Dll)] public static extern uint FwpmProviderEnum0(SafeEngineHandle engineHandle, SafeEnumHandle enumHandle, uint numEntriesRequested, out IntPtr entries, out uint numEntriesReturned);
        [DllImport(Dll)] public static extern uint FwpmProviderDestroyEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumHandle);

        [DllImport(Dll)] public static extern uint FwpmSubLayerAdd0(SafeEngineHandle engineHandle, ref NativeHelpers.FWPM_SUBLAYER0 subLayer, IntPtr sd);
        [DllImport(Dll)] public static extern uint FwpmSubLayerDeleteByKey0(SafeEngineHandle engineHandle, ref Guid key);
        [DllImport(Dll)] public static extern uint FwpmSubLayerCreateEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumTemplate, out IntPtr enumHandle);
        [DllImport(Dll)] public static extern uint FwpmSubLayerEnum0(SafeEngineHandle engineHandle, SafeEnumHandle enumHandle, uint numEntriesRequested, out IntPtr entries, out uint numEntriesReturned);
        [DllImport(Dll)] public static extern uint FwpmSubLayerDestroyEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumHandle);

        [DllImport(Dll)] public static extern uint FwpmProviderContextAdd2(SafeEngineHandle engineHandle, ref NativeHelpers.FWPM_PROVIDER_CONTEXT2 providerContext, IntPtr sd, out ulong id);
        [DllImport(Dll)] public static extern uint FwpmProviderContextDeleteByKey0(SafeEngineHandle engineHandle, ref Guid key);
        [DllImport(Dll)] public static extern uint FwpmProviderContextCreateEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumTemplate, out IntPtr enumHandle);
        [DllImport(Dll)] public static extern uint FwpmProviderContextEnum2(SafeEngineHandle engineHandle, SafeEnumHandle enumHandle, uint numEntriesRequested, out IntPtr entries, out uint numEntriesReturned);
        [DllImport(Dll)] public static extern uint FwpmProviderContextDestroyEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumHandle);

        [DllImport(Dll)] public static extern uint FwpmFilterAdd0(SafeEngineHandle engineHandle, ref NativeHelpers.FWPM_FILTER0 filter, IntPtr sd, out ulong id);
        [DllImport(Dll)] public static extern uint FwpmFilterDeleteByKey0(SafeEngineHandle engineHandle, ref Guid key);
        [DllImport(Dll)] public static extern uint FwpmFilterCreateEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumTemplate, out IntPtr enumHandle);
        [DllImport(Dll)] public static extern uint FwpmFilterEnum0(SafeEngineHandle engineHandle, SafeEnumHandle enumHandle, uint numEntriesRequested, out IntPtr entries, out uint numEntriesReturned);
        [DllImport(Dll)] public static extern uint FwpmFilterDestroyEnumHandle0(SafeEngineHandle engineHandle, IntPtr enumHandle);
    }

    /// <summary>An engine (session) handle, closed with FwpmEngineClose0.</summary>
    internal sealed class SafeEngineHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public SafeEngineHandle() : base(true) { }

        public SafeEngineHandle(IntPtr handle) : base(true)
        {
            SetHandle(handle);
        }

        protected override bool ReleaseHandle()
        {
            return NativeMethods.FwpmEngineClose0(handle) == 0;
        }
    }

    internal enum EnumKind { Provider, SubLayer, ProviderContext, Filter }

    /// <summary>An enumeration handle; destroying it needs the engine and the object type.</summary>
    internal sealed class SafeEnumHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        private readonly SafeEngineHandle engine;
        private readonly EnumKind kind;

        public SafeEnumHandle(SafeEngineHandle engine, EnumKind kind, IntPtr handle) : base(true)
        {
            this.engine = engine;
            this.kind = kind;
            SetHandle(handle);
        }

        protected override bool ReleaseHandle()
        {
            if (engine.IsClosed) return false;
            switch (kind)
            {
                case EnumKind.Provider: return NativeMethods.FwpmProviderDestroyEnumHandle0(engine, handle) == 0;
                case EnumKind.SubLayer: return NativeMethods.FwpmSubLayerDestroyEnumHandle0(engine, handle) == 0;
                case EnumKind.ProviderContext: return NativeMethods.FwpmProviderContextDestroyEnumHandle0(engine, handle) == 0;
                default: return NativeMethods.FwpmFilterDestroyEnumHandle0(engine, handle) == 0;
            }
        }
    }

    /// <summary>Unmanaged memory for one Add call: everything allocated here is freed together.</summary>
    internal sealed class Arena : IDisposable
    {
        private readonly List<IntPtr> blocks = new List<IntPtr>();

        internal IntPtr Alloc(int size)
        {
            IntPtr p = Marshal.AllocHGlobal(Math.Max(size, 1));
            blocks.Add(p);
            Marshal.Copy(new byte[Math.Max(size, 1)], 0, p, Math.Max(size, 1));
            return p;
        }

        internal IntPtr Str(string text)
        {
            if (text == null) return IntPtr.Zero;
            IntPtr p = Marshal.StringToHGlobalUni(text);
            blocks.Add(p);
            return p;
        }

        internal IntPtr Bytes(byte[] data)
        {
            IntPtr p = Alloc(data.Length);
            Marshal.Copy(data, 0, p, data.Length);
            return p;
        }

        internal IntPtr GuidPtr(Guid guid)
        {
            return Bytes(guid.ToByteArray());
        }

        internal IntPtr Struct<T>(T value) where T : struct
        {
            IntPtr p = Alloc(Marshal.SizeOf(typeof(T)));
            Marshal.StructureToPtr(value, p, false);
            return p;
        }

        internal IntPtr Array<T>(List<T> items) where T : struct
        {
            if (items.Count == 0) return IntPtr.Zero;
            int size = Marshal.SizeOf(typeof(T));
            IntPtr p = Alloc(size * items.Count);
            for (int i = 0; i < items.Count; i++)
                Marshal.StructureToPtr(items[i], IntPtr.Add(p, i * size), false);
            return p;
        }

        internal NativeHelpers.FWP_BYTE_BLOB Blob(byte[] data)
        {
            NativeHelpers.FWP_BYTE_BLOB blob = new NativeHelpers.FWP_BYTE_BLOB();
            if (data != null && data.Length > 0)
            {
                blob.size = (uint)data.Length;
                blob.data = Bytes(data);
            }
            return blob;
        }

        public void Dispose()
        {
            foreach (IntPtr p in blocks)
                Marshal.FreeHGlobal(p);
            blocks.Clear();
        }
    }

    // ---------------------------------------------------------------------------------------
    // Session: one engine handle, its transaction and enumeration (add/delete: WfpIpsecApply.cs).
    // ---------------------------------------------------------------------------------------

    internal sealed class Session : IDisposable
    {
        private const uint PageSize = 256;
        private readonly SafeEngineHandle engine;
        private bool inTransaction;

        private Session(SafeEngineHandle engine)
        {
            this.engine = engine;
        }

        internal SafeEngineHandle Engine { get { return engine; } }

        /// <summary>A non-dynamic session: objects it adds outlive it (static, or persistent
        /// when their PERSISTENT flag is set), as declared.</summary>
        /// <summary>Pointer size of this process; every layout here is the x64 one. A field
        /// (not IntPtr.Size directly) so the refusal can be tested on a 64-bit stand-in.</summary>
        internal static int ProcessPointerSize = IntPtr.Size;

        internal static Session Open()
        {
            if (ProcessPointerSize != 8)
                throw new WfpException(0, "WFP_IPSEC_NOT_64BIT",
                    "wfp.ipsec needs a 64-bit PowerShell process: its WFP struct layouts are the x64 ones and this " +
                    "process is 32-bit (pointer size " + ProcessPointerSize + "); run the module with the 64-bit " +
                    "powershell.exe (System32, not SysWOW64)", null);
            NativeHelpers.FWPM_SESSION0 session = new NativeHelpers.FWPM_SESSION0();
            IntPtr name = Marshal.StringToHGlobalUni("wfp.ipsec");
            try
            {
                session.displayData.name = name;
                session.flags = 0;
                session.txnWaitTimeoutInMSec = 0;  // BFE default
                IntPtr handle;
                uint status = NativeMethods.FwpmEngineOpen0(IntPtr.Zero, Catalogue.RPC_C_AUTHN_WINNT, IntPtr.Zero, ref session, out handle);
                if (status != 0)
                    throw WfpException.FromStatus(status, "FwpmEngineOpen0", null);
                return new Session(new SafeEngineHandle(handle));
            }
            finally
            {
                Marshal.FreeHGlobal(name);
            }
        }

        internal void Begin(bool readOnly)
        {
            Check(NativeMethods.FwpmTransactionBegin0(engine, readOnly ? Catalogue.FWPM_TXN_READ_ONLY : 0), "FwpmTransactionBegin0");
            inTransaction = true;
        }

        internal void Commit()
        {
            inTransaction = false;
            Check(NativeMethods.FwpmTransactionCommit0(engine), "FwpmTransactionCommit0");
        }

        internal void Abort()
        {
            if (!inTransaction) return;
            inTransaction = false;
            NativeMethods.FwpmTransactionAbort0(engine);
        }

        public void Dispose()
        {
            Abort();
            engine.Dispose();
        }

        internal static void Check(uint status, string what)
        {
            if (status != 0)
                throw WfpException.FromStatus(status, what, null);
        }

        // ---- reads ------------------------------------------------------------------------
        // Reads never convert what they do not need: the owned read asks BFE for one
        // provider's objects (the providerKey member of the enum templates) and checks the
        // owner of every entry before converting it, so a foreign object is neither converted
        // nor able to break the read. An object that cannot be converted comes back as an
        // `unsupported` record (key, layer, reason) instead of failing the read.

        /// <summary>The context types the collection writes: the owned read enumerates
        /// exactly these, one template each (FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 filters
        /// by type as well as by provider).</summary>
        private static readonly string[] OwnedContextTypes = new string[] {
            "FWPM_IPSEC_IKE_MM_CONTEXT", "FWPM_IPSEC_AUTHIP_MM_CONTEXT", "FWPM_IPSEC_IKEV2_MM_CONTEXT",
            "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
            "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT" };

        /// <summary>The objects one provider owns, enumerated with provider templates.</summary>
        internal Dictionary<string, object> ReadOwned(string owner)
        {
            Reading reading = new Reading(owner);
            Guid ownerKey = new Guid(owner);
            Enumerate(EnumKind.Provider, IntPtr.Zero, reading);
            using (Arena arena = new Arena())
            {
                IntPtr ownerPtr = arena.GuidPtr(ownerKey);
                NativeHelpers.FWPM_SUBLAYER_ENUM_TEMPLATE0 sublayers = new NativeHelpers.FWPM_SUBLAYER_ENUM_TEMPLATE0();
                sublayers.providerKey = ownerPtr;
                Enumerate(EnumKind.SubLayer, arena.Struct(sublayers), reading);
                foreach (string type in OwnedContextTypes)
                {
                    NativeHelpers.FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 contexts = new NativeHelpers.FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0();
                    contexts.providerKey = ownerPtr;
                    contexts.providerContextType = Catalogue.Value("FWPM_PROVIDER_CONTEXT_TYPE", type, "providerContextType");
                    Enumerate(EnumKind.ProviderContext, arena.Struct(contexts), reading);
                }
                Enumerate(EnumKind.Filter, FilterTemplate(arena, ownerPtr, Guid.Empty), reading);
            }
            return reading.State();
        }

        /// <summary>Everything (layers == null), or every provider, sublayer and provider
        /// context with only the filters at the given layers plus every filter `owner` owns
        /// (what the plan and the shadow analysis of one provider need).</summary>
        internal Dictionary<string, object> ReadAll(string owner, List<Guid> layers)
        {
            Reading reading = new Reading(null);
            Enumerate(EnumKind.Provider, IntPtr.Zero, reading);
            Enumerate(EnumKind.SubLayer, IntPtr.Zero, reading);
            Enumerate(EnumKind.ProviderContext, IntPtr.Zero, reading);
            if (layers == null)
            {
                Enumerate(EnumKind.Filter, IntPtr.Zero, reading);
                return reading.State();
            }
            using (Arena arena = new Arena())
            {
                foreach (Guid layer in layers)
                    Enumerate(EnumKind.Filter, FilterTemplate(arena, IntPtr.Zero, layer), reading);
                if (owner != null)
                    Enumerate(EnumKind.Filter, FilterTemplate(arena, arena.GuidPtr(new Guid(owner)), Guid.Empty), reading);
            }
            return reading.State();
        }

        /// <summary>The policy_info view (plugin_utils/query.py select()): owner != null: only
        /// that provider's objects; layers != null: only filters at those layers and the
        /// sublayers, provider contexts and providers they reference; both: the intersection.</summary>
        internal Dictionary<string, object> ReadState(string owner, List<Guid> layers)
        {
            Dictionary<string, object> state;
            if (owner != null) state = ReadOwned(owner);
            else if (layers != null) state = ReadAll(null, layers);
            else return ReadAll(null, null);
            if (layers == null) return state;
            // Keep the filters at the layers, what they reference, then the providers of all kept objects.
            HashSet<string> layerKeys = new HashSet<string>();
            foreach (Guid layer in layers) layerKeys.Add(layer.ToString("D"));
            List<object> filters = ((List<object>)state["filters"]).FindAll(delegate(object o) { return layerKeys.Contains((string)((Dictionary<string, object>)o)["layer_key"]); });
            HashSet<string> wanted = new HashSet<string>();
            foreach (object item in filters)
            {
                Dictionary<string, object> filter = (Dictionary<string, object>)item;
                wanted.Add((string)filter["sublayer_key"]);
                wanted.Add(filter["provider_context_key"] as string ?? "");
                wanted.Add(filter["provider_key"] as string ?? "");
            }
            Predicate<object> referenced = delegate(object o) { return wanted.Contains((string)((Dictionary<string, object>)o)["key"]); };
            List<object> sublayers = ((List<object>)state["sublayers"]).FindAll(referenced);
            List<object> contexts = ((List<object>)state["provider_contexts"]).FindAll(referenced);
            foreach (object o in sublayers) wanted.Add(((Dictionary<string, object>)o)["provider_key"] as string ?? "");
            foreach (object o in contexts) wanted.Add(((Dictionary<string, object>)o)["provider_key"] as string ?? "");
            state["providers"] = ((List<object>)state["providers"]).FindAll(referenced);
            state["sublayers"] = sublayers;
            state["provider_contexts"] = contexts;
            state["filters"] = filters;
            object unsupported;
            if (state.TryGetValue("unsupported", out unsupported))
            {
                List<object> kept = ((List<object>)unsupported).FindAll(delegate(object o)
                {
                    string layer = ((Dictionary<string, object>)o)["layer_key"] as string;
                    return layer != null && layerKeys.Contains(layer);
                });
                if (kept.Count == 0) state.Remove("unsupported");
                else state["unsupported"] = kept;
            }
            return state;
        }

        private static IntPtr FilterTemplate(Arena arena, IntPtr providerKey, Guid layer)
        {
            NativeHelpers.FWPM_FILTER_ENUM_TEMPLATE0 template = new NativeHelpers.FWPM_FILTER_ENUM_TEMPLATE0();
            template.providerKey = providerKey;
            template.layerKey = layer;  // all zero: every layer
            template.enumType = Catalogue.FWP_FILTER_ENUM_OVERLAPPING;
            // As Microsoft's WFPSampler does: disabled and boot-time filters too (a BFE that
            // refuses these flags is read without a template, see Enumerate).
            template.flags = Catalogue.FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME | Catalogue.FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED;
            template.actionMask = 0xFFFFFFFF;  // 0 would match no action type
            return arena.Struct(template);
        }

        /// <summary>Objects and unsupported records of one read, deduplicated by key.</summary>
        private sealed class Reading
        {
            internal readonly string Owner;
            internal readonly Dictionary<EnumKind, Dictionary<string, Dictionary<string, object>>> Objects =
                new Dictionary<EnumKind, Dictionary<string, Dictionary<string, object>>>();
            internal readonly Dictionary<string, Dictionary<string, object>> Unsupported =
                new Dictionary<string, Dictionary<string, object>>();

            internal Reading(string owner)
            {
                Owner = owner;
                foreach (EnumKind kind in new EnumKind[] { EnumKind.Provider, EnumKind.SubLayer, EnumKind.ProviderContext, EnumKind.Filter })
                    Objects[kind] = new Dictionary<string, Dictionary<string, object>>();
            }

            internal Dictionary<string, object> State()
            {
                Dictionary<string, object> state = new Dictionary<string, object>();
                state["format"] = PolicyHost.StateFormat;
                state["providers"] = Convert.SortedByKey(new List<Dictionary<string, object>>(Objects[EnumKind.Provider].Values));
                state["sublayers"] = Convert.SortedByKey(new List<Dictionary<string, object>>(Objects[EnumKind.SubLayer].Values));
                state["provider_contexts"] = Convert.SortedByKey(new List<Dictionary<string, object>>(Objects[EnumKind.ProviderContext].Values));
                state["filters"] = Convert.SortedByKey(new List<Dictionary<string, object>>(Objects[EnumKind.Filter].Values));
                if (Unsupported.Count > 0)
                    state["unsupported"] = Convert.SortedByKey(new List<Dictionary<string, object>>(Unsupported.Values));
                return state;
            }
        }

        private void Enumerate(EnumKind kind, IntPtr template, Reading reading)
        {
            IntPtr raw;
            uint status = CreateEnumHandle(kind, template, out raw);
            if (status != 0 && template != IntPtr.Zero)
            {
                // A BFE that rejects the template is read without one; the owner check below
                // still keeps foreign objects out (and unconverted).
                status = CreateEnumHandle(kind, IntPtr.Zero, out raw);
            }
            Check(status, "Fwpm" + kind + "CreateEnumHandle0");
            using (SafeEnumHandle handle = new SafeEnumHandle(engine, kind, raw))
            {
                while (true)
                {
                    IntPtr entries;
                    uint count;
                    switch (kind)
                    {
                        case EnumKind.Provider: status = NativeMethods.FwpmProviderEnum0(engine, handle, PageSize, out entries, out count); break;
                        case EnumKind.SubLayer: status = NativeMethods.FwpmSubLayerEnum0(engine, handle, PageSize, out entries, out count); break;
                        case EnumKind.ProviderContext: status = NativeMethods.FwpmProviderContextEnum2(engine, handle, PageSize, out entries, out count); break;
                        default: status = NativeMethods.FwpmFilterEnum0(engine, handle, PageSize, out entries, out count); break;
                    }
                    Check(status, "Fwpm" + kind + "Enum");
                    try
                    {
                        for (int i = 0; i < count; i++)
                            Take(kind, Marshal.ReadIntPtr(entries, i * IntPtr.Size), reading);
                    }
                    finally
                    {
                        if (entries != IntPtr.Zero)
                            NativeMethods.FwpmFreeMemory0(ref entries);
                    }
                    if (count < PageSize) break;
                }
            }
        }

        private uint CreateEnumHandle(EnumKind kind, IntPtr template, out IntPtr raw)
        {
            switch (kind)
            {
                case EnumKind.Provider: return NativeMethods.FwpmProviderCreateEnumHandle0(engine, template, out raw);
                case EnumKind.SubLayer: return NativeMethods.FwpmSubLayerCreateEnumHandle0(engine, template, out raw);
                case EnumKind.ProviderContext: return NativeMethods.FwpmProviderContextCreateEnumHandle0(engine, template, out raw);
                default: return NativeMethods.FwpmFilterCreateEnumHandle0(engine, template, out raw);
            }
        }

        /// <summary>Convert one enumerated entry (when the read wants its owner). Any failure
        /// to convert it makes an unsupported record, never a failed read.</summary>
        private static void Take(EnumKind kind, IntPtr item, Reading reading)
        {
            Dictionary<string, object> header = Convert.Header(kind, item);
            if (reading.Owner != null)
            {
                string owner = kind == EnumKind.Provider ? (string)header["key"] : header["provider_key"] as string;
                if (owner != reading.Owner) return;
            }
            string key = (string)header["key"];
            if (reading.Objects[kind].ContainsKey(key) || reading.Unsupported.ContainsKey(key)) return;
            try
            {
                Dictionary<string, object> obj;
                switch (kind)
                {
                    case EnumKind.Provider: obj = Convert.ProviderFromNative(item); break;
                    case EnumKind.SubLayer: obj = Convert.SubLayerFromNative(item); break;
                    case EnumKind.ProviderContext: obj = Convert.ProviderContextFromNative(item); break;
                    default: obj = Convert.FilterFromNative(item); break;
                }
                reading.Objects[kind][key] = obj;
            }
            catch (Exception error)
            {
                if (error is OutOfMemoryException || error is StackOverflowException) throw;
                string reason = error is NotSupportedException ? error.Message : error.GetType().Name + ": " + error.Message;
                header["reason"] = reason.Replace("\r\n", " ").Replace('\n', ' ');
                reading.Unsupported[key] = header;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Conversion from native structs to the canonical JSON form (the other way: WfpIpsecApply.cs).
    // ---------------------------------------------------------------------------------------

    /// <summary>Abstract only so that the write converters (WfpIpsecApply.cs) can derive from
    /// it and call its helpers unqualified; it has static members only.</summary>
    internal abstract class Convert
    {
        internal static readonly string[] ObjectTypes = new string[] { "provider", "sublayer", "provider_context", "filter" };
        internal static readonly string[] ListNames = new string[] { "providers", "sublayers", "provider_contexts", "filters" };

        /// <summary>Commit confirmed only (WfpIpsecConfirm.cs): reads also return the
        /// pre-shared key itself, for the snapshot the host restores from. Never set otherwise.</summary>
        [ThreadStatic] internal static bool KeepPresharedKeys;

        internal static readonly string[] CalloutActions = new string[] {
            "FWP_ACTION_CALLOUT_TERMINATING", "FWP_ACTION_CALLOUT_INSPECTION", "FWP_ACTION_CALLOUT_UNKNOWN" };

        // ---- JSON access helpers -------------------------------------------------------------

        internal static object Get(Dictionary<string, object> d, string key)
        {
            object value;
            return d.TryGetValue(key, out value) ? value : null;
        }

        internal static Dictionary<string, object> AsDict(object value, string path)
        {
            Dictionary<string, object> d = value as Dictionary<string, object>;
            if (d == null) throw WfpException.Invalid(path + ": expected an object");
            return d;
        }

        internal static List<object> AsList(object value, string path)
        {
            List<object> list = value as List<object>;
            if (list == null) throw WfpException.Invalid(path + ": expected a list");
            return list;
        }

        internal static List<object> OptionalList(Dictionary<string, object> d, string key, string path)
        {
            object value = Get(d, key);
            return value == null ? new List<object>() : AsList(value, path + "." + key);
        }

        internal static string Str(Dictionary<string, object> d, string key, string path)
        {
            string text = Get(d, key) as string;
            if (text == null) throw WfpException.Invalid(path + "." + key + ": expected a string");
            return text;
        }

        internal static string OptionalStr(Dictionary<string, object> d, string key)
        {
            return Get(d, key) as string;
        }

        internal static ulong UInt(Dictionary<string, object> d, string key, string path, ulong max)
        {
            object value = Get(d, key);
            ulong result;
            if (value is long && (long)value >= 0) result = (ulong)(long)value;
            else if (value is ulong) result = (ulong)value;
            else throw WfpException.Invalid(path + "." + key + ": expected a non-negative integer");
            if (result > max) throw WfpException.Invalid(String.Format("{0}.{1}: {2} is above {3}", path, key, result, max));
            return result;
        }

        internal static long Int(object value, string path, long min, long max)
        {
            long result;
            if (value is long) result = (long)value;
            else throw WfpException.Invalid(path + ": expected an integer");
            if (result < min || result > max) throw WfpException.Invalid(String.Format("{0}: {1} is outside {2}..{3}", path, result, min, max));
            return result;
        }

        internal static string GuidText(string text, string path)
        {
            Guid guid;
            if (text == null || !Guid.TryParse(text, out guid))
                throw WfpException.Invalid(path + ": expected a GUID, got " + (text == null ? "null" : "'" + text + "'"));
            return guid.ToString("D");
        }

        internal static string OptionalGuidText(Dictionary<string, object> d, string key, string path)
        {
            object value = Get(d, key);
            return value == null ? null : GuidText(value as string, path + "." + key);
        }

        internal static List<object> SortedByKey(List<Dictionary<string, object>> items)
        {
            items.Sort(delegate(Dictionary<string, object> a, Dictionary<string, object> b)
            {
                return String.CompareOrdinal((string)a["key"], (string)b["key"]);
            });
            return new List<object>(items.ToArray());
        }

        internal static string Hex(byte[] data)
        {
            StringBuilder sb = new StringBuilder(data.Length * 2);
            foreach (byte b in data) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        internal static byte[] FromHex(string text, string path)
        {
            string clean = text.Replace(" ", "").Replace("-", "");
            if (clean.Length % 2 != 0) throw WfpException.Invalid(path + ": odd number of hex digits");
            byte[] result = new byte[clean.Length / 2];
            for (int i = 0; i < result.Length; i++)
            {
                if (!Byte.TryParse(clean.Substring(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out result[i]))
                    throw WfpException.Invalid(path + ": invalid hex");
            }
            return result;
        }

        internal static string PskDigest(string contextKey, byte[] keyBytes)
        {
            using (HMACSHA256 mac = new HMACSHA256(Encoding.UTF8.GetBytes(contextKey)))
                return "hmac-sha256:" + Hex(mac.ComputeHash(keyBytes));
        }

        // ---- unsupported objects --------------------------------------------------------------

        /// <summary>What identifies an enumerated object (type, key, name, provider_key,
        /// layer_key, sublayer_key): read from the struct's inline members and the provider key
        /// pointer only, so it is available even when the object cannot be converted.</summary>
        internal static Dictionary<string, object> Header(EnumKind kind, IntPtr ptr)
        {
            Dictionary<string, object> h = new Dictionary<string, object>();
            Guid key;
            IntPtr owner = IntPtr.Zero;
            NativeHelpers.FWPM_DISPLAY_DATA0 display;
            h["layer_key"] = null;
            h["sublayer_key"] = null;
            switch (kind)
            {
                case EnumKind.Provider:
                    NativeHelpers.FWPM_PROVIDER0 p = Read<NativeHelpers.FWPM_PROVIDER0>(ptr);
                    key = p.providerKey; display = p.displayData;
                    h["type"] = "provider";
                    break;
                case EnumKind.SubLayer:
                    NativeHelpers.FWPM_SUBLAYER0 s = Read<NativeHelpers.FWPM_SUBLAYER0>(ptr);
                    key = s.subLayerKey; display = s.displayData; owner = s.providerKey;
                    h["type"] = "sublayer";
                    break;
                case EnumKind.ProviderContext:
                    NativeHelpers.FWPM_PROVIDER_CONTEXT2 c = Read<NativeHelpers.FWPM_PROVIDER_CONTEXT2>(ptr);
                    key = c.providerContextKey; display = c.displayData; owner = c.providerKey;
                    h["type"] = "provider_context";
                    break;
                default:
                    NativeHelpers.FWPM_FILTER0 f = Read<NativeHelpers.FWPM_FILTER0>(ptr);
                    key = f.filterKey; display = f.displayData; owner = f.providerKey;
                    h["type"] = "filter";
                    h["layer_key"] = f.layerKey.ToString("D");
                    h["sublayer_key"] = f.subLayerKey.ToString("D");
                    break;
            }
            h["key"] = key.ToString("D");
            h["name"] = Text(display.name) ?? "";
            h["provider_key"] = kind == EnumKind.Provider ? null : GuidAt(owner);
            return h;
        }

        /// <summary>The object cannot be represented in the canonical form; the message is
        /// the reason shown with its unsupported record.</summary>
        private static NotSupportedException Unsupported(string format, params object[] args)
        {
            return new NotSupportedException(String.Format(CultureInfo.InvariantCulture, format, args));
        }

        /// <summary>A pointer the struct must carry for this type; null means the object is not
        /// what its type says (reading through it would crash the process).</summary>
        private static IntPtr NonNull(IntPtr p, string what)
        {
            if (p == IntPtr.Zero) throw Unsupported("{0} is a null pointer", what);
            return p;
        }

        /// <summary>An enumeration symbol that must be known for the object to mean anything
        /// (match and action types decide what a filter does).</summary>
        private static string KnownSymbol(string family, ulong value, string what)
        {
            string symbol = Catalogue.Symbol(family, value);
            if (symbol.StartsWith("0x", StringComparison.Ordinal))
                throw Unsupported("{0} {1} is not a known {2}", what, symbol, family);
            return symbol;
        }

        // ---- native read helpers ---------------------------------------------------------------

        private static T Read<T>(IntPtr p) where T : struct
        {
            return (T)Marshal.PtrToStructure(p, typeof(T));
        }

        private static List<T> ReadArray<T>(IntPtr p, uint count) where T : struct
        {
            List<T> result = new List<T>();
            int size = Marshal.SizeOf(typeof(T));
            for (int i = 0; i < count && p != IntPtr.Zero; i++)
                result.Add(Read<T>(IntPtr.Add(p, i * size)));
            return result;
        }

        private static byte[] ReadBytes(IntPtr p, int count)
        {
            byte[] data = new byte[count];
            if (count > 0) Marshal.Copy(p, data, 0, count);
            return data;
        }

        private static string GuidAt(IntPtr p)
        {
            return p == IntPtr.Zero ? null : new Guid(ReadBytes(p, 16)).ToString("D");
        }

        private static string Text(IntPtr p)
        {
            return p == IntPtr.Zero ? null : Marshal.PtrToStringUni(p);
        }

        private static object BlobHex(NativeHelpers.FWP_BYTE_BLOB blob)
        {
            if (blob.size == 0 || blob.data == IntPtr.Zero) return null;
            return Hex(ReadBytes(blob.data, (int)blob.size));
        }

        private static byte[] BlobBytes(NativeHelpers.FWP_BYTE_BLOB blob)
        {
            if (blob.size == 0 || blob.data == IntPtr.Zero) return new byte[0];
            return ReadBytes(blob.data, (int)blob.size);
        }

        private static Dictionary<string, object> Common(Guid key, NativeHelpers.FWPM_DISPLAY_DATA0 display,
            string flagFamily, uint flags, NativeHelpers.FWP_BYTE_BLOB providerData)
        {
            Dictionary<string, object> d = new Dictionary<string, object>();
            d["key"] = key.ToString("D");
            d["name"] = Text(display.name) ?? "";
            d["description"] = Text(display.description);
            d["flags"] = Catalogue.FlagSymbols(flagFamily, flags);
            d["provider_data"] = BlobHex(providerData);
            return d;
        }

        // ---- providers and sublayers -----------------------------------------------------------

        internal static Dictionary<string, object> ProviderFromNative(IntPtr ptr)
        {
            NativeHelpers.FWPM_PROVIDER0 p = Read<NativeHelpers.FWPM_PROVIDER0>(ptr);
            Dictionary<string, object> d = Common(p.providerKey, p.displayData, "FWPM_PROVIDER_FLAG", p.flags, p.providerData);
            string service = Text(p.serviceName);
            d["service_name"] = String.IsNullOrEmpty(service) ? null : service;
            return d;
        }

        internal static Dictionary<string, object> SubLayerFromNative(IntPtr ptr)
        {
            NativeHelpers.FWPM_SUBLAYER0 s = Read<NativeHelpers.FWPM_SUBLAYER0>(ptr);
            Dictionary<string, object> d = Common(s.subLayerKey, s.displayData, "FWPM_SUBLAYER_FLAG", s.flags, s.providerData);
            d["provider_key"] = GuidAt(s.providerKey);
            d["weight"] = (long)s.weight;
            return d;
        }

        // ---- provider contexts ------------------------------------------------------------------

        internal static bool IsMainMode(string type)
        {
            return type == "FWPM_IPSEC_IKE_MM_CONTEXT" || type == "FWPM_IPSEC_AUTHIP_MM_CONTEXT" || type == "FWPM_IPSEC_IKEV2_MM_CONTEXT";
        }

        internal static bool IsQuickModeTransport(string type)
        {
            return type == "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT" || type == "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT" || type == "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT";
        }

        internal static bool IsIkeV2(string type)
        {
            return type == "FWPM_IPSEC_IKEV2_MM_CONTEXT" || type == "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT";
        }

        /// <summary>The policy pointer of FWPM_PROVIDER_CONTEXT2's union by the arm the type
        /// names (all arms share offset 72; naming the arm keeps the code true to the header).</summary>
        internal static IntPtr PolicyArm(NativeHelpers.FWPM_PROVIDER_CONTEXT2 c, string type)
        {
            switch (type)
            {
                case "FWPM_IPSEC_IKE_MM_CONTEXT": return c.ikeMmPolicy;
                case "FWPM_IPSEC_AUTHIP_MM_CONTEXT": return c.authIpMmPolicy;
                case "FWPM_IPSEC_IKEV2_MM_CONTEXT": return c.ikeV2MmPolicy;
                case "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT": return c.ikeQmTransportPolicy;
                case "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT": return c.authipQmTransportPolicy;
                case "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT": return c.ikeV2QmTransportPolicy;
                default: return IntPtr.Zero;
            }
        }

        /// <summary>IKEEXT_AUTHENTICATION_METHOD2 types held in the certificateAuthentication arm.</summary>
        internal static bool IsCertificateMethod(string type)
        {
            return type == "IKEEXT_CERTIFICATE" || type == "IKEEXT_CERTIFICATE_ECDSA_P256" || type == "IKEEXT_CERTIFICATE_ECDSA_P384";
        }

        internal static Dictionary<string, object> ProviderContextFromNative(IntPtr ptr)
        {
            NativeHelpers.FWPM_PROVIDER_CONTEXT2 c = Read<NativeHelpers.FWPM_PROVIDER_CONTEXT2>(ptr);
            Dictionary<string, object> d = Common(c.providerContextKey, c.displayData, "FWPM_PROVIDER_CONTEXT_FLAG", c.flags, c.providerData);
            string key = (string)d["key"];
            d["provider_key"] = GuidAt(c.providerKey);
            string type = KnownSymbol("FWPM_PROVIDER_CONTEXT_TYPE", c.type, "provider context type");
            d["type"] = type;
            // Digests the collection stored with the context (for a BFE that blanks the key).
            byte[] data = BlobBytes(c.providerData);
            Queue<string> stored = PskRecord.Decode(ref data);
            d["provider_data"] = data.Length == 0 ? null : Hex(data);
            if (IsMainMode(type))
                d["policy"] = MainModeFromNative(Read<NativeHelpers.IKEEXT_POLICY2>(NonNull(PolicyArm(c, type), type + " policy")), key, stored);
            else if (IsQuickModeTransport(type))
                d["policy"] = QuickModeFromNative(Read<NativeHelpers.IPSEC_TRANSPORT_POLICY2>(NonNull(PolicyArm(c, type), type + " policy")), key, stored);
            else
            {
                Dictionary<string, object> unsupported = new Dictionary<string, object>();
                unsupported["unsupported"] = true;
                d["policy"] = unsupported;
            }
            Dictionary<string, object> runtime = new Dictionary<string, object>();
            runtime["provider_context_id"] = c.providerContextId;
            d["runtime"] = runtime;
            return d;
        }

        private static Dictionary<string, object> MainModeFromNative(NativeHelpers.IKEEXT_POLICY2 policy, string contextKey, Queue<string> stored)
        {
            Dictionary<string, object> p = new Dictionary<string, object>();
            p["soft_expiration_seconds"] = (long)policy.softExpirationTime;
            p["authentication_methods"] = AuthMethodsFromNative(policy.authenticationMethods, policy.numAuthenticationMethods, contextKey, stored);
            p["initiator_impersonation"] = Catalogue.Symbol("IKEEXT_IMPERSONATION", policy.initiatorImpersonationType);
            List<object> proposals = new List<object>();
            foreach (NativeHelpers.IKEEXT_PROPOSAL0 proposal in ReadArray<NativeHelpers.IKEEXT_PROPOSAL0>(policy.ikeProposals, policy.numIkeProposals))
            {
                Dictionary<string, object> item = new Dictionary<string, object>();
                item["cipher"] = Catalogue.Symbol("IKEEXT_CIPHER", proposal.cipherAlgorithm.algoIdentifier);
                item["integrity"] = Catalogue.Symbol("IKEEXT_INTEGRITY", proposal.integrityAlgorithm.algoIdentifier);
                item["dh_group"] = Catalogue.Symbol("IKEEXT_DH_GROUP", proposal.dhGroup);
                item["max_lifetime_seconds"] = (long)proposal.maxLifetimeSeconds;
                item["quick_mode_limit"] = (long)proposal.quickModeLimit;
                proposals.Add(item);
            }
            p["proposals"] = proposals;
            p["flags"] = Catalogue.FlagSymbols("IKEEXT_POLICY_FLAG", policy.flags);
            p["max_dynamic_filters"] = (long)policy.maxDynamicFilters;
            p["retransmit_duration_seconds"] = (long)policy.retransmitDurationSecs;
            return p;
        }

        private static Dictionary<string, object> QuickModeFromNative(NativeHelpers.IPSEC_TRANSPORT_POLICY2 policy, string contextKey, Queue<string> stored)
        {
            Dictionary<string, object> p = new Dictionary<string, object>();
            List<object> proposals = new List<object>();
            foreach (NativeHelpers.IPSEC_PROPOSAL0 proposal in ReadArray<NativeHelpers.IPSEC_PROPOSAL0>(policy.ipsecProposals, policy.numIpsecProposals))
            {
                Dictionary<string, object> item = new Dictionary<string, object>();
                Dictionary<string, object> lifetime = new Dictionary<string, object>();
                lifetime["seconds"] = (long)proposal.lifetime.lifetimeSeconds;
                lifetime["kilobytes"] = (long)proposal.lifetime.lifetimeKilobytes;
                lifetime["packets"] = (long)proposal.lifetime.lifetimePackets;
                item["lifetime"] = lifetime;
                List<object> transforms = new List<object>();
                foreach (NativeHelpers.IPSEC_SA_TRANSFORM0 transform in ReadArray<NativeHelpers.IPSEC_SA_TRANSFORM0>(proposal.saTransforms, proposal.numSaTransforms))
                    transforms.Add(TransformFromNative(transform));
                item["transforms"] = transforms;
                item["pfs_group"] = Catalogue.Symbol("IPSEC_PFS_GROUP", proposal.pfsGroup);
                proposals.Add(item);
            }
            p["proposals"] = proposals;
            p["flags"] = Catalogue.FlagSymbols("IPSEC_POLICY_FLAG", policy.flags);
            p["nd_allow_clear_timeout_seconds"] = (long)policy.ndAllowClearTimeoutSeconds;
            p["idle_timeout_seconds"] = (long)policy.saIdleTimeout.idleTimeoutSeconds;
            p["idle_timeout_fail_over_seconds"] = (long)policy.saIdleTimeout.idleTimeoutSecondsFailOver;
            if (policy.emPolicy == IntPtr.Zero)
            {
                p["em_policy"] = null;
            }
            else
            {
                NativeHelpers.IKEEXT_EM_POLICY2 em = Read<NativeHelpers.IKEEXT_EM_POLICY2>(policy.emPolicy);
                Dictionary<string, object> emDict = new Dictionary<string, object>();
                emDict["authentication_methods"] = AuthMethodsFromNative(em.authenticationMethods, em.numAuthenticationMethods, contextKey, stored);
                emDict["initiator_impersonation"] = Catalogue.Symbol("IKEEXT_IMPERSONATION", em.initiatorImpersonationType);
                p["em_policy"] = emDict;
            }
            return p;
        }

        internal static bool HasAuth(string type)
        {
            return type == "IPSEC_TRANSFORM_AH" || type == "IPSEC_TRANSFORM_ESP_AUTH" || type == "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER";
        }

        internal static bool HasCipher(string type)
        {
            return type == "IPSEC_TRANSFORM_ESP_CIPHER" || type == "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER";
        }

        private static Dictionary<string, object> TransformFromNative(NativeHelpers.IPSEC_SA_TRANSFORM0 transform)
        {
            Dictionary<string, object> t = new Dictionary<string, object>();
            string type = Catalogue.Symbol("IPSEC_TRANSFORM_TYPE", transform.ipsecTransformType);
            t["type"] = type;
            NativeHelpers.IPSEC_AUTH_TRANSFORM0 auth = new NativeHelpers.IPSEC_AUTH_TRANSFORM0();
            NativeHelpers.IPSEC_CIPHER_TRANSFORM0 cipher = new NativeHelpers.IPSEC_CIPHER_TRANSFORM0();
            if (transform.ahTransform == IntPtr.Zero) return t;
            if (type == "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER")
            {
                NativeHelpers.IPSEC_AUTH_AND_CIPHER_TRANSFORM0 both = Read<NativeHelpers.IPSEC_AUTH_AND_CIPHER_TRANSFORM0>(transform.espAuthAndCipherTransform);
                auth = both.authTransform;
                cipher = both.cipherTransform;
            }
            else if (HasAuth(type))
                auth = Read<NativeHelpers.IPSEC_AUTH_TRANSFORM0>(transform.ahTransform);
            else if (HasCipher(type))
                cipher = Read<NativeHelpers.IPSEC_CIPHER_TRANSFORM0>(transform.espCipherTransform);
            if (HasAuth(type))
            {
                Dictionary<string, object> a = new Dictionary<string, object>();
                a["type"] = Catalogue.Symbol("IPSEC_AUTH_TYPE", auth.authTransformId.authType);
                a["config"] = Catalogue.Symbol("IPSEC_AUTH_CONFIG", auth.authTransformId.authConfig);
                t["auth"] = a;
            }
            if (HasCipher(type))
            {
                Dictionary<string, object> c = new Dictionary<string, object>();
                c["type"] = Catalogue.Symbol("IPSEC_CIPHER_TYPE", cipher.cipherTransformId.cipherType);
                c["config"] = Catalogue.Symbol("IPSEC_CIPHER_CONFIG", cipher.cipherTransformId.cipherConfig);
                t["cipher"] = c;
            }
            return t;
        }

        // ---- authentication methods -------------------------------------------------------------

        private static List<object> AuthMethodsFromNative(IntPtr array, uint count, string contextKey, Queue<string> stored)
        {
            List<object> result = new List<object>();
            foreach (NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2 method in ReadArray<NativeHelpers.IKEEXT_AUTHENTICATION_METHOD2>(array, count))
            {
                Dictionary<string, object> m = new Dictionary<string, object>();
                string type = Catalogue.Symbol("IKEEXT_AUTHENTICATION_METHOD_TYPE", method.authenticationMethodType);
                m["type"] = type;
                switch (type)
                {
                    case "IKEEXT_KERBEROS":
                        m["flags"] = Catalogue.FlagSymbols("IKEEXT_KERB_AUTH", method.kerberosAuthentication.flags);
                        break;
                    case "IKEEXT_NTLM_V2":
                        m["flags"] = Catalogue.FlagSymbols("IKEEXT_NTLM_V2_AUTH", method.ntlmV2Authentication.flags);
                        break;
                    case "IKEEXT_PRESHARED_KEY":
                        // Never return the key itself: only its keyed digest (docs/canonical-form.md).
                        // A BFE that blanks the key leaves the digest the collection stored.
                        byte[] keyBytes = BlobBytes(method.presharedKeyAuthentication.presharedKey);
                        string storedDigest = stored.Count > 0 ? stored.Dequeue() : null;
                        m["key_digest"] = PskRecord.HasKey(keyBytes) ? PskDigest(contextKey, keyBytes) : (storedDigest ?? PskRecord.UnknownDigest);
                        // A blanked key is returned as "": commit confirmed refuses to snapshot it.
                        if (KeepPresharedKeys)
                            m["key"] = PskRecord.HasKey(keyBytes) ? Encoding.Unicode.GetString(keyBytes) : "";
                        break;
                    case "IKEEXT_CERTIFICATE":
                    case "IKEEXT_CERTIFICATE_ECDSA_P256":
                    case "IKEEXT_CERTIFICATE_ECDSA_P384":
                    case "IKEEXT_SSL":
                        NativeHelpers.IKEEXT_CERTIFICATE_AUTHENTICATION2 cert = type == "IKEEXT_SSL" ? method.sslAuthentication : method.certificateAuthentication;
                        m["inbound_config"] = Catalogue.Symbol("IKEEXT_CERT_CONFIG", cert.inboundConfigType);
                        m["outbound_config"] = Catalogue.Symbol("IKEEXT_CERT_CONFIG", cert.outboundConfigType);
                        List<object> subjects = new List<object>();
                        bool explicitIn = m["inbound_config"] as string == "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST";
                        bool explicitOut = m["outbound_config"] as string == "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST";
                        if (explicitIn || explicitOut)
                        {
                            IntPtr roots = explicitIn ? cert.inboundRootCriteria : cert.outboundRootCriteria;
                            uint size = explicitIn ? cert.inboundRootArraySize : cert.outboundRootArraySize;
                            foreach (NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0 root in ReadArray<NativeHelpers.IKEEXT_CERTIFICATE_CRITERIA0>(roots, size))
                                subjects.Add(new X500DistinguishedName(BlobBytes(root.certData)).Name);
                        }
                        m["root_subjects"] = subjects;
                        m["flags"] = Catalogue.FlagSymbols("IKEEXT_CERT_AUTH_FLAG", cert.flags);
                        break;
                }
                result.Add(m);
            }
            return result;
        }

        // ---- filters ----------------------------------------------------------------------------

        internal static Dictionary<string, object> FilterFromNative(IntPtr ptr)
        {
            NativeHelpers.FWPM_FILTER0 f = Read<NativeHelpers.FWPM_FILTER0>(ptr);
            Dictionary<string, object> d = Common(f.filterKey, f.displayData, "FWPM_FILTER_FLAG", f.flags, f.providerData);
            d["provider_key"] = GuidAt(f.providerKey);
            d["layer_key"] = f.layerKey.ToString("D");
            d["sublayer_key"] = f.subLayerKey.ToString("D");
            d["weight"] = FromValue0(f.weight);
            List<object> conditions = new List<object>();
            if (f.numFilterConditions > 0) NonNull(f.filterCondition, "filterCondition");
            foreach (NativeHelpers.FWPM_FILTER_CONDITION0 c in ReadArray<NativeHelpers.FWPM_FILTER_CONDITION0>(f.filterCondition, f.numFilterConditions))
            {
                Dictionary<string, object> condition = new Dictionary<string, object>();
                condition["field_key"] = c.fieldKey.ToString("D");
                condition["match_type"] = KnownSymbol("FWP_MATCH_TYPE", c.matchType, "match type");
                condition["value"] = ValueFromNative(c.conditionValue);
                conditions.Add(condition);
            }
            // Canonical order: (field_key, match_type, json.dumps(value, sort_keys=True)).
            conditions.Sort(delegate(object x, object y)
            {
                Dictionary<string, object> a = (Dictionary<string, object>)x;
                Dictionary<string, object> b = (Dictionary<string, object>)y;
                int r = String.CompareOrdinal((string)a["field_key"], (string)b["field_key"]);
                if (r == 0) r = String.CompareOrdinal((string)a["match_type"], (string)b["match_type"]);
                if (r == 0) r = String.CompareOrdinal(Json.SerializePythonDefault(a["value"]), Json.SerializePythonDefault(b["value"]));
                return r;
            });
            d["conditions"] = conditions;
            Dictionary<string, object> action = new Dictionary<string, object>();
            string actionType = KnownSymbol("FWP_ACTION_TYPE", f.action.type, "action type");
            action["type"] = actionType;
            action["callout_key"] = Array.IndexOf(CalloutActions, actionType) >= 0 ? f.action.calloutKey.ToString("D") : null;
            d["action"] = action;
            if ((f.flags & Catalogue.FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT) != 0)
            {
                d["raw_context"] = null;
                d["provider_context_key"] = f.providerContextKey.ToString("D");
            }
            else
            {
                d["raw_context"] = f.rawContext == 0 ? null : (object)f.rawContext;
                d["provider_context_key"] = null;
            }
            Dictionary<string, object> runtime = new Dictionary<string, object>();
            runtime["filter_id"] = f.filterId;
            runtime["effective_weight"] = FromValue0(f.effectiveWeight);
            d["runtime"] = runtime;
            return d;
        }

        // ---- values -----------------------------------------------------------------------------

        private static Dictionary<string, object> FromValue0(NativeHelpers.FWP_VALUE0 value)
        {
            NativeHelpers.FWP_CONDITION_VALUE0 c = new NativeHelpers.FWP_CONDITION_VALUE0();
            c.type = value.type;
            c.byteBlob = value.byteBlob;
            return ValueFromNative(c);
        }

        internal static Dictionary<string, object> ValueFromNative(NativeHelpers.FWP_CONDITION_VALUE0 c)
        {
            Dictionary<string, object> v = new Dictionary<string, object>();
            string type = Catalogue.Symbol("FWP_DATA_TYPE", c.type);
            v["type"] = type;
            switch (type)
            {
                case "FWP_EMPTY": break;
                case "FWP_UINT8": v["value"] = (long)c.uint8; break;
                case "FWP_UINT16": v["value"] = (long)c.uint16; break;
                case "FWP_UINT32": v["value"] = (long)c.uint32; break;
                case "FWP_INT8": v["value"] = (long)c.int8; break;
                case "FWP_INT16": v["value"] = (long)c.int16; break;
                case "FWP_INT32": v["value"] = (long)c.int32; break;
                case "FWP_UINT64":
                    ulong u = (ulong)Marshal.ReadInt64(NonNull(c.uint64, type));
                    v["value"] = u <= Int64.MaxValue ? (object)(long)u : (object)u;
                    break;
                case "FWP_INT64": v["value"] = Marshal.ReadInt64(NonNull(c.int64, type)); break;
                case "FWP_BYTE_ARRAY16_TYPE": v["value"] = Address.FormatV6(ReadBytes(NonNull(c.byteArray16, type), 16)); break;
                case "FWP_BYTE_ARRAY6_TYPE":
                    v["value"] = BitConverter.ToString(ReadBytes(NonNull(c.byteArray6, type), 6)).ToLowerInvariant();
                    break;
                case "FWP_BYTE_BLOB_TYPE":
                    v["value"] = Hex(BlobBytes(Read<NativeHelpers.FWP_BYTE_BLOB>(NonNull(c.byteBlob, type))));
                    break;
                case "FWP_SID": v["value"] = new SecurityIdentifier(NonNull(c.sid, type)).Value; break;
                case "FWP_SECURITY_DESCRIPTOR_TYPE":
                    byte[] sd = BlobBytes(Read<NativeHelpers.FWP_BYTE_BLOB>(NonNull(c.sd, type)));
                    v["value"] = new RawSecurityDescriptor(sd, 0).GetSddlForm(AccessControlSections.All);
                    break;
                case "FWP_UNICODE_STRING_TYPE": v["value"] = Text(NonNull(c.unicodeString, type)); break;
                case "FWP_V4_ADDR_MASK":
                    NativeHelpers.FWP_V4_ADDR_AND_MASK v4 = Read<NativeHelpers.FWP_V4_ADDR_AND_MASK>(NonNull(c.v4AddrMask, type));
                    v["value"] = Address.FormatV4Network(v4.addr, v4.mask);
                    break;
                case "FWP_V6_ADDR_MASK":
                    byte[] v6 = ReadBytes(NonNull(c.v6AddrMask, type), 17);
                    v["value"] = Address.FormatV6Network(v6, v6[16]);
                    break;
                case "FWP_RANGE_TYPE":
                    NativeHelpers.FWP_RANGE0 range = Read<NativeHelpers.FWP_RANGE0>(NonNull(c.rangeValue, type));
                    v["low"] = FromValue0(range.valueLow);
                    v["high"] = FromValue0(range.valueHigh);
                    break;
                default:
                    // Token information, bitmaps, floats, types newer than the catalogue.
                    throw Unsupported("{0} values cannot be read", type);
            }
            return v;
        }
    }

    /// <summary>The pre-shared key digests the collection stores in a provider context's
    /// providerData, so that idempotence does not depend on BFE returning the key:
    /// "wfp.ipsec:psk1" (ASCII), one byte n, n HMAC-SHA256 digests (32 bytes each, one per
    /// pre-shared key method in policy order), then the declared provider_data bytes. Reads
    /// strip the record, so provider_data reads back as declared.</summary>
    internal static class PskRecord
    {
        internal static readonly byte[] Magic = Encoding.ASCII.GetBytes("wfp.ipsec:psk1");
        internal const int DigestSize = 32;

        /// <summary>Reported when BFE returns no key and no digest was stored: equal to no
        /// real digest, so the context shows as drifted and is replaced.</summary>
        internal const string UnknownDigest = "hmac-sha256:0000000000000000000000000000000000000000000000000000000000000000";

        internal static bool HasKey(byte[] key)
        {
            foreach (byte b in key) if (b != 0) return true;
            return false;
        }

        /// <summary>The stored digests (empty when there is no well-formed record); `data`
        /// becomes the declared bytes that followed the record.</summary>
        internal static Queue<string> Decode(ref byte[] data)
        {
            Queue<string> digests = new Queue<string>();
            if (data.Length < Magic.Length + 1) return digests;
            for (int i = 0; i < Magic.Length; i++)
                if (data[i] != Magic[i]) return digests;
            int count = data[Magic.Length];
            int end = Magic.Length + 1 + DigestSize * count;
            if (data.Length < end) return digests;
            for (int i = 0; i < count; i++)
            {
                byte[] digest = new byte[DigestSize];
                Buffer.BlockCopy(data, Magic.Length + 1 + DigestSize * i, digest, 0, DigestSize);
                digests.Enqueue("hmac-sha256:" + Convert.Hex(digest));
            }
            byte[] rest = new byte[data.Length - end];
            Buffer.BlockCopy(data, end, rest, 0, rest.Length);
            data = rest;
            return digests;
        }
    }

    /// <summary>Address text exactly as Python's ipaddress module prints it (3.13 rules,
    /// including the dotted form of IPv4-mapped IPv6 addresses).</summary>
    internal static class Address
    {
        internal static string FormatV4(uint addr)
        {
            return String.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}.{3}", addr >> 24, (addr >> 16) & 0xFF, (addr >> 8) & 0xFF, addr & 0xFF);
        }

        internal static string FormatV4Network(uint addr, uint mask)
        {
            int prefix = 0;
            while (prefix < 32 && (mask & (0x80000000u >> prefix)) != 0) prefix++;
            return FormatV4(addr & mask) + "/" + prefix.ToString(CultureInfo.InvariantCulture);
        }

        internal static string FormatV6Network(byte[] bytes, int prefix)
        {
            byte[] network = new byte[16];
            for (int i = 0; i < 16; i++)
            {
                int keep = Math.Max(0, Math.Min(8, prefix - 8 * i));
                network[i] = (byte)(bytes[i] & (0xFF00 >> keep));
            }
            return FormatV6(network) + "/" + prefix.ToString(CultureInfo.InvariantCulture);
        }

        internal static string FormatV6(byte[] bytes)
        {
            bool mapped = true;
            for (int i = 0; i < 10; i++) if (bytes[i] != 0) mapped = false;
            if (bytes[10] != 0xFF || bytes[11] != 0xFF) mapped = false;
            if (mapped)
            {
                // Python: "%s:%s" % (_string_from_ip_int(ip >> 32), IPv4 text)
                byte[] high = new byte[16];
                Buffer.BlockCopy(bytes, 0, high, 4, 12);
                uint v4 = (uint)(bytes[12] << 24 | bytes[13] << 16 | bytes[14] << 8 | bytes[15]);
                return Compressed(high) + ":" + FormatV4(v4);
            }
            return Compressed(bytes);
        }

        private static string Compressed(byte[] bytes)
        {
            List<string> hextets = new List<string>();
            for (int i = 0; i < 16; i += 2)
                hextets.Add(((bytes[i] << 8) | bytes[i + 1]).ToString("x", CultureInfo.InvariantCulture));
            int bestStart = -1, bestLen = 0, start = -1, len = 0;
            for (int i = 0; i < hextets.Count; i++)
            {
                if (hextets[i] == "0")
                {
                    len++;
                    if (start == -1) start = i;
                    if (len > bestLen) { bestLen = len; bestStart = start; }
                }
                else
                {
                    len = 0;
                    start = -1;
                }
            }
            if (bestLen > 1)
            {
                int end = bestStart + bestLen;
                if (end == hextets.Count) hextets.Add("");
                hextets.RemoveRange(bestStart, bestLen);
                hextets.Insert(bestStart, "");
                if (bestStart == 0) hextets.Insert(0, "");
            }
            return String.Join(":", hextets.ToArray());
        }
    }

    // BEGIN GENERATED CATALOGUE (tests/harness/gen_cs_catalogue.py; do not edit by hand)
    internal static partial class Catalogue
    {
        internal const uint RPC_C_AUTHN_WINNT = 0xA;
        internal const uint FWPM_TXN_READ_ONLY = 0x1;
        internal const uint FWP_FILTER_ENUM_OVERLAPPING = 0x1;
        internal const uint FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME = 0x8;
        internal const uint FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED = 0x10;
        internal const uint FWP_ACTION_FLAG_CALLOUT = 0x4000;
        internal const uint FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT = 0x4;

        // family|E (enumeration) or F (flags)|SYMBOL=0xVALUE,...
        private static readonly string[] FamilyTable = new string[] {
            "FWPM_FILTER_FLAG|F|FWPM_FILTER_FLAG_PERSISTENT=0x1,FWPM_FILTER_FLAG_BOOTTIME=0x2,FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT=0x4,FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT=0x8,FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED=0x10,FWPM_FILTER_FLAG_DISABLED=0x20,FWPM_FILTER_FLAG_INDEXED=0x40,FWPM_FILTER_FLAG_HAS_SECURITY_REALM_PROVIDER_CONTEXT=0x80,FWPM_FILTER_FLAG_SYSTEMOS_ONLY=0x100,FWPM_FILTER_FLAG_GAMEOS_ONLY=0x200,FWPM_FILTER_FLAG_SILENT_MODE=0x400,FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE=0x800",
            "FWPM_PROVIDER_CONTEXT_FLAG|F|FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT=0x1,FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL=0x2",
            "FWPM_PROVIDER_CONTEXT_TYPE|E|FWPM_IPSEC_KEYING_CONTEXT=0x0,FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT=0x1,FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT=0x2,FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT=0x3,FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT=0x4,FWPM_IPSEC_IKE_MM_CONTEXT=0x5,FWPM_IPSEC_AUTHIP_MM_CONTEXT=0x6,FWPM_CLASSIFY_OPTIONS_CONTEXT=0x7,FWPM_GENERAL_CONTEXT=0x8,FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT=0x9,FWPM_IPSEC_IKEV2_MM_CONTEXT=0xA,FWPM_IPSEC_DOSP_CONTEXT=0xB,FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT=0xC",
            "FWPM_PROVIDER_FLAG|F|FWPM_PROVIDER_FLAG_PERSISTENT=0x1,FWPM_PROVIDER_FLAG_DISABLED=0x10",
            "FWPM_SUBLAYER_FLAG|F|FWPM_SUBLAYER_FLAG_PERSISTENT=0x1",
            "FWP_ACTION_TYPE|E|FWP_ACTION_BLOCK=0x1001,FWP_ACTION_PERMIT=0x1002,FWP_ACTION_CALLOUT_TERMINATING=0x5003,FWP_ACTION_CALLOUT_INSPECTION=0x6004,FWP_ACTION_CALLOUT_UNKNOWN=0x4005",
            "FWP_DATA_TYPE|E|FWP_EMPTY=0x0,FWP_UINT8=0x1,FWP_UINT16=0x2,FWP_UINT32=0x3,FWP_UINT64=0x4,FWP_INT8=0x5,FWP_INT16=0x6,FWP_INT32=0x7,FWP_INT64=0x8,FWP_FLOAT=0x9,FWP_DOUBLE=0xA,FWP_SID=0xD,FWP_BYTE_ARRAY16_TYPE=0xB,FWP_BYTE_BLOB_TYPE=0xC,FWP_SECURITY_DESCRIPTOR_TYPE=0xE,FWP_TOKEN_INFORMATION_TYPE=0xF,FWP_TOKEN_ACCESS_INFORMATION_TYPE=0x10,FWP_UNICODE_STRING_TYPE=0x11,FWP_BYTE_ARRAY6_TYPE=0x12,FWP_BITMAP_INDEX_TYPE=0x13,FWP_BITMAP_ARRAY64_TYPE=0x14,FWP_RANGE_TYPE=0x102,FWP_V4_ADDR_MASK=0x100,FWP_V6_ADDR_MASK=0x101",
            "FWP_E|E|FWP_E_CALLOUT_NOT_FOUND=0x80320001,FWP_E_CONDITION_NOT_FOUND=0x80320002,FWP_E_FILTER_NOT_FOUND=0x80320003,FWP_E_LAYER_NOT_FOUND=0x80320004,FWP_E_PROVIDER_NOT_FOUND=0x80320005,FWP_E_PROVIDER_CONTEXT_NOT_FOUND=0x80320006,FWP_E_SUBLAYER_NOT_FOUND=0x80320007,FWP_E_NOT_FOUND=0x80320008,FWP_E_ALREADY_EXISTS=0x80320009,FWP_E_IN_USE=0x8032000A,FWP_E_DYNAMIC_SESSION_IN_PROGRESS=0x8032000B,FWP_E_WRONG_SESSION=0x8032000C,FWP_E_NO_TXN_IN_PROGRESS=0x8032000D,FWP_E_TXN_IN_PROGRESS=0x8032000E,FWP_E_TXN_ABORTED=0x8032000F,FWP_E_SESSION_ABORTED=0x80320010,FWP_E_INCOMPATIBLE_TXN=0x80320011,FWP_E_TIMEOUT=0x80320012,FWP_E_NET_EVENTS_DISABLED=0x80320013,FWP_E_INCOMPATIBLE_LAYER=0x80320014,FWP_E_KM_CLIENTS_ONLY=0x80320015,FWP_E_LIFETIME_MISMATCH=0x80320016,FWP_E_BUILTIN_OBJECT=0x80320017,FWP_E_TOO_MANY_CALLOUTS=0x80320018,FWP_E_NOTIFICATION_DROPPED=0x80320019,FWP_E_TRAFFIC_MISMATCH=0x8032001A,FWP_E_INCOMPATIBLE_SA_STATE=0x8032001B,FWP_E_NULL_POINTER=0x8032001C,FWP_E_INVALID_ENUMERATOR=0x8032001D,FWP_E_INVALID_FLAGS=0x8032001E,FWP_E_INVALID_NET_MASK=0x8032001F,FWP_E_INVALID_RANGE=0x80320020,FWP_E_INVALID_INTERVAL=0x80320021,FWP_E_ZERO_LENGTH_ARRAY=0x80320022,FWP_E_NULL_DISPLAY_NAME=0x80320023,FWP_E_INVALID_ACTION_TYPE=0x80320024,FWP_E_INVALID_WEIGHT=0x80320025,FWP_E_MATCH_TYPE_MISMATCH=0x80320026,FWP_E_TYPE_MISMATCH=0x80320027,FWP_E_OUT_OF_BOUNDS=0x80320028,FWP_E_RESERVED=0x80320029,FWP_E_DUPLICATE_CONDITION=0x8032002A,FWP_E_DUPLICATE_KEYMOD=0x8032002B,FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER=0x8032002C,FWP_E_ACTION_INCOMPATIBLE_WITH_SUBLAYER=0x8032002D,FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER=0x8032002E,FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT=0x8032002F,FWP_E_INCOMPATIBLE_AUTH_METHOD=0x80320030,FWP_E_INCOMPATIBLE_DH_GROUP=0x80320031,FWP_E_EM_NOT_SUPPORTED=0x80320032,FWP_E_NEVER_MATCH=0x80320033,FWP_E_PROVIDER_CONTEXT_MISMATCH=0x80320034,FWP_E_INVALID_PARAMETER=0x80320035,FWP_E_TOO_MANY_SUBLAYERS=0x80320036,FWP_E_CALLOUT_NOTIFICATION_FAILED=0x80320037,FWP_E_INVALID_AUTH_TRANSFORM=0x80320038,FWP_E_INVALID_CIPHER_TRANSFORM=0x80320039,FWP_E_INCOMPATIBLE_CIPHER_TRANSFORM=0x8032003A,FWP_E_INVALID_TRANSFORM_COMBINATION=0x8032003B,FWP_E_DUPLICATE_AUTH_METHOD=0x8032003C,FWP_E_INVALID_TUNNEL_ENDPOINT=0x8032003D,FWP_E_L2_DRIVER_NOT_READY=0x8032003E,FWP_E_KEY_DICTATOR_ALREADY_REGISTERED=0x8032003F,FWP_E_KEY_DICTATION_INVALID_KEYING_MATERIAL=0x80320040,FWP_E_CONNECTIONS_DISABLED=0x80320041,FWP_E_INVALID_DNS_NAME=0x80320042,FWP_E_STILL_ON=0x80320043,FWP_E_IKEEXT_NOT_RUNNING=0x80320044,FWP_E_DROP_NOICMP=0x80320104",
            "FWP_MATCH_TYPE|E|FWP_MATCH_EQUAL=0x0,FWP_MATCH_GREATER=0x1,FWP_MATCH_LESS=0x2,FWP_MATCH_GREATER_OR_EQUAL=0x3,FWP_MATCH_LESS_OR_EQUAL=0x4,FWP_MATCH_RANGE=0x5,FWP_MATCH_FLAGS_ALL_SET=0x6,FWP_MATCH_FLAGS_ANY_SET=0x7,FWP_MATCH_FLAGS_NONE_SET=0x8,FWP_MATCH_EQUAL_CASE_INSENSITIVE=0x9,FWP_MATCH_NOT_EQUAL=0xA,FWP_MATCH_PREFIX=0xB,FWP_MATCH_NOT_PREFIX=0xC",
            "IKEEXT_AUTHENTICATION_METHOD_TYPE|E|IKEEXT_PRESHARED_KEY=0x0,IKEEXT_CERTIFICATE=0x1,IKEEXT_KERBEROS=0x2,IKEEXT_ANONYMOUS=0x3,IKEEXT_SSL=0x4,IKEEXT_NTLM_V2=0x5,IKEEXT_IPV6_CGA=0x6,IKEEXT_CERTIFICATE_ECDSA_P256=0x7,IKEEXT_CERTIFICATE_ECDSA_P384=0x8,IKEEXT_SSL_ECDSA_P256=0x9,IKEEXT_SSL_ECDSA_P384=0xA,IKEEXT_EAP=0xB,IKEEXT_RESERVED=0xC",
            "IKEEXT_CERT_AUTH_FLAG|F|IKEEXT_CERT_AUTH_FLAG_SSL_ONE_WAY=0x1,IKEEXT_CERT_AUTH_FLAG_DISABLE_CRL_CHECK=0x2,IKEEXT_CERT_AUTH_ENABLE_CRL_CHECK_STRONG=0x4,IKEEXT_CERT_AUTH_DISABLE_SSL_CERT_VALIDATION=0x8,IKEEXT_CERT_AUTH_ALLOW_HTTP_CERT_LOOKUP=0x10,IKEEXT_CERT_AUTH_URL_CONTAINS_BUNDLE=0x20,IKEEXT_CERT_AUTH_FLAG_DISABLE_REQUEST_PAYLOAD=0x40",
            "IKEEXT_CERT_CONFIG|E|IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST=0x0,IKEEXT_CERT_CONFIG_ENTERPRISE_STORE=0x1,IKEEXT_CERT_CONFIG_TRUSTED_ROOT_STORE=0x2,IKEEXT_CERT_CONFIG_UNSPECIFIED=0x3",
            "IKEEXT_CIPHER|E|IKEEXT_CIPHER_DES=0x0,IKEEXT_CIPHER_3DES=0x1,IKEEXT_CIPHER_AES_128=0x2,IKEEXT_CIPHER_AES_192=0x3,IKEEXT_CIPHER_AES_256=0x4,IKEEXT_CIPHER_AES_GCM_128_16ICV=0x5,IKEEXT_CIPHER_AES_GCM_256_16ICV=0x6",
            "IKEEXT_DH_GROUP|E|IKEEXT_DH_GROUP_NONE=0x0,IKEEXT_DH_GROUP_1=0x1,IKEEXT_DH_GROUP_2=0x2,IKEEXT_DH_GROUP_14=0x3,IKEEXT_DH_ECP_256=0x4,IKEEXT_DH_ECP_384=0x5,IKEEXT_DH_GROUP_24=0x6",
            "IKEEXT_IMPERSONATION|E|IKEEXT_IMPERSONATION_NONE=0x0,IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL=0x1",
            "IKEEXT_INTEGRITY|E|IKEEXT_INTEGRITY_MD5=0x0,IKEEXT_INTEGRITY_SHA1=0x1,IKEEXT_INTEGRITY_SHA_256=0x2,IKEEXT_INTEGRITY_SHA_384=0x3",
            "IKEEXT_KERB_AUTH|F|IKEEXT_KERB_AUTH_DISABLE_INITIATOR_TOKEN_GENERATION=0x1,IKEEXT_KERB_AUTH_DONT_ACCEPT_EXPLICIT_CREDENTIALS=0x2,IKEEXT_KERB_AUTH_FORCE_PROXY_ON_INITIATOR=0x4",
            "IKEEXT_NTLM_V2_AUTH|F|IKEEXT_NTLM_V2_AUTH_DONT_ACCEPT_EXPLICIT_CREDENTIALS=0x1",
            "IKEEXT_POLICY_FLAG|F|IKEEXT_POLICY_FLAG_DISABLE_DIAGNOSTICS=0x1,IKEEXT_POLICY_FLAG_NO_MACHINE_LUID_VERIFY=0x2,IKEEXT_POLICY_FLAG_NO_IMPERSONATION_LUID_VERIFY=0x4,IKEEXT_POLICY_FLAG_ENABLE_OPTIONAL_DH=0x8,IKEEXT_POLICY_FLAG_MOBIKE_NOT_SUPPORTED=0x10,IKEEXT_POLICY_FLAG_SITE_TO_SITE=0x20",
            "IPSEC_AUTH_CONFIG|E|IPSEC_AUTH_CONFIG_HMAC_MD5_96=0x0,IPSEC_AUTH_CONFIG_HMAC_SHA_1_96=0x1,IPSEC_AUTH_CONFIG_HMAC_SHA_256_128=0x2,IPSEC_AUTH_CONFIG_GCM_AES_128=0x3,IPSEC_AUTH_CONFIG_GCM_AES_192=0x4,IPSEC_AUTH_CONFIG_GCM_AES_256=0x5",
            "IPSEC_AUTH_TYPE|E|IPSEC_AUTH_MD5=0x0,IPSEC_AUTH_SHA_1=0x1,IPSEC_AUTH_SHA_256=0x2,IPSEC_AUTH_AES_128=0x3,IPSEC_AUTH_AES_192=0x4,IPSEC_AUTH_AES_256=0x5",
            "IPSEC_CIPHER_CONFIG|E|IPSEC_CIPHER_CONFIG_CBC_DES=0x1,IPSEC_CIPHER_CONFIG_CBC_3DES=0x2,IPSEC_CIPHER_CONFIG_CBC_AES_128=0x3,IPSEC_CIPHER_CONFIG_CBC_AES_192=0x4,IPSEC_CIPHER_CONFIG_CBC_AES_256=0x5,IPSEC_CIPHER_CONFIG_GCM_AES_128=0x6,IPSEC_CIPHER_CONFIG_GCM_AES_192=0x7,IPSEC_CIPHER_CONFIG_GCM_AES_256=0x8",
            "IPSEC_CIPHER_TYPE|E|IPSEC_CIPHER_TYPE_DES=0x1,IPSEC_CIPHER_TYPE_3DES=0x2,IPSEC_CIPHER_TYPE_AES_128=0x3,IPSEC_CIPHER_TYPE_AES_192=0x4,IPSEC_CIPHER_TYPE_AES_256=0x5",
            "IPSEC_PFS_GROUP|E|IPSEC_PFS_NONE=0x0,IPSEC_PFS_1=0x1,IPSEC_PFS_2=0x2,IPSEC_PFS_14=0x3,IPSEC_PFS_ECP_256=0x4,IPSEC_PFS_ECP_384=0x5,IPSEC_PFS_MM=0x6,IPSEC_PFS_24=0x7",
            "IPSEC_POLICY_FLAG|F|IPSEC_POLICY_FLAG_ND_SECURE=0x2,IPSEC_POLICY_FLAG_ND_BOUNDARY=0x4,IPSEC_POLICY_FLAG_CLEAR_DF_ON_TUNNEL=0x8,IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT=0x10,IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_GENERAL_NAT_TRAVERSAL=0x20,IPSEC_POLICY_FLAG_DONT_NEGOTIATE_SECOND_LIFETIME=0x40,IPSEC_POLICY_FLAG_DONT_NEGOTIATE_BYTE_LIFETIME=0x80,IPSEC_POLICY_FLAG_ENABLE_V6_IN_V4_TUNNELING=0x100,IPSEC_POLICY_FLAG_ENABLE_SERVER_ADDR_ASSIGNMENT=0x200,IPSEC_POLICY_FLAG_TUNNEL_ALLOW_OUTBOUND_CLEAR_CONNECTION=0x400,IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ALREADY_SECURE_CONNECTION=0x800,IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ICMPV6=0x1000,IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY=0x2000,IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_NOTIFY_KEY=0x4000,IPSEC_POLICY_FLAG_RESERVED1=0x8000,IPSEC_POLICY_FLAG_SITE_TO_SITE_TUNNEL=0x10000",
            "IPSEC_TRANSFORM_TYPE|E|IPSEC_TRANSFORM_AH=0x1,IPSEC_TRANSFORM_ESP_AUTH=0x2,IPSEC_TRANSFORM_ESP_CIPHER=0x3,IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER=0x4,IPSEC_TRANSFORM_ESP_AUTH_FW=0x5",
        };

        private static readonly string[] LayerTable = new string[] {
            "FWPM_LAYER_INBOUND_IPPACKET_V4=c86fd1bf-21cd-497e-a0bb-17425c885c58",
            "FWPM_LAYER_INBOUND_IPPACKET_V4_DISCARD=b5a230d0-a8c0-44f2-916e-991b53ded1f7",
            "FWPM_LAYER_INBOUND_IPPACKET_V6=f52032cb-991c-46e7-971d-2601459a91ca",
            "FWPM_LAYER_INBOUND_IPPACKET_V6_DISCARD=bb24c279-93b4-47a2-83ad-ae1698b50885",
            "FWPM_LAYER_OUTBOUND_IPPACKET_V4=1e5c9fae-8a84-4135-a331-950b54229ecd",
            "FWPM_LAYER_OUTBOUND_IPPACKET_V4_DISCARD=08e4bcb5-b647-48f3-953c-e5ddbd03937e",
            "FWPM_LAYER_OUTBOUND_IPPACKET_V6=a3b3ab6b-3564-488c-9117-f34e82142763",
            "FWPM_LAYER_OUTBOUND_IPPACKET_V6_DISCARD=9513d7c4-a934-49dc-91a7-6ccb80cc02e3",
            "FWPM_LAYER_IPFORWARD_V4=a82acc24-4ee1-4ee1-b465-fd1d25cb10a4",
            "FWPM_LAYER_IPFORWARD_V4_DISCARD=9e9ea773-2fae-4210-8f17-34129ef369eb",
            "FWPM_LAYER_IPFORWARD_V6=7b964818-19c7-493a-b71f-832c3684d28c",
            "FWPM_LAYER_IPFORWARD_V6_DISCARD=31524a5d-1dfe-472f-bb93-518ee945d8a2",
            "FWPM_LAYER_INBOUND_TRANSPORT_V4=5926dfc8-e3cf-4426-a283-dc393f5d0f9d",
            "FWPM_LAYER_INBOUND_TRANSPORT_V4_DISCARD=ac4a9833-f69d-4648-b261-6dc84835ef39",
            "FWPM_LAYER_INBOUND_TRANSPORT_V6=634a869f-fc23-4b90-b0c1-bf620a36ae6f",
            "FWPM_LAYER_INBOUND_TRANSPORT_V6_DISCARD=2a6ff955-3b2b-49d2-9848-ad9d72dcaab7",
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V4=09e61aea-d214-46e2-9b21-b26b0b2f28c8",
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V4_DISCARD=c5f10551-bdb0-43d7-a313-50e211f4d68a",
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V6=e1735bde-013f-4655-b351-a49e15762df0",
            "FWPM_LAYER_OUTBOUND_TRANSPORT_V6_DISCARD=f433df69-ccbd-482e-b9b2-57165658c3b3",
            "FWPM_LAYER_STREAM_V4=3b89653c-c170-49e4-b1cd-e0eeeee19a3e",
            "FWPM_LAYER_STREAM_V4_DISCARD=25c4c2c2-25ff-4352-82f9-c54a4a4726dc",
            "FWPM_LAYER_STREAM_V6=47c9137a-7ec4-46b3-b6e4-48e926b1eda4",
            "FWPM_LAYER_STREAM_V6_DISCARD=10a59fc7-b628-4c41-9eb8-cf37d55103cf",
            "FWPM_LAYER_DATAGRAM_DATA_V4=3d08bf4e-45f6-4930-a922-417098e20027",
            "FWPM_LAYER_DATAGRAM_DATA_V4_DISCARD=18e330c6-7248-4e52-aaab-472ed67704fd",
            "FWPM_LAYER_DATAGRAM_DATA_V6=fa45fe2f-3cba-4427-87fc-57b9a4b10d00",
            "FWPM_LAYER_DATAGRAM_DATA_V6_DISCARD=09d1dfe1-9b86-4a42-be9d-8c315b92a5d0",
            "FWPM_LAYER_INBOUND_ICMP_ERROR_V4=61499990-3cb6-4e84-b950-53b94b6964f3",
            "FWPM_LAYER_INBOUND_ICMP_ERROR_V4_DISCARD=a6b17075-ebaf-4053-a4e7-213c8121ede5",
            "FWPM_LAYER_INBOUND_ICMP_ERROR_V6=65f9bdff-3b2d-4e5d-b8c6-c720651fe898",
            "FWPM_LAYER_INBOUND_ICMP_ERROR_V6_DISCARD=a6e7ccc0-08fb-468d-a472-9771d5595e09",
            "FWPM_LAYER_OUTBOUND_ICMP_ERROR_V4=41390100-564c-4b32-bc1d-718048354d7c",
            "FWPM_LAYER_OUTBOUND_ICMP_ERROR_V4_DISCARD=b3598d36-0561-4588-a6bf-e955e3f6264b",
            "FWPM_LAYER_OUTBOUND_ICMP_ERROR_V6=7fb03b60-7b8d-4dfa-badd-980176fc4e12",
            "FWPM_LAYER_OUTBOUND_ICMP_ERROR_V6_DISCARD=65f2e647-8d0c-4f47-b19b-33a4d3f1357c",
            "FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V4=1247d66d-0b60-4a15-8d44-7155d0f53a0c",
            "FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V4_DISCARD=0b5812a2-c3ff-4eca-b88d-c79e20ac6322",
            "FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V6=55a650e1-5f0a-4eca-a653-88f53b26aa8c",
            "FWPM_LAYER_ALE_RESOURCE_ASSIGNMENT_V6_DISCARD=cbc998bb-c51f-4c1a-bb4f-9775fcacab2f",
            "FWPM_LAYER_ALE_AUTH_LISTEN_V4=88bb5dad-76d7-4227-9c71-df0a3ed7be7e",
            "FWPM_LAYER_ALE_AUTH_LISTEN_V4_DISCARD=371dfada-9f26-45fd-b4eb-c29eb212893f",
            "FWPM_LAYER_ALE_AUTH_LISTEN_V6=7ac9de24-17dd-4814-b4bd-a9fbc95a321b",
            "FWPM_LAYER_ALE_AUTH_LISTEN_V6_DISCARD=60703b07-63c8-48e9-ada3-12b1af40a617",
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4=e1cd9fe7-f4b5-4273-96c0-592e487b8650",
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4_DISCARD=9eeaa99b-bd22-4227-919f-0073c63357b1",
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6=a3b42c97-9f04-4672-b87e-cee9c483257f",
            "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6_DISCARD=89455b97-dbe1-453f-a224-13da895af396",
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4=c38d57d1-05a7-4c33-904f-7fbceee60e82",
            "FWPM_LAYER_ALE_AUTH_CONNECT_V4_DISCARD=d632a801-f5ba-4ad6-96e3-607017d9836a",
            "FWPM_LAYER_ALE_AUTH_CONNECT_V6=4a72393b-319f-44bc-84c3-ba54dcb3b6b4",
            "FWPM_LAYER_ALE_AUTH_CONNECT_V6_DISCARD=c97bc3b8-c9a3-4e33-8695-8e17aad4de09",
            "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4=af80470a-5596-4c13-9992-539e6fe57967",
            "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V4_DISCARD=146ae4a9-a1d2-4d43-a31a-4c42682b8e4f",
            "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6=7021d2b3-dfa4-406e-afeb-6afaf7e70efd",
            "FWPM_LAYER_ALE_FLOW_ESTABLISHED_V6_DISCARD=46928636-bbca-4b76-941d-0fa7f5d7d372",
            "FWPM_LAYER_INBOUND_MAC_FRAME_ETHERNET=effb7edb-0055-4f9a-a231-4ff8131ad191",
            "FWPM_LAYER_OUTBOUND_MAC_FRAME_ETHERNET=694673bc-d6db-4870-adee-0acdbdb7f4b2",
            "FWPM_LAYER_INBOUND_MAC_FRAME_NATIVE=d4220bd3-62ce-4f08-ae88-b56e8526df50",
            "FWPM_LAYER_OUTBOUND_MAC_FRAME_NATIVE=94c44912-9d6f-4ebf-b995-05ab8a088d1b",
            "FWPM_LAYER_INGRESS_VSWITCH_ETHERNET=7d98577a-9a87-41ec-9718-7cf589c9f32d",
            "FWPM_LAYER_EGRESS_VSWITCH_ETHERNET=86c872b0-76fa-4b79-93a4-0750530ae292",
            "FWPM_LAYER_INGRESS_VSWITCH_TRANSPORT_V4=b2696ff6-774f-4554-9f7d-3da3945f8e85",
            "FWPM_LAYER_INGRESS_VSWITCH_TRANSPORT_V6=5ee314fc-7d8a-47f4-b7e3-291a36da4e12",
            "FWPM_LAYER_EGRESS_VSWITCH_TRANSPORT_V4=b92350b6-91f0-46b6-bdc4-871dfd4a7c98",
            "FWPM_LAYER_EGRESS_VSWITCH_TRANSPORT_V6=1b2def23-1881-40bd-82f4-4254e63141cb",
            "FWPM_LAYER_INBOUND_TRANSPORT_FAST=e41d2719-05c7-40f0-8983-ea8d17bbc2f6",
            "FWPM_LAYER_OUTBOUND_TRANSPORT_FAST=13ed4388-a070-4815-9935-7a9be6408b78",
            "FWPM_LAYER_INBOUND_MAC_FRAME_NATIVE_FAST=853aaa8e-2b78-4d24-a804-36db08b29711",
            "FWPM_LAYER_OUTBOUND_MAC_FRAME_NATIVE_FAST=470df946-c962-486f-9446-8293cbc75eb8",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_LOCAL_ADDRESS_V4=36c299bb-64d3-4b2a-8c07-06a6e063ab72",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_REMOTE_ADDRESS_V4=ba062113-ffd1-4d12-948a-c121666b66a4",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_LOCAL_PORT_V4=141eb5bc-2e50-449d-b78d-b27dfeeb1705",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_REMOTE_PORT_V4=72bc3a67-f1f8-436e-8984-5ad4924a9dac",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_LOCAL_ADDRESS_V6=efbb6075-1df3-4ee9-9e33-265381198af7",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_REMOTE_ADDRESS_V6=b47df0df-da49-49e1-9ce4-82a7224118b2",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_LOCAL_PORT_V6=df97ab11-2dc4-4018-b631-18bb38944caf",
            "FWPM_LAYER_ALE_PRECLASSIFY_IP_REMOTE_PORT_V6=ee0865c4-658f-465d-a37b-79c09339ebf6",
            "FWPM_LAYER_IPSEC_KM_DEMUX_V4=f02b1526-a459-4a51-b9e3-759de52b9d2c",
            "FWPM_LAYER_IPSEC_KM_DEMUX_V6=2f755cf6-2fd4-4e88-b3e4-a91bca495235",
            "FWPM_LAYER_IPSEC_V4=eda65c74-610d-4bc5-948f-3c4f89556867",
            "FWPM_LAYER_IPSEC_V6=13c48442-8d87-4261-9a29-59d2abc348b4",
            "FWPM_LAYER_IKEEXT_V4=b14b7bdb-dbbd-473e-bed4-8b4708d4f270",
            "FWPM_LAYER_IKEEXT_V6=b64786b3-f687-4eb9-89d2-8ef32acdabe2",
            "FWPM_LAYER_RPC_UM=75a89dda-95e4-40f3-adc7-7688a9c847e1",
            "FWPM_LAYER_RPC_EPMAP=9247bc61-eb07-47ee-872c-bfd78bfd1616",
            "FWPM_LAYER_RPC_EP_ADD=618dffc7-c450-4943-95db-99b4c16a55d4",
            "FWPM_LAYER_RPC_PROXY_CONN=94a4b50b-ba5c-4f27-907a-229fac0c2a7a",
            "FWPM_LAYER_RPC_PROXY_IF=f8a38615-e12c-41ac-98df-121ad981aade",
            "FWPM_LAYER_KM_AUTHORIZATION=4aa226e9-9020-45fb-956a-c0249d841195",
            "FWPM_LAYER_NAME_RESOLUTION_CACHE_V4=0c2aa681-905b-4ccd-a467-4dd811d07b7b",
            "FWPM_LAYER_NAME_RESOLUTION_CACHE_V6=92d592fa-6b01-434a-9dea-d1e96ea97da9",
            "FWPM_LAYER_ALE_RESOURCE_RELEASE_V4=74365cce-ccb0-401a-bfc1-b89934ad7e15",
            "FWPM_LAYER_ALE_RESOURCE_RELEASE_V6=f4e5ce80-edcc-4e13-8a2f-b91454bb057b",
            "FWPM_LAYER_ALE_ENDPOINT_CLOSURE_V4=b4766427-e2a2-467a-bd7e-dbcd1bd85a09",
            "FWPM_LAYER_ALE_ENDPOINT_CLOSURE_V6=bb536ccd-4755-4ba9-9ff7-f9edf8699c7b",
            "FWPM_LAYER_ALE_CONNECT_REDIRECT_V4=c6e63c8c-b784-4562-aa7d-0a67cfcaf9a3",
            "FWPM_LAYER_ALE_CONNECT_REDIRECT_V6=587e54a7-8046-42ba-a0aa-b716250fc7fd",
            "FWPM_LAYER_ALE_BIND_REDIRECT_V4=66978cad-c704-42ac-86ac-7c1a231bd253",
            "FWPM_LAYER_ALE_BIND_REDIRECT_V6=bef02c9c-606b-4536-8c26-1c2fc7b631d4",
            "FWPM_LAYER_STREAM_PACKET_V4=af52d8ec-cb2d-44e5-ad92-f8dc38d2eb29",
            "FWPM_LAYER_STREAM_PACKET_V6=779a8ca3-f099-468f-b5d4-83535c461c02",
            "FWPM_LAYER_INBOUND_RESERVED2=f4fb8d55-c076-46d8-a2c7-6a4c722ca4ed",
        };
    }
    // END GENERATED CATALOGUE
}
