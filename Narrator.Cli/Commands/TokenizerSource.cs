using Narrator.Model;
using Narrator.Model.Text;

namespace Narrator.Cli.Commands;

/// <summary>Resolves a --tokenizer argument: a tokenizer.json, a model folder holding one, or the bundled tokenizer.</summary>
internal static class TokenizerSource
{
    public static QwenTokenizer Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return QwenTokenizer.Bundled;
        }
        if (Directory.Exists(path))
        {
            var file = Path.Combine(path, BundledTokenizer.TokenizerJsonFileName);
            if (!File.Exists(file))
            {
                throw new UserInputException($"The folder {path} has no {BundledTokenizer.TokenizerJsonFileName}.");
            }
            return QwenTokenizer.FromFile(file);
        }
        if (!File.Exists(path))
        {
            throw new UserInputException($"The tokenizer {path} does not exist.");
        }
        return QwenTokenizer.FromFile(path);
    }
}
