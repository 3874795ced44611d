using System.Text.Json.Serialization;
using Narrator.Model.Generation;

namespace Narrator.Web.Narrations;

/// <summary>
/// What a person following one narration is told, in order: queued (repeated as the position changes),
/// started, stage (repeated), token (many), then exactly one of completed or failed.
/// The same events go out over the SignalR hub, the SSE endpoint and to the page.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(QueuedEvent), "queued")]
[JsonDerivedType(typeof(StartedEvent), "started")]
[JsonDerivedType(typeof(StageEvent), "stage")]
[JsonDerivedType(typeof(TokenEvent), "token")]
[JsonDerivedType(typeof(SegmentEvent), "segment")]
[JsonDerivedType(typeof(TranslationEvent), "translation")]
[JsonDerivedType(typeof(CompletedEvent), "completed")]
[JsonDerivedType(typeof(FailedEvent), "failed")]
public abstract record NarrationEvent
{
    /// <summary>The narration this event belongs to.</summary>
    public required string NarrationId { get; init; }

    /// <summary>The event name used for SSE <c>event:</c> lines.</summary>
    [JsonIgnore]
    public abstract string Name { get; }
}

/// <summary>Waiting for the model; position 1 is next.</summary>
public sealed record QueuedEvent(int Position, double EtaSeconds) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "queued";
}

public sealed record StartedEvent : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "started";
}

/// <summary>
/// What the narration is doing now. <see cref="Stage"/> is the name clients have always read ("preparing frames",
/// "encoding vision", "prefill", "generating", "segment k of n", "translating into fr (k of n)"); the typed fields carry
/// the same facts as data, so no reader parses the name back. Made only by the factories below, which write both.
/// </summary>
public sealed record StageEvent(string Stage) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "stage";

    /// <summary>A long video's segment now being narrated (or translated), from 1; absent for other stages.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Segment { get; init; }

    /// <summary>How many segments the long video has; present exactly when <see cref="Segment"/> is.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SegmentCount { get; init; }

    /// <summary>The language code a translation request is now writing; absent for other stages.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Language { get; init; }

    /// <summary>An engine stage ("preparing frames", "encoding vision", "prefill", "generating").</summary>
    public static StageEvent Of(string narrationId, NarrationStage stage) =>
        new(StageNames.Of(stage)) { NarrationId = narrationId };

    /// <summary>A long video's segment <paramref name="number"/> (from 1) of <paramref name="count"/> begins.</summary>
    public static StageEvent OfSegment(string narrationId, int number, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, count);
        return new(StageNames.Segment(number, count)) { NarrationId = narrationId, Segment = number, SegmentCount = count };
    }

    /// <summary>A translation request begins its <paramref name="number"/>th language (from 1) of <paramref name="count"/>.</summary>
    public static StageEvent OfTranslation(string narrationId, string language, int number, int count) =>
        new(StageNames.Translating(language, number, count)) { NarrationId = narrationId, Language = language };
}

/// <summary>
/// A long video's segment: once for every planned segment as soon as the video is split (<see cref="Finished"/> false, no
/// text yet), then again after each segment's tokens with its text, stats or error (before the next "segment k of n"
/// stage). Clips narrated whole never send it.
/// </summary>
public sealed record SegmentEvent(Narrator.Model.Exports.NarrationSegment Segment, int Count) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "segment";

    /// <summary>False for the plan sent before narration starts; true once the segment has been narrated (or failed).</summary>
    public bool Finished { get; init; } = true;
}

public sealed record TokenEvent(string Text) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "token";
}

public sealed record CompletedEvent(string Text, GenerationStats Stats) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "completed";

    /// <summary>
    /// For a narration started with <c>translate</c>: the id of the translation queued as it completed (follow it like a
    /// narration); null otherwise, or when it could not be queued (then <see cref="TranslationError"/> says why).
    /// </summary>
    public string? TranslationId { get; init; }

    public string? TranslationError { get; init; }
}

/// <summary>
/// A translation request finished one language: <paramref name="Text"/> is the whole translation (a long video's segments
/// under their time headings) and <see cref="Segments"/> each segment's own part with its times. Sent before the next
/// language's "translating" stage; tokens of the language stream as token events before it.
/// </summary>
public sealed record TranslationEvent(string Language, string Text) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "translation";

    public IReadOnlyList<Narrator.Model.Exports.NarrationSegment>? Segments { get; init; }
}

/// <summary>The request was rejected, cancelled or failed; <paramref name="Error"/> is a sentence a person understands.</summary>
public sealed record FailedEvent(string Error) : NarrationEvent
{
    [JsonIgnore]
    public override string Name => "failed";

    /// <summary>Machine-readable reason, one of <see cref="FailureCodes"/> (added by serving; defaults to "failed").</summary>
    public string Code { get; init; } = FailureCodes.Failed;

    /// <summary>Text generated before a running narration was stopped (empty when it never ran).</summary>
    public string PartialText { get; init; } = "";
}

/// <summary>Why a narration ended in <see cref="FailedEvent"/>; stable strings API clients can switch on.</summary>
public static class FailureCodes
{
    public const string Failed = "failed";
    public const string InvalidRequest = "invalid_request";

    /// <summary>The prompt (with its frames) plus the new tokens asked for do not fit the model's context.</summary>
    public const string ContextExceeded = "context_exceeded";
    public const string QueueFull = "queue_full";
    public const string OwnerLimit = "owner_limit";
    public const string AddressLimit = "address_limit";
    public const string InvalidPrompt = "invalid_prompt";
    public const string Interrupted = "interrupted";
    public const string RateLimited = "rate_limited";
    public const string Cancelled = "cancelled";
    public const string Disconnected = "disconnected";
    public const string Timeout = "timeout";
    public const string ShuttingDown = "shutting_down";
    public const string InvalidMedia = "invalid_media";
    public const string EngineError = "engine_error";
    public const string NotFound = "not_found";

    /// <summary>The narration exists but belongs to another visitor (the API answers 403, like every other change of theirs).</summary>
    public const string NotOwner = "not_owner";
}
