namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>
/// A safetensors dtype string and its element size. Every dtype the format defines is parsed (so a checkpoint with
/// extra integer tensors still opens); only <see cref="IsFloat"/> ones (BF16, F16, F32) can be converted.
/// </summary>
public sealed record SafetensorsDType(string Name, int Size, bool IsFloat)
{
    public static readonly SafetensorsDType BF16 = new("BF16", 2, true);
    public static readonly SafetensorsDType F16 = new("F16", 2, true);
    public static readonly SafetensorsDType F32 = new("F32", 4, true);

    private static readonly SafetensorsDType[] Known =
    [
        BF16, F16, F32,
        new("F64", 8, false), new("I8", 1, false), new("I16", 2, false), new("I32", 4, false), new("I64", 8, false),
        new("U8", 1, false), new("U16", 2, false), new("U32", 4, false), new("U64", 8, false), new("BOOL", 1, false),
        new("F8_E4M3", 1, false), new("F8_E5M2", 1, false),
    ];

    /// <summary>The dtypes the converter reads, for error sentences.</summary>
    public const string Readable = "BF16, F16 and F32";

    public static SafetensorsDType Parse(string name) =>
        Array.Find(Known, d => d.Name == name) ?? throw new FormatException($"unknown dtype '{name}'");

    public override string ToString() => Name;
}
