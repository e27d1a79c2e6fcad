namespace Atelier.Serialization;

/// <summary>The safetensors element types Atelier reads; every one is converted to float32 on load.</summary>
public enum SafetensorsDType
{
    F32,
    F64,
    F16,
    BF16,
    I64,
}

internal static class SafetensorsDTypes
{
    public static int ByteSize(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => 4,
        SafetensorsDType.F64 => 8,
        SafetensorsDType.F16 => 2,
        SafetensorsDType.BF16 => 2,
        SafetensorsDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static bool TryParse(string text, out SafetensorsDType dtype)
    {
        switch (text)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Types the format defines that Atelier refuses: a model file for a float32 engine never needs them.</summary>
    public static bool IsKnownButUnsupported(string text) => text is
        "BOOL" or "U8" or "I8" or "I16" or "U16" or "I32" or "U32" or "U64" or "C64"
        or "F8_E5M2" or "F8_E4M3" or "F8_E8M0" or "F6_E2M3" or "F6_E3M2" or "F4";

    public const string SupportedList = "F32, F64, F16, BF16 and I64";
}
