using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Web.Workbench;

/// <summary>The page's own download (a JSON document with the text and the prompt, settings and stats that produced it) and download file names.</summary>
public static class NarrationDownload
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Keep Chinese readable in the file instead of \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Json(NarrationRun run)
    {
        var document = new ExportDocument(
            run.ClipLabel,
            run.Request.ClipId,
            run.Request.Template,
            run.Request.Prompt,
            run.Request.Frames ?? new FrameOptions(),
            run.Request.Generation ?? new GenerationOptions(),
            run.Status,
            run.Text,
            run.Error,
            run.Stats,
            run.CreatedAt);
        return JsonSerializer.Serialize(document, JsonOptions);
    }

    /// <summary>A download name built from the clip label and template, safe on every file system.</summary>
    public static string FileName(NarrationRun run, string extension) => FileName(run.ClipLabel, run.Request.Template, extension);

    /// <summary>The text-with-prompt-and-settings download: "...-settings.json", so it never shares a name with the segments JSON.</summary>
    public static string SettingsFileName(NarrationRun run) => FileName(run.ClipLabel, run.Request.Template, "settings.json");

    /// <summary>
    /// "narration-{clip}-{template}.{extension}" (with "-{state}" before the extension for a narration that did not
    /// complete) with anything unsafe in a file name replaced (also used by the export API).
    /// </summary>
    public static string FileName(string clipLabel, string? template, string extension, string? incompleteState = null)
    {
        string stem = Path.GetFileNameWithoutExtension(clipLabel);
        var name = new StringBuilder("narration");
        foreach (string part in new[] { stem, template ?? "custom", incompleteState ?? "" })
        {
            string safe = SafePart(part);
            if (safe.Length > 0)
            {
                name.Append('-').Append(safe);
            }
        }
        return name.Append('.').Append(extension.TrimStart('.')).ToString();
    }

    private static string SafePart(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                safe.Append(c);
            }
            else if (safe.Length > 0 && safe[^1] != '_')
            {
                safe.Append('_');
            }
        }
        return safe.ToString().Trim('_');
    }

    private sealed record ExportDocument(
        string Clip,
        string ClipId,
        string? Template,
        string? Prompt,
        FrameOptions Frames,
        GenerationOptions Generation,
        NarrationStatus Status,
        string Text,
        string? Error,
        GenerationStats? Stats,
        DateTimeOffset CreatedAt);
}
