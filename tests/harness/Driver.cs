// Test driver: compiled together with plugins/module_utils/WfpIpsec.cs and WfpIpsecApply.cs into one
// Mono program.
// Reads one JSON command per line on stdin and answers one JSON line on stdout, so a pytest
// test can run a whole scenario (apply, read, concurrent change, restart...) against the same
// fwpsim engine (libfwpuclnt.so). C# 5, like the util.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecApply;
using ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecConfirm;

internal static class Sim
{
    [DllImport("fwpuclnt.dll")] public static extern void fwpsim_restart();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_outstanding();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_bad_frees();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_open_sessions();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_open_enums();
    [DllImport("fwpuclnt.dll")] public static extern int fwpsim_in_transaction();
    [DllImport("fwpuclnt.dll")] public static extern void fwpsim_add_oddities(IntPtr owner);
    [DllImport("fwpuclnt.dll")] public static extern void fwpsim_enum_log_reset();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_enum_log_count();
    [DllImport("fwpuclnt.dll")] public static extern long fwpsim_enum_log_field(long index, int field);
}

internal static class Driver
{
    private static int Main(string[] args)
    {
        TextWriter output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        if (args.Length > 0 && args[0] == "layout")
        {
            // struct,field,offset,size of every P/Invoke struct (and of extra probe types).
            List<Type> types = new List<Type>(typeof(PolicyHost).Assembly.GetType(
                "ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec.NativeHelpers").GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic));
            Type probe = typeof(Driver).Assembly.GetType("LayoutProbe");
            if (probe != null)
                types.AddRange(probe.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic));
            output.WriteLine("# IntPtr.Size=" + IntPtr.Size);
            foreach (Type type in types)
            {
                string name = (type.DeclaringType.Name == "LayoutProbe" ? "probe:" : "") + type.Name;
                output.WriteLine("{0},,,{1}", name, Marshal.SizeOf(type));
                foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
                {
                    int size = field.FieldType == typeof(IntPtr) ? IntPtr.Size : Marshal.SizeOf(field.FieldType);
                    output.WriteLine("{0},{1},{2},{3}", name, field.Name, Marshal.OffsetOf(type, field.Name), size);
                }
            }
            output.Flush();
            return 0;
        }
        TextReader input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        string line;
        while ((line = input.ReadLine()) != null)
        {
            if (line.Trim().Length == 0) continue;
            Dictionary<string, object> reply = new Dictionary<string, object>();
            try
            {
                Dictionary<string, object> command = (Dictionary<string, object>)Json.Parse(line);
                reply["result"] = Run(command);
                reply["ok"] = true;
            }
            catch (Exception error)
            {
                Exception inner = error is TargetInvocationException ? error.InnerException : error;
                Dictionary<string, object> failure = new Dictionary<string, object>();
                failure["type"] = inner.GetType().Name;
                failure["message"] = inner.Message;
                WfpException wfp = inner as WfpException;
                if (wfp != null)
                {
                    failure["details"] = wfp.Details;
                    failure["hresult"] = (long)wfp.HResult;
                }
                reply["ok"] = false;
                reply["error"] = failure;
            }
            output.WriteLine(Json.Serialize(reply));
            output.Flush();
        }
        return 0;
    }

    private static string Text(object value)
    {
        return value as string ?? Json.Serialize(value);
    }

    private static string[] Strings(object value)
    {
        if (value == null) return null;
        List<string> items = new List<string>();
        foreach (object item in (List<object>)value) items.Add((string)item);
        return items.ToArray();
    }

    private static object Parsed(string json)
    {
        return Json.Parse(json);
    }

    private static object Run(Dictionary<string, object> command)
    {
        string cmd = (string)command["cmd"];
        switch (cmd)
        {
            case "read": return Parsed(PolicyHost.Read((string)command["provider_key"]));
            case "read_all":
                if (!command.ContainsKey("layers")) return Parsed(PolicyHost.ReadAll());
                return Parsed(PolicyHost.ReadAll(Strings(command["layers"]), command["provider_key"] as string));
            case "read_layers":
                List<string> layers = new List<string>();
                foreach (object layer in (List<object>)command["layers"]) layers.Add((string)layer);
                return Parsed(PolicyHost.ReadLayers(layers.ToArray()));
            case "apply": return Parsed(PolicyApply.Apply(Text(command["plan"])));
            case "fingerprint": return PolicyHost.Fingerprint(Text(command["state"]));
            case "psk_digest": return PolicyHost.PskDigest((string)command["context_key"], (string)command["key"]);
            case "echo": return Json.Parse(Json.Serialize(command["value"]));
            case "serialize": return Json.Serialize(command["value"]);
            case "module": return Module((Dictionary<string, object>)command["args"]);
            case "module_info": return ModuleInfo((Dictionary<string, object>)command["args"]);
            case "query":
                List<string> queryLayers = new List<string>();
                foreach (object layer in (List<object>)command["layers"]) queryLayers.Add((string)layer);
                return Parsed(PolicyHost.Query(command["provider_key"] as string, queryLayers.ToArray()));
            case "format_v6":
                // Address text of 16 raw bytes (hex), as the host prints FWP_BYTE_ARRAY16 values.
                string hex = (string)command["bytes"];
                byte[] raw = new byte[16];
                for (int i = 0; i < 16; i++) raw[i] = System.Convert.ToByte(hex.Substring(2 * i, 2), 16);
                return Address.FormatV6(raw);
            // Commit confirmed (WfpIpsecConfirm.cs); `now` stands in for the host clock.
            case "apply_tentative":
                return Parsed(Confirmation.ApplyTentative(Text(command["plan"]), (long)command["deadline"], (string)command["directory"]));
            case "confirm":
                return Parsed(Confirmation.Confirm((string)command["directory"], (string)command["provider_key"],
                    (string)command["tentative_fingerprint"], (long)command["now"]));
            case "restore":
                return Parsed(Confirmation.Restore((string)command["directory"], (string)command["provider_key"]));
            case "pending":
                return Parsed(Confirmation.PendingSummaries((string)command["directory"]));
            case "setenv":
                Environment.SetEnvironmentVariable((string)command["name"], command["value"] as string);
                return null;
            case "restart": Sim.fwpsim_restart(); return null;
            case "oddities":
                string oddOwner = command.ContainsKey("provider_key") ? command["provider_key"] as string : null;
                if (oddOwner == null) { Sim.fwpsim_add_oddities(IntPtr.Zero); return null; }
                IntPtr ownerPtr = Marshal.AllocHGlobal(16);
                try
                {
                    Marshal.Copy(new Guid(oddOwner).ToByteArray(), 0, ownerPtr, 16);
                    Sim.fwpsim_add_oddities(ownerPtr);
                }
                finally
                {
                    Marshal.FreeHGlobal(ownerPtr);
                }
                return null;
            case "enum_log_reset": Sim.fwpsim_enum_log_reset(); return null;
            case "enum_log":
                // What each enumeration asked for and got, and the transaction it ran in.
                string[] kinds = { "provider", "sublayer", "provider_context", "filter" };
                string[] txns = { "none", "read_only", "read_write" };
                List<object> log = new List<object>();
                for (long i = 0; i < Sim.fwpsim_enum_log_count(); i++)
                {
                    Dictionary<string, object> entry = new Dictionary<string, object>();
                    entry["kind"] = kinds[Sim.fwpsim_enum_log_field(i, 0)];
                    entry["txn"] = txns[Sim.fwpsim_enum_log_field(i, 1)];
                    entry["provider_template"] = Sim.fwpsim_enum_log_field(i, 2) != 0;
                    entry["layer_template"] = Sim.fwpsim_enum_log_field(i, 3) != 0;
                    entry["returned"] = Sim.fwpsim_enum_log_field(i, 4);
                    log.Add(entry);
                }
                return log;
            case "pointer_size":
                // Pretend to be a process of another bitness (Session.Open must refuse 32-bit).
                Type session = typeof(PolicyHost).Assembly.GetType("ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec.Session");
                session.GetField("ProcessPointerSize", BindingFlags.NonPublic | BindingFlags.Static).SetValue(null, (int)(long)command["value"]);
                return null;
            case "stats":
                Dictionary<string, object> stats = new Dictionary<string, object>();
                stats["outstanding"] = Sim.fwpsim_outstanding();
                stats["bad_frees"] = Sim.fwpsim_bad_frees();
                stats["sessions"] = Sim.fwpsim_open_sessions();
                stats["enums"] = Sim.fwpsim_open_enums();
                stats["in_transaction"] = Sim.fwpsim_in_transaction() != 0;
                return stats;
            case "catalogue":
                Type catalogue = typeof(PolicyHost).Assembly.GetType("ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec.Catalogue");
                return catalogue.GetMethod("Dump", BindingFlags.NonPublic | BindingFlags.Static).Invoke(null, null);
            case "members":
                // Public members of a type of the util (rung 5: what the .ps1 calls must exist).
                Type type = typeof(PolicyHost).Assembly.GetType((string)command["type"]);
                if (type == null || !type.IsPublic) return null;
                List<object> names = new List<object>();
                foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance))
                {
                    Dictionary<string, object> m = new Dictionary<string, object>();
                    m["name"] = member.Name;
                    m["kind"] = member.MemberType.ToString();
                    MethodInfo method = member as MethodInfo;
                    m["static"] = method != null && method.IsStatic;
                    if (method != null)
                    {
                        List<object> parameters = new List<object>();
                        foreach (ParameterInfo p in method.GetParameters()) parameters.Add(p.ParameterType.FullName);
                        m["parameters"] = parameters;
                    }
                    names.Add(m);
                }
                return names;
            default: throw new ArgumentException("unknown command " + cmd);
        }
    }

    // The dispatch of plugins/modules/policy_info.ps1: the controller's reads (_operation), or
    // the public policy_info query.
    private static object ModuleInfo(Dictionary<string, object> args)
    {
        string operation = args.ContainsKey("_operation") ? args["_operation"] as string : null;
        if (operation == "read" || operation == "read_all")
            return Module(args);
        if (args.ContainsKey("_operation"))
            throw new ArgumentException("policy_info: _operation must be read or read_all");
        Dictionary<string, object> result = new Dictionary<string, object>();
        result["changed"] = false;
        string[] layers = Strings(args.ContainsKey("layers") ? args["layers"] : null) ?? new string[0];
        result["state"] = Json.Parse(PolicyHost.Query(args.ContainsKey("provider_key") ? args["provider_key"] as string : null, layers));
        return result;
    }

    // The dispatch of plugins/modules/policy.ps1, one to one: _operation -> PolicyHost method.
    // The pending directory (policy.ps1: %ProgramData%\wfp.ipsec\pending) comes from
    // WFP_IPSEC_PENDING_DIR; the scheduled task policy.ps1 registers is real-host only.
    private static object Module(Dictionary<string, object> args)
    {
        string operation = (string)args["_operation"];
        string directory = Environment.GetEnvironmentVariable("WFP_IPSEC_PENDING_DIR") ??
            Path.Combine(Path.GetTempPath(), "wfp.ipsec-pending-" + System.Diagnostics.Process.GetCurrentProcess().Id);
        Dictionary<string, object> result = new Dictionary<string, object>();
        result["changed"] = false;
        if (operation == "read")
        {
            ReadReply reply = PolicyHost.ReadWithFingerprint((string)args["provider_key"]);
            result["state_json"] = reply.StateJson;
            result["fingerprint"] = reply.Fingerprint;
            result["pending_json"] = PolicyHost.PendingSummaries(directory);
        }
        else if (operation == "read_all")
        {
            ReadReply reply = PolicyHost.ReadAllWithFingerprint(Strings(args.ContainsKey("layers") ? args["layers"] : null),
                args.ContainsKey("provider_key") ? args["provider_key"] as string : null);
            result["state_json"] = reply.StateJson;
            result["fingerprint"] = reply.Fingerprint;
            result["pending_json"] = PolicyHost.PendingSummaries(directory);
        }
        else if (operation == "apply")
        {
            long timeout = args.ContainsKey("confirm_timeout") && args["confirm_timeout"] != null ? (long)args["confirm_timeout"] : 0;
            string json;
            if (timeout > 0)
            {
                long now = (long)(DateTime.UtcNow - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
                // policy.ps1 writes the rollback task's sources (here: no task) before the apply.
                string sources = Path.Combine(directory, "restore");
                Directory.CreateDirectory(sources);
                Confirmation.WriteRestoreSources(sources, args.ContainsKey("restore_sources") ? args["restore_sources"] as IDictionary : null);
                json = Confirmation.ApplyTentative((string)args["plan"], now + timeout, directory);
            }
            else
            {
                Dictionary<string, object> plan = (Dictionary<string, object>)Json.Parse((string)args["plan"]);
                if (File.Exists(Confirmation.PendingPath(directory, (string)plan["provider_key"])))
                    throw new WfpException(0, "WFP_IPSEC_PENDING", "an unconfirmed apply is pending", null);
                json = PolicyApply.Apply((string)args["plan"]);
            }
            result["result_json"] = json;
            result["changed"] = (long)((Dictionary<string, object>)Json.Parse(json))["applied"] > 0;
            object warnings;
            if (((Dictionary<string, object>)Json.Parse(json)).TryGetValue("warnings", out warnings))
                result["warnings"] = warnings;
        }
        else if (operation == "confirm")
        {
            result["result_json"] = Confirmation.Confirm(directory, (string)args["provider_key"], (string)args["tentative_fingerprint"]);
            result["changed"] = true;
        }
        else
            throw new ArgumentException("_operation " + operation);
        return result;
    }
}
