using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Narrator.Model.Templates;

namespace Narrator.Cli.Commands;

/// <summary><c>narrator templates [--json]</c>: the prompt template catalogue, as a table or as JSON.</summary>
internal static class TemplatesCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var json = new Option<bool>("--json")
        {
            Description = "print the catalogue as JSON: id, names, descriptions, prompt, effective options, template defaults, output kind",
        };
        var files = new Option<string[]>("--file")
        {
            Description = "extra template file(s) in the templates.json format, loaded after the built-in ones",
        };
        var command = new Command("templates", "List the prompt templates (built-in and any extra files).");
        command.Options.Add(json);
        command.Options.Add(files);
        CommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var catalogue = TemplateCatalogue.Load(new TemplateCatalogueOptions { Files = [.. parseResult.GetValue(files) ?? []] });
            if (parseResult.GetValue(json))
            {
                var document = new
                {
                    templates = catalogue.Templates.Select(t =>
                    {
                        var options = t.ResolveOptions();
                        return new
                        {
                            id = t.Id,
                            name = t.Name,
                            description = t.Description,
                            output = t.Output,
                            prompt = t.Prompt,
                            options = new { frames = options.Frames, generation = options.Generation },
                            defaults = t.Defaults,
                            tags = t.Tags,
                            source = t.Source,
                        };
                    }),
                };
                await using var stdout = Console.OpenStandardOutput();
                await JsonSerializer.SerializeAsync(stdout, document, Json, cancellationToken);
                stdout.WriteByte((byte)'\n');
                return 0;
            }

            int width = catalogue.Templates.Max(t => t.Id.Length);
            foreach (var t in catalogue.Templates)
            {
                await Console.Out.WriteLineAsync($"{t.Id.PadRight(width)}  {t.Output.ToString().ToLowerInvariant(),-5}  {t.Name.En} · {t.Name.Zh}");
            }
            return 0;
        });
        return command;
    }
}
