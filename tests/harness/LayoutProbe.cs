// Deliberately wrong layouts for the negative layout test: they keep the right sizeof, so
// only a field-by-field comparison with the x64 table can catch them.
using System;
using System.Runtime.InteropServices;

internal static class LayoutProbe
{
    // rawContext/providerContextKey written as sequential fields instead of a union at 152:
    // providerContextKey lands at 148 (Guid aligns to 4), sizeof is still 200.
    [StructLayout(LayoutKind.Sequential)]
    public struct FWPM_FILTER0
    {
        public Guid filterKey;
        public IntPtr displayDataName;
        public IntPtr displayDataDescription;
        public uint flags;
        public IntPtr providerKey;
        public uint providerDataSize;
        public IntPtr providerDataData;
        public Guid layerKey;
        public Guid subLayerKey;
        public ulong weightType;
        public ulong weightValue;
        public uint numFilterConditions;
        public IntPtr filterCondition;
        public uint actionType;
        public Guid actionKey;
        public Guid providerContextKey;
        public IntPtr reserved;
        public ulong filterId;
        public ulong effectiveWeightType;
        public ulong effectiveWeightValue;
    }

    // FWPM_ACTION0 with the GUID union 8-byte aligned: calloutKey at 8, sizeof 24 (not 20).
    [StructLayout(LayoutKind.Explicit)]
    public struct FWPM_ACTION0
    {
        [FieldOffset(0)] public uint type;
        [FieldOffset(8)] public Guid calloutKey;
    }
}
