namespace Narrator.Model.Conversion;

/// <summary>A finished conversion: where the package is, what it holds and how long it took.</summary>
public sealed record ConversionResult
{
    public required string OutputDirectory { get; init; }

    public required TextPrecision Precision { get; init; }

    public required VisionPrecision VisionPrecision { get; init; }

    /// <summary>Every file of the package with its size in bytes.</summary>
    public required IReadOnlyList<(string Name, long Bytes)> Files { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>Things the user should know (e.g. a tokenizer that had to come from Narrator's bundled copy).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public long TotalBytes => Files.Sum(f => f.Bytes);
}
