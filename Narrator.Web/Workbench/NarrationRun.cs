using System.Text;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Web.Narrations;

namespace Narrator.Web.Workbench;

/// <summary>
/// One narration as the page shows it: folds the queue's <see cref="NarrationEvent"/>s into status, queue position,
/// stage, the text so far and the final stats. Knows the request it came from so it can be exported or re-run.
/// The text is kept as sealed chunks plus a growing tail, so a render re-sends only the tail, not the whole text.
/// </summary>
public sealed class NarrationRun(NarrationRequest request, string clipLabel, DateTimeOffset createdAt)
{
    /// <summary>
    /// The tail is sealed into a chunk once it reaches this many characters: a render sends at most about this much text
    /// (measured: 256 gave ~590-byte render batches for a few tokens each; see BENCHMARKS, "Bytes over the circuit").
    /// </summary>
    public const int ChunkLength = 64;

    private readonly List<string> _chunks = [];
    private readonly StringBuilder _tail = new();
    private readonly StringBuilder _activeSegmentText = new();
    private readonly List<NarrationSegment> _segments = [];
    private readonly HashSet<int> _finishedSegments = [];
    private string? _textSnapshot = "";
    private bool _segmentHeadingPending;

    public NarrationRequest Request { get; } = request;

    public string ClipLabel { get; } = clipLabel;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public string? NarrationId { get; private set; }

    /// <summary>The server's state as the events so far tell it; null until the server has answered.</summary>
    public NarrationState? State { get; private set; }

    /// <summary>True when the run ended because the person stopped it (its server state is then how the server ended it, or the last one heard).</summary>
    public bool StoppedByPerson { get; private set; }

    public NarrationStatus Status => NarrationStatuses.Of(State, StoppedByPerson);

    /// <summary>1 = next; null when not waiting.</summary>
    public int? QueuePosition { get; private set; }

    public double? EtaSeconds { get; private set; }

    /// <summary>The last stage reported, with its typed facts (a long video's segment k of n, a translation's language).</summary>
    public StageEvent? CurrentStage { get; private set; }

    /// <summary>The last stage's name as sent ("preparing frames", "generating", "segment 2 of 5").</summary>
    public string? Stage => CurrentStage?.Stage;

    /// <summary>A long video's segments in order (planned ones without text until narrated); empty for a short clip.</summary>
    public IReadOnlyList<NarrationSegment> Segments => _segments;

    /// <summary>Indexes of the segments that have been narrated (or failed); the rest are still to come.</summary>
    public IReadOnlySet<int> FinishedSegments => _finishedSegments;

    /// <summary>How many segments the video was cut into (0 for a short clip).</summary>
    public int SegmentCount { get; private set; }

    /// <summary>The segment being narrated now (0-based), from the last segment stage.</summary>
    public int? ActiveSegment { get; private set; }

    /// <summary>Token pieces received so far.</summary>
    public int TokenPieces { get; private set; }

    public GenerationStats? Stats { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Still waiting or writing: Stop applies, Describe does not.</summary>
    public bool IsActive => Status is NarrationStatus.Submitting or NarrationStatus.Queued or NarrationStatus.Running;

    public bool IsFinished => !IsActive;

    /// <summary>The narration so far; cached between tokens so a render does not rebuild the string.</summary>
    public string Text => _textSnapshot ??= string.Concat(_chunks) + _tail.ToString();

    /// <summary>The text in order as chunks that no longer change; <see cref="Tail"/> follows them.</summary>
    public IReadOnlyList<string> SealedChunks => _chunks;

    /// <summary>The end of the text, still growing.</summary>
    public string Tail => _tail.ToString();

    /// <summary>What the model has written so far for the long-video segment being narrated now (without its time heading).</summary>
    public string ActiveSegmentText => _activeSegmentText.ToString();

    /// <summary>From the click (or the re-attach) to the first text on the page, as the page measured it; null until then.</summary>
    public TimeSpan? FirstTextAfter { get; private set; }

    /// <summary>True when this run was picked up again after a reload or restart (the click was on another page).</summary>
    public bool Reattached { get; init; }

    /// <summary>Records when the first text arrived, measured by the page from the click; only the first call counts.</summary>
    public void MarkFirstText(TimeSpan sinceClick) => FirstTextAfter ??= sinceClick;

    /// <summary>The server accepted the run as <paramref name="narrationId"/>: known before its first event, so a reload can find it.</summary>
    public void MarkAccepted(string narrationId) => NarrationId ??= narrationId;

    /// <summary>Folds one event in. Events after the run finished are ignored: the first ending wins.</summary>
    public void Apply(NarrationEvent narrationEvent)
    {
        ArgumentNullException.ThrowIfNull(narrationEvent);
        if (IsFinished)
        {
            return;
        }
        NarrationId ??= narrationEvent.NarrationId;
        State = NarrationStates.After(narrationEvent);
        switch (narrationEvent)
        {
            case QueuedEvent queued:
                QueuePosition = queued.Position;
                EtaSeconds = queued.EtaSeconds;
                break;
            case StartedEvent:
                LeaveQueue();
                break;
            case StageEvent stage:
                LeaveQueue();
                CurrentStage = stage;
                if (stage is { Segment: int number, SegmentCount: int count })
                {
                    ActiveSegment = number - 1;
                    SegmentCount = count;
                    _activeSegmentText.Clear();
                    _segmentHeadingPending = true;
                }
                break;
            case SegmentEvent segment:
                LeaveQueue();
                SegmentCount = segment.Count;
                _segments.RemoveAll(known => known.Index == segment.Segment.Index);
                _segments.Add(segment.Segment);
                _segments.Sort((a, b) => a.Index.CompareTo(b.Index));
                if (segment.Finished)
                {
                    _finishedSegments.Add(segment.Segment.Index);
                }
                break;
            case TokenEvent token:
                LeaveQueue();
                AppendText(token.Text);
                TokenPieces++;
                if (ActiveSegment is not null)
                {
                    // The first piece of a segment is its "[start - end]" heading, which the segment list shows its own way.
                    if (_segmentHeadingPending && token.Text.TrimStart('\n').StartsWith('['))
                    {
                        _segmentHeadingPending = false;
                    }
                    else
                    {
                        _activeSegmentText.Append(token.Text);
                    }
                }
                break;
            case CompletedEvent completed:
                Stats = completed.Stats;
                ReplaceText(completed.Text);
                StoppedByPerson = completed.Stats.FinishReason == FinishReasons.Cancelled;
                ClearWaiting();
                break;
            case FailedEvent failed:
                if (failed.PartialText.Length > Text.Length)
                {
                    ReplaceText(failed.PartialText);
                }
                // A stop the person asked for is not an error; anything else is shown as the server's sentence.
                StoppedByPerson = failed.Code == FailureCodes.Cancelled;
                if (!StoppedByPerson)
                {
                    Error = failed.Error;
                }
                ClearWaiting();
                break;
        }
    }

    /// <summary>A stored narration from the history, shown as it ended.</summary>
    public static NarrationRun FromRecord(NarrationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var run = new NarrationRun(RequestOf(record), record.ClipLabel, record.CreatedAt);
        foreach (var narrationEvent in record.ToEvents())
        {
            run.Apply(narrationEvent);
        }
        return run;
    }

    /// <summary>The request a stored (or live) narration was made from, to export or run it again.</summary>
    public static NarrationRequest RequestOf(NarrationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new NarrationRequest
        {
            ClipId = record.ClipId,
            Template = record.Template,
            Prompt = record.Prompt,
            Frames = record.Options.Frames,
            Generation = record.Options.Generation,
        };
    }

    /// <summary>The person pressed Stop and the stream ended without a final event.</summary>
    public void MarkStopped()
    {
        if (IsActive)
        {
            StoppedByPerson = true;
            ClearWaiting();
        }
    }

    /// <summary>The stream broke without saying why (e.g. the server went away); keep what arrived and say so.</summary>
    public void MarkFailed(string error)
    {
        if (IsActive)
        {
            Error = error;
            State = NarrationState.Failed;
            ClearWaiting();
        }
    }

    private void LeaveQueue()
    {
        QueuePosition = null;
        EtaSeconds = null;
    }

    private void ClearWaiting()
    {
        ActiveSegment = null;
        _activeSegmentText.Clear();
        QueuePosition = null;
        EtaSeconds = null;
    }

    // The final text is authoritative (it may be post-processed); keep the streamed text when the final one is empty.
    private void ReplaceText(string finalText)
    {
        if (string.IsNullOrEmpty(finalText) || finalText == Text)
        {
            return;
        }
        _chunks.Clear();
        _tail.Clear();
        AppendText(finalText);
    }

    private void AppendText(string piece)
    {
        _tail.Append(piece);
        _textSnapshot = null;
        if (_tail.Length >= ChunkLength)
        {
            _chunks.Add(_tail.ToString());
            _tail.Clear();
        }
    }
}
