namespace Narrator.Model.Media;

public enum FfmpegProgram
{
    Ffmpeg,
    Ffprobe,
}

/// <summary>How much of the machine a call may take: work someone waits for, or heavy work that yields to it.</summary>
public enum FfmpegPriority
{
    Normal,

    /// <summary>Runs at the lowest CPU priority (nice 19), so quick work of other visitors keeps the cores.</summary>
    Background,
}

/// <summary>
/// One ffmpeg or ffprobe run on one media file, as <see cref="FfmpegRunner"/> is asked for it: the runner alone adds the
/// input (with the protocol and format allow-lists, and the pinned demuxer), so no call can open anything else.
/// </summary>
public sealed record FfmpegCall
{
    public required FfmpegProgram Program { get; init; }

    /// <summary>The media file; always read through the file protocol only.</summary>
    public required string InputPath { get; init; }

    /// <summary>
    /// The demuxer to read it with (from the probe, see <see cref="MediaFormatPolicy.DemuxerFor"/>). Only a probe leaves
    /// it null, and then the allow-list alone decides; ffmpeg never decodes a file without it.
    /// </summary>
    public string? InputFormat { get; init; }

    /// <summary>Options that apply to the input (<c>-ss</c>, <c>-skip_frame</c>...), placed before it.</summary>
    public IReadOnlyList<string> InputOptions { get; init; } = [];

    /// <summary>Everything after the input: filters, mapping, the output.</summary>
    public required IReadOnlyList<string> OutputOptions { get; init; }

    public FfmpegPriority Priority { get; init; } = FfmpegPriority.Normal;
}

/// <summary>What an ffmpeg run left: its exit code, the tail of what it wrote to stderr, and what the caller read from stdout.</summary>
public sealed record FfmpegResult<T>(int ExitCode, string Errors, T Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>ffmpeg's first error line (the cause; later lines are consequences), without the "[demuxer @ 0x...]" prefix.</summary>
    public string? FirstError => FfmpegRunner.FirstCause(Errors);

    /// <summary>ffmpeg's last error line, without the "[demuxer @ 0x...]" prefix.</summary>
    public string? LastError => FfmpegRunner.FirstCause(string.Join('\n', Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).Reverse()));
}
