using System.CommandLine;
using Narrator.Model.Templates;

namespace Narrator.Cli.Commands;

/// <summary>
/// The prompt (a template and/or free text) and the sampling and frame overrides of a narrating command, resolved as
/// Narrator defaults &lt; template defaults &lt; these options.
/// </summary>
internal sealed class NarrationSettingArguments
{
    public Option<string?> Template { get; } = new("--template")
    {
        HelpName = "ID",
        Description = $"Prompt template id (see `narrator templates`); default {TemplateCatalogue.DefaultTemplateId} when no --prompt is given.",
    };

    public Option<string?> Prompt { get; } = new("--prompt")
    {
        HelpName = "TEXT",
        Description = "The prompt after the video; with --template it is appended to the template's prompt as extra instructions.",
    };

    public Option<int?> MaxNewTokens { get; } = FrameOptionArguments.WholeNumber("--max-new-tokens", "Most tokens to generate (default from the template, else 1536).");

    public Option<double?> Temperature { get; } = FrameOptionArguments.Number("--temperature", "Sampling temperature; 0 is greedy (the default).");

    public Option<double?> TopP { get; } = FrameOptionArguments.Number("--top-p", "Nucleus sampling mass in (0, 1]; 1 disables it.");

    public Option<int?> TopK { get; } = FrameOptionArguments.WholeNumber("--top-k", "Sample only from the k most likely tokens; 0 disables it.");

    public Option<double?> RepetitionPenalty { get; } = FrameOptionArguments.Number("--repetition-penalty", "Penalty for tokens already seen (default 1.05).");

    public Option<int?> Seed { get; } = FrameOptionArguments.WholeNumber("--seed", "Seed for sampling; the same seed gives the same narration.");

    public FrameOptionArguments Frames { get; } = new();

    public void AddTo(Command command)
    {
        foreach (var option in (Option[])[Template, Prompt, MaxNewTokens, Temperature, TopP, TopK, RepetitionPenalty, Seed])
        {
            command.Options.Add(option);
        }
        Frames.AddTo(command);
    }

    /// <summary>The prompt text, the template (null for a free prompt) and the validated options.</summary>
    public (string Prompt, PromptTemplate? Template, NarrationOptions Options) Read(ParseResult parseResult)
    {
        string? prompt = parseResult.GetValue(Prompt);
        string? templateId = parseResult.GetValue(Template);
        PromptTemplate? template = null;
        string text;
        if (templateId is null && !string.IsNullOrWhiteSpace(prompt))
        {
            text = prompt;
        }
        else
        {
            var catalogue = TemplateCatalogue.BuiltIn;
            template = templateId is null ? catalogue.Default : catalogue.Get(templateId);
            text = template.Render(prompt);
        }
        var overrides = new TemplateOptions
        {
            Fps = parseResult.GetValue(Frames.Fps),
            MinFrames = parseResult.GetValue(Frames.MinFrames),
            MaxFrames = parseResult.GetValue(Frames.MaxFrames),
            NFrames = parseResult.GetValue(Frames.NFrames),
            MinPixels = parseResult.GetValue(Frames.MinPixels),
            MaxPixels = parseResult.GetValue(Frames.MaxPixels),
            MaxNewTokens = parseResult.GetValue(MaxNewTokens),
            Temperature = (float?)parseResult.GetValue(Temperature),
            TopP = (float?)parseResult.GetValue(TopP),
            TopK = parseResult.GetValue(TopK),
            RepetitionPenalty = (float?)parseResult.GetValue(RepetitionPenalty),
            Seed = parseResult.GetValue(Seed),
        };
        var options = template?.ResolveOptions(overrides) ?? NarrationOptionsResolver.Resolve(null, overrides);
        return (text, template, options);
    }
}
