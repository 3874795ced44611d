namespace Narrator.LoadTest;

/// <summary>What one simulated visitor saw, written by the client process as JSON for the report.</summary>
internal sealed record ClientResult
{
    public int Client { get; init; }

    public string Prompt { get; init; } = "";

    public string? NarrationId { get; init; }

    /// <summary>"completed", "rejected" (refused at once: queue full, owner limit, rate limit), "failed", or "error" (the client broke).</summary>
    public string Outcome { get; init; } = "";

    public string? FailureCode { get; init; }

    public string? Error { get; init; }

    /// <summary>Monotonic timestamp (Stopwatch, shared by processes on one machine) when each token arrived.</summary>
    public List<long> TokenReceived { get; init; } = [];

    public string StreamedText { get; init; } = "";

    public string? CompletedText { get; init; }

    public string? StoredText { get; init; }

    public double? QueueSeconds { get; init; }

    public List<int> Positions { get; init; } = [];

    public double UploadMilliseconds { get; init; }

    public double TotalMilliseconds { get; init; }
}
