using System.CommandLine;
using Narrator.Model.Translation;

namespace Narrator.Cli.Commands;

/// <summary><c>--translate fr,es</c>: languages the same model translates each narration into afterwards.</summary>
internal sealed class TranslateArguments
{
    public Option<string[]> Languages { get; } = new("--translate")
    {
        HelpName = "LANGS",
        Description = $"After narrating, translate with the same model into these languages (comma-separated or repeated): {string.Join(", ", TranslationLanguages.All.Select(l => l.Code))}.",
        AllowMultipleArgumentsPerToken = true,
    };

    public void AddTo(Command command) => command.Options.Add(Languages);

    /// <summary>The languages asked for (none without the option); unknown codes are a user error.</summary>
    public IReadOnlyList<TranslationLanguage> Read(ParseResult parseResult) =>
        parseResult.GetValue(Languages) is { Length: > 0 } codes ? TranslationLanguages.ParseList(codes) : [];
}
