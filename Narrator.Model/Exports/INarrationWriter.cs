using Narrator.Model.Templates;

namespace Narrator.Model.Exports;

/// <summary>
/// Writes a timestamped narration in one export format (UTF-8, no BOM) and says what that format is called, which file
/// extension it takes, which media type it is served as and how download menus label it. <see cref="ExportFormats"/>
/// lists the registered writers.
/// </summary>
public interface INarrationWriter
{
    /// <summary>The name on the command line and in the HTTP API's <c>format=</c>, lower case ("srt").</summary>
    string Name { get; }

    /// <summary>Other names accepted for the format ("webvtt" for "vtt"), lower case.</summary>
    IReadOnlyList<string> Aliases => [];

    /// <summary>With its dot: ".srt".</summary>
    string FileExtension { get; }

    /// <summary>Without parameters ("application/x-subrip"); the charset is always UTF-8.</summary>
    string MediaType { get; }

    /// <summary>What a person picks in a download menu (中文 and English); a writer that names none is listed by its extension.</summary>
    LocalizedText Label => new($"{Name} ({FileExtension})", $"{Name} ({FileExtension})");

    /// <summary>True when one file holds the original and every translation (JSON); false when each translation is written to a file of its own (subtitles, text).</summary>
    bool HoldsTranslations => false;

    Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default);
}
