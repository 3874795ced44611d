using System.Text;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>SubRip: numbered cues, <c>HH:MM:SS,mmm --> HH:MM:SS,mmm</c>, a blank line after each; LF line ends, UTF-8.</summary>
public sealed class SrtNarrationWriter(SubtitleLayout? layout = null) : INarrationWriter
{
    public const string FormatName = "srt";

    public string Name => FormatName;

    public string FileExtension => ".srt";

    public string MediaType => "application/x-subrip";

    public LocalizedText Label { get; } = new("字幕 (.srt)", "Subtitles (.srt)");

    public async Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var cue in SubtitleCueBuilder.Build(narration, layout))
        {
            text.Append(cue.Number).Append('\n');
            text.Append(SubtitleClock.Srt(cue.StartSeconds)).Append(" --> ").Append(SubtitleClock.Srt(cue.EndSeconds)).Append('\n');
            foreach (var line in cue.Lines)
            {
                text.Append(line.Replace("-->", "->", StringComparison.Ordinal)).Append('\n');
            }
            text.Append('\n');
        }
        await destination.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }
}
