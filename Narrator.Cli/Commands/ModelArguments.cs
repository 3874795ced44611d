using System.CommandLine;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Text;

namespace Narrator.Cli.Commands;

/// <summary>Which model package and execution provider a narrating command opens (the tiny demo package by default).</summary>
internal sealed class ModelArguments
{
    public Option<string?> Model { get; } = new("--model")
    {
        HelpName = "DIR",
        Description = "Model package folder (onnxruntime-genai qwen2_5_vl layout). Default: the random-weight demo model, written and converted into a cache folder on first use.",
    };

    public Option<string> Provider { get; } = new("--provider")
    {
        Description = "Execution provider: auto (CUDA if available, else CPU), cuda, or cpu.",
        DefaultValueFactory = _ => "auto",
    };

    public ModelArguments() => Provider.AcceptOnlyFromAmong("auto", "cuda", "cpu");

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Provider);
    }

    /// <summary>The tokenizer prompts are counted with, without loading the model: the --model folder's tokenizer.json, else the bundled Qwen one.</summary>
    public QwenTokenizer Tokenizer(ParseResult parseResult)
    {
        string? directory = parseResult.GetValue(Model);
        string? path = directory is null ? null : Path.Combine(directory, BundledTokenizer.TokenizerJsonFileName);
        return path is not null && File.Exists(path) ? QwenTokenizer.FromFile(path) : QwenTokenizer.Bundled;
    }

    /// <summary>Opens the generator, saying on stderr which model runs where (and that the demo model's text is meaningless).</summary>
    public async Task<NarrationGenerator> OpenAsync(ParseResult parseResult, TextWriter stderr, CancellationToken cancellationToken)
    {
        string? directory = parseResult.GetValue(Model);
        if (directory is null)
        {
            const int seed = 0;
            directory = DemoModelWriter.DefaultCacheDirectory(seed);
            bool wrote = await new DemoModelWriter().WriteIfMissingAsync(directory, seed, cancellationToken);
            await stderr.WriteLineAsync(
                $"no --model given: using the random-weight demo model {(wrote ? "just written to" : "cached at")} {directory}; its narration is meaningless (see docs/MODEL.md for a real one).");
        }
        var provider = new ExecutionProviderOptions
        {
            Provider = Enum.Parse<ExecutionProviderKind>(parseResult.GetValue(Provider)!, ignoreCase: true),
        };
        var generator = NarrationGenerator.Open(directory, provider);
        var info = generator.EngineInfo;
        await stderr.WriteLineAsync($"model: {info.ModelName} ({directory}) on {info.ExecutionProvider}: {info.ProviderReason}");
        return generator;
    }
}
