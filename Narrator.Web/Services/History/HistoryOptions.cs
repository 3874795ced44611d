using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Services.History;

/// <summary>How the narration history keeps up with live narrations, under <c>Narrator:History</c>.</summary>
public sealed class HistoryOptions
{
    public const string Section = "Narrator:History";

    /// <summary>A running narration's text is written at most this often, so a crash loses at most this much of it.</summary>
    [Range(0.05, 60, ErrorMessage = "Narrator:History:CheckpointSeconds must be between 0.05 and 60 seconds.")]
    public double CheckpointSeconds { get; set; } = 1;

    /// <summary>After a failed write (a full disk) the pauses between attempts double up to this.</summary>
    [Range(1, 3_600, ErrorMessage = "Narrator:History:MaxRetrySeconds must be between 1 and 3600 seconds.")]
    public double MaxRetrySeconds { get; set; } = 60;

    public TimeSpan CheckpointInterval => TimeSpan.FromSeconds(CheckpointSeconds);

    public TimeSpan MaxRetry => TimeSpan.FromSeconds(MaxRetrySeconds);
}
