using System.Globalization;

namespace Narrator.Model.Subtitles;

/// <summary>
/// A subtitle stream inside a video as ffprobe lists it. Text streams (SubRip, mov_text, WebVTT, ASS...) can be read into
/// the prompt; picture streams (PGS, DVD, DVB) cannot, and <see cref="UnusableReason"/> says so in a sentence.
/// </summary>
public sealed record SubtitleStream
{
    /// <summary>The stream's index in the file (ffmpeg's 0:N), which is how a person or request picks it.</summary>
    public required int Index { get; init; }

    /// <summary>ffmpeg's codec name, e.g. "subrip", "mov_text", "hdmv_pgs_subtitle".</summary>
    public required string Codec { get; init; }

    /// <summary>ISO 639 language tag when the file gives one ("und" is left out).</summary>
    public string? Language { get; init; }

    public string? Title { get; init; }

    public bool IsDefault { get; init; }

    public bool IsForced { get; init; }

    /// <summary>Why the stream cannot be used, as a sentence; null for a text stream that can.</summary>
    public string? UnusableReason { get; init; }

    public bool IsUsable => UnusableReason is null;

    /// <summary>"stream 2 (subrip, eng, Commentary)": how messages and the page name it.</summary>
    public string Label
    {
        get
        {
            var parts = new List<string> { Codec };
            if (Language is { Length: > 0 } language)
            {
                parts.Add(language);
            }
            if (Title is { Length: > 0 } title)
            {
                parts.Add(title);
            }
            return string.Create(CultureInfo.InvariantCulture, $"stream {Index} ({string.Join(", ", parts)})");
        }
    }

    /// <summary>Codecs ffmpeg decodes to text (and can write as SubRip).</summary>
    public static readonly IReadOnlySet<string> TextCodecs = new HashSet<string>(StringComparer.Ordinal)
    {
        "subrip", "srt", "mov_text", "webvtt", "ass", "ssa", "text", "microdvd", "subviewer", "subviewer1", "jacosub", "mpl2",
        "pjs", "realtext", "sami", "stl", "vplayer", "eia_608",
    };

    /// <summary>Codecs that carry pictures of text.</summary>
    public static readonly IReadOnlySet<string> BitmapCodecs = new HashSet<string>(StringComparer.Ordinal)
    {
        "hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle", "xsub", "dvb_teletext", "arib_caption",
    };

    /// <summary>Why a stream of <paramref name="codec"/> cannot be read as text, or null when it can.</summary>
    public static string? ReasonUnusable(string codec) =>
        TextCodecs.Contains(codec) ? null
        : BitmapCodecs.Contains(codec)
            ? $"{codec} subtitles are pictures of text (as on DVDs, Blu-rays and TV), which cannot be read as text; add an .srt or .vtt file instead."
            : $"{(codec.Length > 0 ? codec : "This")} subtitle format cannot be read as text; add an .srt or .vtt file instead.";
}
