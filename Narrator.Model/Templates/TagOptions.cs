using System.Text.Json.Serialization;

namespace Narrator.Model.Templates;

/// <summary>How a tags template's answer is cleaned up.</summary>
public sealed record TagOptions
{
    /// <summary>Tags with more words than this are sentences the model spilled, not tags.</summary>
    public int MaxWords { get; init; } = 5;

    /// <summary>Longest tag kept, in characters (a CJK character counts as two).</summary>
    public int MaxLength { get; init; } = 40;

    /// <summary>Keep at most this many tags (after cleaning); null keeps all.</summary>
    public int? MaxCount { get; init; }

    public TagOrder Order { get; init; } = TagOrder.AsGenerated;

    public static TagOptions Default { get; } = new();
}

/// <summary>Order of the cleaned tags.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TagOrder>))]
public enum TagOrder
{
    /// <summary>The model's order, which the tags prompt asks to be most prominent first.</summary>
    [JsonStringEnumMemberName("asGenerated")]
    AsGenerated,

    [JsonStringEnumMemberName("alphabetical")]
    Alphabetical,
}
