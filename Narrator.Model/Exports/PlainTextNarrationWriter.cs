using System.Text;
using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>
/// For reading: each segment as <c>[HH:MM:SS.mmm - HH:MM:SS.mmm]</c> on its own line, then its text, then a blank line;
/// a narration that did not complete starts with a line in parentheses saying so (and a blank line).
/// </summary>
public sealed class PlainTextNarrationWriter : INarrationWriter
{
    public const string FormatName = "txt";

    public string Name => FormatName;

    public IReadOnlyList<string> Aliases { get; } = ["text"];

    public string FileExtension => ".txt";

    public string MediaType => "text/plain";

    public LocalizedText Label { get; } = new("带时间戳的文本 (.txt)", "Text with timestamps (.txt)");

    public async Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        if (narration.IncompleteRemark is { } remark)
        {
            text.Append('(').Append(remark).Append(")\n");
        }
        foreach (var segment in narration.Segments)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }
            text.Append(Heading(segment.StartSeconds, segment.EndSeconds)).Append('\n');
            text.Append(segment.Error is { } error ? FailedLine(error) : segment.DisplayText.Trim()).Append('\n');
        }
        await destination.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>The line above a segment's text: <c>[HH:MM:SS.mmm - HH:MM:SS.mmm]</c> (also used by the server's running text).</summary>
    public static string Heading(double startSeconds, double endSeconds) =>
        $"[{SubtitleClock.WebVtt(startSeconds)} - {SubtitleClock.WebVtt(endSeconds)}]";

    /// <summary>What stands in for the text of a segment that could not be narrated.</summary>
    public static string FailedLine(string error) => $"(failed: {error})";
}
