using System.Globalization;
using System.Text;

namespace Narrator.LoadTest;

/// <summary>The figures of one load run.</summary>
internal sealed record LoadReport
{
    public string Model { get; init; } = "";
    public int Clients { get; init; }
    public int MaxNewTokens { get; init; }
    public int Capacity { get; init; }
    public bool Burst { get; init; }
    public int Completed { get; init; }
    public int Rejected { get; init; }
    public int Failed { get; init; }
    public int Errors { get; init; }
    public string RejectionCodes { get; init; } = "";
    public int Mismatches { get; init; }
    public int PositionIncreases { get; init; }
    public int Tokens { get; init; }
    public double QueueP50Seconds { get; init; }
    public double QueueP95Seconds { get; init; }
    public double TokenLatencyP50Milliseconds { get; init; }
    public double TokenLatencyP95Milliseconds { get; init; }
    public double TokenLatencyMaxMilliseconds { get; init; }
    public double UploadP50Milliseconds { get; init; }
    public double UploadP95Milliseconds { get; init; }
    public double BaselineRssMegabytes { get; init; }
    public double PeakRssMegabytes { get; init; }
    public double WallSeconds { get; init; }
    public string AfterLoad { get; init; } = "";
    public List<string> Problems { get; init; } = [];

    public string ToMarkdown()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"| figure | value |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(c, $"| model | {Model} |");
        text.AppendLine(c, $"| clients / max_new_tokens / queue capacity | {Clients} / {MaxNewTokens} / {Capacity} |");
        text.AppendLine(c, $"| arrival | {(Burst ? "burst: all upload, then all narrate at once" : "each client uploads then narrates at once")} |");
        text.AppendLine(c, $"| completed / rejected / failed / client errors | {Completed} / {Rejected} / {Failed} / {Errors} |");
        text.AppendLine(c, $"| rejection and failure codes | {(RejectionCodes.Length == 0 ? "none" : RejectionCodes)} |");
        text.AppendLine(c, $"| streams where generator, stream, final event and history disagree | {Mismatches} |");
        text.AppendLine(c, $"| streams whose queue position ever went up | {PositionIncreases} |");
        text.AppendLine(c, $"| time in queue p50 / p95 | {QueueP50Seconds:F2} s / {QueueP95Seconds:F2} s |");
        text.AppendLine(c, $"| token leaves generator -> client receives, p50 / p95 / max ({Tokens} tokens) | {TokenLatencyP50Milliseconds:F2} ms / {TokenLatencyP95Milliseconds:F2} ms / {TokenLatencyMaxMilliseconds:F1} ms |");
        text.AppendLine(c, $"| upload (201 received) p50 / p95 | {UploadP50Milliseconds:F0} ms / {UploadP95Milliseconds:F0} ms |");
        text.AppendLine(c, $"| server RSS before load / peak | {BaselineRssMegabytes:F0} MB / {PeakRssMegabytes:F0} MB |");
        text.AppendLine(c, $"| wall time of the load | {WallSeconds:F1} s |");
        text.AppendLine(c, $"| after the load | {AfterLoad} |");
        foreach (var problem in Problems)
        {
            text.AppendLine(c, $"| problem | {problem} |");
        }
        return text.ToString();
    }
}
