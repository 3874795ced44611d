using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Narrator.Model.Exports;
using Narrator.Model.Search;

namespace Narrator.Cli.Commands;

/// <summary>
/// <c>narrator search RESULTS_FILE QUERY</c>: finds a phrase in what a batch narrated (or in an exported narration):
/// narrations, each segment of a long video and every translation, best match first, with where it is and a snippet.
/// Exit code 1 when nothing matches, like grep.
/// </summary>
internal static class SearchCommand
{
    public const int NoMatches = 1;

    public static Command Create()
    {
        var file = new Argument<string>("results") { HelpName = "RESULTS_FILE", Description = "A batch results file (.json or .ndjson), or a narration exported as .json or .ndjson." };
        var query = new Argument<string[]>("query")
        {
            Arity = ArgumentArity.OneOrMore,
            HelpName = "QUERY",
            Description = "Words that must all occur (in any case); put a phrase in quotes to find it as written. Chinese needs no spaces.",
        };
        var limit = FrameOptionArguments.WholeNumber("--limit", "Show at most this many hits (default 20).");
        var json = new Option<bool>("--json") { Description = "Print one JSON object per hit instead of text." };

        var command = new Command("search", "Search the narrations, segments and translations in a batch results file or an export.");
        command.Arguments.Add(file);
        command.Arguments.Add(query);
        command.Options.Add(limit);
        command.Options.Add(json);

        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var parsed = SearchQuery.Parse(string.Join(' ', parseResult.GetValue(query)!.Select(Quote)));
            int max = parseResult.GetValue(limit) ?? 20;
            if (max < 1)
            {
                throw new Model.UserInputException($"--limit must be at least 1 (got {max}).");
            }
            var documents = await ResultsFileDocuments.LoadAsync(parseResult.GetValue(file)!, cancellationToken);
            var hits = TextSearch.Search(documents, parsed, max);
            foreach (var hit in hits)
            {
                await stdout.WriteLineAsync(parseResult.GetValue(json) ? Json(hit) : Text(hit));
            }
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{hits.Count} hit(s) for {parsed.Text} in {documents.Count} text(s)"));
            return hits.Count > 0 ? 0 : NoMatches;
        });
        return command;
    }

    /// <summary>A shell argument with a space in it was one phrase to the person who quoted it.</summary>
    private static string Quote(string argument) => argument.Contains(' ', StringComparison.Ordinal) ? $"\"{argument}\"" : argument;

    /// <summary>"clip.mp4 · segment 2 [00:00:30.000 - 00:01:00.000] · fr" then the snippet with matches in [brackets].</summary>
    private static string Text(SearchHit hit)
    {
        var document = hit.Document;
        var line = new StringBuilder(document.Video);
        if (document.SegmentIndex is { } index)
        {
            line.Append(CultureInfo.InvariantCulture, $" · segment {index + 1}");
        }
        if (document.StartSeconds is { } start && document.EndSeconds is { } end)
        {
            line.Append(' ').Append(PlainTextNarrationWriter.Heading(start, end));
        }
        if (document.Language is { } language)
        {
            line.Append(" · ").Append(language);
        }
        line.Append(CultureInfo.InvariantCulture, $" · score {hit.Score:0.00}\n  ");
        foreach (var (text, highlighted) in hit.Snippet.Parts())
        {
            line.Append(highlighted ? $"[{text}]" : text);
        }
        return line.ToString();
    }

    private static string Json(SearchHit hit)
    {
        var document = hit.Document;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("video", document.Video);
            writer.WriteString("kind", document.Kind);
            if (document.Language is { } language)
            {
                writer.WriteString("language", language);
            }
            if (document.SegmentIndex is { } index)
            {
                writer.WriteNumber("segment", index);
            }
            if (document.StartSeconds is { } start && document.EndSeconds is { } end)
            {
                writer.WriteNumber("start", Math.Round(start, 3));
                writer.WriteNumber("end", Math.Round(end, 3));
            }
            writer.WriteNumber("score", Math.Round(hit.Score, 4));
            writer.WriteString("snippet", hit.Snippet.Text);
            writer.WriteStartArray("highlights");
            foreach (var span in hit.Snippet.Highlights)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(span.Start);
                writer.WriteNumberValue(span.Length);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
