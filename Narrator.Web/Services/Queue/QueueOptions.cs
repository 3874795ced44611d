using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Services.Queue;

/// <summary>The request queue in front of the model, under <c>Narrator:Queue</c>.</summary>
public sealed class QueueOptions
{
    public const string Section = "Narrator:Queue";

    /// <summary>How many requests may wait (not counting the ones running); one more is rejected at once.</summary>
    [Range(1, 10_000, ErrorMessage = "Narrator:Queue:Capacity must be between 1 and 10000 waiting requests.")]
    public int Capacity { get; set; } = 32;

    /// <summary>Queued + running requests one visitor (their cookie, across every tab and client) may have.</summary>
    [Range(1, 1_000, ErrorMessage = "Narrator:Queue:PerOwnerLimit must be between 1 and 1000.")]
    public int PerOwnerLimit { get; set; } = 2;

    /// <summary>Queued + running requests from one client address, whatever cookies it sends (a caller who drops its cookie is a new visitor every time).</summary>
    [Range(1, 10_000, ErrorMessage = "Narrator:Queue:PerAddressLimit must be between 1 and 10000.")]
    public int PerAddressLimit { get; set; } = 8;

    /// <summary>A running narration is stopped after this long.</summary>
    [Range(1, 86_400, ErrorMessage = "Narrator:Queue:MaxGenerationSeconds must be between 1 and 86400 seconds.")]
    public int MaxGenerationSeconds { get; set; } = 600;

    /// <summary>How many requests at the head of the queue get their frames prepared ahead, so the model never waits on ffmpeg but memory stays bounded.</summary>
    [Range(0, 64, ErrorMessage = "Narrator:Queue:PrepareAhead must be between 0 and 64.")]
    public int PrepareAhead { get; set; } = 2;

    /// <summary>Concurrent frame extractions (ffmpeg + patching) on the CPU pool; 0 means half the cores, at least one.</summary>
    [Range(0, 256, ErrorMessage = "Narrator:Queue:PreprocessingConcurrency must be between 0 (automatic) and 256.")]
    public int PreprocessingConcurrency { get; set; }

    /// <summary>Upper bound a request may ask for in max_new_tokens.</summary>
    [Range(1, 32_768, ErrorMessage = "Narrator:Queue:MaxNewTokensLimit must be between 1 and 32768.")]
    public int MaxNewTokensLimit { get; set; } = 2048;

    /// <summary>Decode speed assumed for ETAs until the first narration has finished.</summary>
    [Range(0.01, 100_000, ErrorMessage = "Narrator:Queue:AssumedTokensPerSecond must be between 0.01 and 100000.")]
    public double AssumedTokensPerSecond { get; set; } = 10;

    /// <summary>How long finished narrations stay in memory for late SSE readers before only the history has them.</summary>
    [Range(0, 1_440, ErrorMessage = "Narrator:Queue:RetainFinishedMinutes must be between 0 and 1440 minutes.")]
    public int RetainFinishedMinutes { get; set; } = 15;

    /// <summary>
    /// How long a narration started from the page keeps running after its last tab closed or reloaded: a reload (or the
    /// same visitor's other tab) that comes back within this re-attaches to it; otherwise it is cancelled. 0 cancels at once.
    /// </summary>
    [Range(0, 3_600, ErrorMessage = "Narrator:Queue:ReattachSeconds must be between 0 and 3600 seconds.")]
    public int ReattachSeconds { get; set; } = 30;

    /// <summary>Memory for recently prepared clips (frames + patches), so describing the same clip again skips the preparation; 0 keeps none.</summary>
    [Range(0, 64L * 1024 * 1024 * 1024, ErrorMessage = "Narrator:Queue:PreparedCacheBytes must be between 0 and 64 GiB.")]
    public long PreparedCacheBytes { get; set; } = 512L * 1024 * 1024;

    public int EffectivePreprocessingConcurrency =>
        PreprocessingConcurrency > 0 ? PreprocessingConcurrency : Math.Max(1, Environment.ProcessorCount / 2);
}
