using System.Globalization;

namespace Narrator.Model.Subtitles;

/// <summary>
/// Turns a <see cref="SubtitleSelection"/> into the track that goes into the prompt, the same way for the command line
/// and the server: an attached file, one of the video's text streams (read through <paramref name="extract"/>, which a
/// server caches), or nothing. A choice that cannot be honoured is a <see cref="UserInputException"/> saying why.
/// </summary>
public static class SubtitleResolver
{
    public static async Task<SubtitleTrack?> ResolveAsync(SubtitleSelection selection, SubtitleTrack? attached, IReadOnlyList<SubtitleStream> streams,
        Func<SubtitleStream, CancellationToken, Task<SubtitleTrack>> extract, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(extract);
        switch (selection.Kind)
        {
            case SubtitleSelectionKind.Off:
                return null;
            case SubtitleSelectionKind.File:
                return attached ?? throw new UserInputException("No subtitle file is attached to this clip; add an .srt or .vtt file first.");
            case SubtitleSelectionKind.Stream:
                var stream = streams.FirstOrDefault(s => s.Index == selection.StreamIndex)
                    ?? throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                        $"The clip has no subtitle stream {selection.StreamIndex}; {Describe(streams)}."));
                if (stream.UnusableReason is { } reason)
                {
                    throw new UserInputException($"Subtitle {stream.Label} cannot be used: {reason}");
                }
                return await extract(stream, cancellationToken).ConfigureAwait(false);
            default:
                if (attached is not null)
                {
                    return attached;
                }
                return SubtitleSelection.AutoStream(streams) is { } chosen ? await extract(chosen, cancellationToken).ConfigureAwait(false) : null;
        }
    }

    /// <summary>"its subtitle streams are stream 2 (subrip, eng), stream 3 (hdmv_pgs_subtitle, not usable)", or that it has none.</summary>
    public static string Describe(IReadOnlyList<SubtitleStream> streams) => streams.Count == 0
        ? "it has no subtitle streams"
        : "its subtitle streams are " + string.Join(", ", streams.Select(s => s.IsUsable ? s.Label : $"{s.Label[..^1]}, not usable)"));
}
