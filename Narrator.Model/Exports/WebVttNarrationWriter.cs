using System.Text;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>
/// WebVTT: the <c>WEBVTT</c> header, then numbered cues with <c>HH:MM:SS.mmm --> HH:MM:SS.mmm</c>; &amp;, &lt; and &gt;
/// escaped because cue text is markup. Usable as a subtitle or an audio-description (<c>kind="descriptions"</c>) track.
/// A narration that did not complete carries a <c>NOTE</c> saying so.
/// </summary>
public sealed class WebVttNarrationWriter(SubtitleLayout? layout = null) : INarrationWriter
{
    public const string FormatName = "vtt";

    public string Name => FormatName;

    public IReadOnlyList<string> Aliases { get; } = ["webvtt"];

    public string FileExtension => ".vtt";

    public string MediaType => "text/vtt";

    public LocalizedText Label { get; } = new("字幕 / 口述影像 (.vtt)", "Subtitles / audio description (.vtt)");

    public async Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        if (narration.IncompleteRemark is { } remark)
        {
            // A NOTE block is for readers of the file; players skip it. It must not hold "-->".
            text.Append("NOTE ").Append(remark.Replace("-->", "->", StringComparison.Ordinal).ReplaceLineEndings(" ")).Append("\n\n");
        }
        foreach (var cue in SubtitleCueBuilder.Build(narration, layout))
        {
            text.Append(cue.Number).Append('\n');
            text.Append(SubtitleClock.WebVtt(cue.StartSeconds)).Append(" --> ").Append(SubtitleClock.WebVtt(cue.EndSeconds)).Append('\n');
            foreach (var line in cue.Lines)
            {
                text.Append(Escape(line)).Append('\n');
            }
            text.Append('\n');
        }
        await destination.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    private static string Escape(string line) =>
        line.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
}
