using System.CommandLine;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;

namespace Narrator.Cli.Commands;

/// <summary>
/// Which dialogue goes into the prompt: a subtitle file (--subtitles), one of the video's own streams
/// (--subtitle-stream N), none (--no-subtitles), or by default the video's default text stream when it has one.
/// </summary>
internal sealed class SubtitleArguments
{
    public Option<string?> File { get; } = new("--subtitles")
    {
        HelpName = "FILE",
        Description = "An .srt or .vtt file whose lines (those inside the clip, or inside each segment) go into the prompt as timestamped dialogue.",
    };

    public Option<int?> Stream { get; } = FrameOptionArguments.WholeNumber("--subtitle-stream",
        "Use the video's subtitle stream with this index (ffmpeg's 0:N) instead of its default text stream.");

    public Option<bool> Off { get; } = new("--no-subtitles") { Description = "Leave subtitles out of the prompt, even when the video has them." };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Stream);
        command.Options.Add(Off);
    }

    /// <summary>The track for <paramref name="path"/> as the options say, with what was found and used written to <paramref name="stderr"/>.</summary>
    public async Task<SubtitleTrack?> ResolveAsync(ParseResult parseResult, string path, MediaProbe probe, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        string? file = parseResult.GetValue(File);
        int? streamIndex = parseResult.GetValue(Stream);
        bool off = parseResult.GetValue(Off);
        if (off && (file is not null || streamIndex is not null))
        {
            throw new UserInputException("--no-subtitles cannot be combined with --subtitles or --subtitle-stream.");
        }
        if (file is not null && streamIndex is not null)
        {
            throw new UserInputException("Give either --subtitles or --subtitle-stream, not both.");
        }
        if (off)
        {
            await stderr.WriteLineAsync("subtitles: off");
            return null;
        }
        var attached = file is null ? null : await SubtitleFileReader.ReadFileAsync(file, cancellationToken);
        var reader = new SubtitleStreamReader();
        IReadOnlyList<SubtitleStream> streams = [];
        if (file is null && probe.Kind == MediaKind.Video)
        {
            streams = await reader.ListAsync(path, probe, cancellationToken);
        }
        var selection = streamIndex is { } index ? SubtitleSelection.ForStream(index) : SubtitleSelection.Auto;
        var track = await SubtitleResolver.ResolveAsync(selection, attached, streams, (stream, ct) => reader.ExtractAsync(path, probe, stream, ct),
            cancellationToken);

        foreach (var stream in streams.Where(s => !s.IsUsable))
        {
            await stderr.WriteLineAsync($"subtitles: {stream.Label} is not usable: {stream.UnusableReason}");
        }
        var usable = streams.Where(s => s.IsUsable).ToList();
        if (usable.Count > 1)
        {
            await stderr.WriteLineAsync($"subtitles: the video has {usable.Count} text streams ({string.Join(", ", usable.Select(s => s.Label))}); pick one with --subtitle-stream N");
        }
        await stderr.WriteLineAsync(track is null
            ? "subtitles: none"
            : $"subtitles: {track.Lines.Count} line(s) from {track.Source}");
        foreach (var warning in track?.Warnings ?? [])
        {
            await stderr.WriteLineAsync($"warning: {warning}");
        }
        return track;
    }
}
