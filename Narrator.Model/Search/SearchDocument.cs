namespace Narrator.Model.Search;

/// <summary>What a search hit is: a narration narrated whole, one segment of a long video, or a translation of either.</summary>
public static class SearchKinds
{
    public const string Narration = "narration";
    public const string Segment = "segment";
    public const string Translation = "translation";
}

/// <summary>One searchable text: a narration, a segment of one, or a translation, with where it belongs.</summary>
public sealed record SearchDocument
{
    /// <summary>The narration (a server id, or a batch item's file) the text belongs to.</summary>
    public required string NarrationId { get; init; }

    /// <summary>The video as people know it (upload label or file name).</summary>
    public required string Video { get; init; }

    /// <summary>One of <see cref="SearchKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The translation's language code; null for the narration's own text.</summary>
    public string? Language { get; init; }

    /// <summary>A long video's segment (0-based); null for a clip narrated whole.</summary>
    public int? SegmentIndex { get; init; }

    public double? StartSeconds { get; init; }

    public double? EndSeconds { get; init; }

    public required string Text { get; init; }
}
