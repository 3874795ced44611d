namespace Narrator.Model.Conversion;

/// <summary>What <c>narrator convert</c> makes of a checkpoint.</summary>
public sealed record ConversionOptions
{
    public TextPrecision Precision { get; init; } = TextPrecision.Fp32;

    public VisionPrecision VisionPrecision { get; init; } = VisionPrecision.Fp32;

    public Int4Options Int4 { get; init; } = new();

    /// <summary>Replace an existing output folder (otherwise a non-empty one is refused).</summary>
    public bool Overwrite { get; init; }

    /// <summary>Marks the package as Narrator's random-weight demo model (the loader then says its text is meaningless).</summary>
    public bool DemoModel { get; init; }
}
