using System.Text.Json.Serialization;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Templates;

namespace Narrator.Web.Narrations;

/// <summary>
/// One narration as <c>GET /api/narrations/{id}</c>, the history list and the page see it: live (queued/running) or
/// finished (completed/failed, from memory or the SQLite history).
/// </summary>
public sealed record NarrationRecord
{
    public required string Id { get; init; }

    /// <summary>
    /// Queued, running, completed, failed, or interrupted (read from the history after a restart cut it short); written as
    /// its <see cref="NarrationStates"/> name ("queued", "running"...).
    /// </summary>
    public required NarrationState State { get; init; }

    public required string ClipId { get; init; }

    public required string ClipLabel { get; init; }

    public string? Template { get; init; }

    public required string Prompt { get; init; }

    /// <summary>
    /// The settings it ran with, as resolved when it was accepted (the template's defaults under the request's overrides).
    /// Not <c>required</c> only because System.Text.Json refuses a required member it does not read; JSON sets it through
    /// "frames" and "generation".
    /// </summary>
    [JsonIgnore]
    public NarrationOptions Options
    {
        get => options;
        init => options = value;
    }

    // The wire keeps its two fields, "frames" and "generation"; in C# they are the one Options record.
    [JsonInclude, JsonRequired, JsonPropertyName("frames")]
    private FrameOptions Frames
    {
        get => options.Frames;
        init => options = options with { Frames = value };
    }

    [JsonInclude, JsonRequired, JsonPropertyName("generation")]
    private GenerationOptions Generation
    {
        get => options.Generation;
        init => options = options with { Generation = value };
    }

    private readonly NarrationOptions options = new(new FrameOptions(), new GenerationOptions());

    /// <summary>The narration (partial while running or when stopped).</summary>
    public required string Text { get; init; }

    /// <summary>For a long video split into segments, the totals over all of them.</summary>
    public GenerationStats? Stats { get; init; }

    /// <summary>Length of the clip in seconds (null for records stored before it was kept).</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>How a long video was split ("scenes" or "fixed"); null when the clip was narrated whole.</summary>
    public string? Segmentation { get; init; }

    /// <summary>A long video's segments in order, each with its times, text (tags/JSON per the template) and stats; null for a clip narrated whole.</summary>
    public IReadOnlyList<NarrationSegment>? Segments { get; init; }

    /// <summary>Where the dialogue in the prompt came from ("film.srt", "stream 2 (subrip, eng)"); null when none went in.</summary>
    public string? Subtitles { get; init; }

    /// <summary>Translations made of this narration by the same model, by language code; null when there are none.</summary>
    public IReadOnlyDictionary<string, NarrationTranslation>? Translations { get; init; }

    public string? Error { get; init; }

    /// <summary>One of FailureCodes when <see cref="State"/> is failed or interrupted.</summary>
    public string? ErrorCode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Queue position while queued (1 is next).</summary>
    public int? Position { get; init; }

    public double? EtaSeconds { get; init; }

    /// <summary>Seconds spent waiting for the model.</summary>
    public double? QueueSeconds { get; init; }

    /// <summary>
    /// A narration that has ended, as the events a follower would have kept: a long video's segments (each finished), then
    /// its final event. The one mapping the SSE endpoint and the page use for a narration only the history still knows.
    /// Anything but completed ended early (failed, stopped, interrupted by a restart) and keeps its partial text.
    /// </summary>
    public IEnumerable<NarrationEvent> ToEvents()
    {
        foreach (var segment in Segments ?? [])
        {
            yield return new SegmentEvent(segment, Segments!.Count) { NarrationId = Id };
        }
        yield return State == NarrationState.Completed
            ? new CompletedEvent(Text, Stats ?? new GenerationStats()) { NarrationId = Id }
            : new FailedEvent(Error ?? "The narration failed.") { NarrationId = Id, Code = ErrorCode ?? FailureCodes.Failed, PartialText = Text };
    }
}

/// <summary>A narration in another language, as stored with it.</summary>
public sealed record NarrationTranslation
{
    public required string Language { get; init; }

    /// <summary>
    /// Completed, failed (a stopped translation keeps what it wrote), running (being written; the text so far) or
    /// interrupted (the server stopped while it was being written; the text it had reached); written as its
    /// <see cref="NarrationStates"/> name.
    /// </summary>
    public required NarrationState State { get; init; }

    /// <summary>Laid out like the narration's text (a long video's segments under their time headings).</summary>
    public required string Text { get; init; }

    /// <summary>A long video's segments with their translated text and times; null for a clip narrated whole.</summary>
    public IReadOnlyList<NarrationSegment>? Segments { get; init; }

    public string? Error { get; init; }

    public GenerationStats? Stats { get; init; }

    /// <summary>When it ended; while it is running, when it was last written.</summary>
    public required DateTimeOffset FinishedAt { get; init; }
}
