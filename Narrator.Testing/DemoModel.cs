using System.Text.Json.Nodes;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Onnx;

namespace Narrator.Testing;

/// <summary>
/// The demo model package (a random checkpoint converted by the app's own writer) as the tests use it: written to a
/// temp folder this object deletes, optionally with a shorter context so a request can ask for more than the model holds.
/// </summary>
public sealed class DemoModel : IDisposable
{
    /// <summary>The seed the tests' demo model is written with: every run sees the same weights.</summary>
    public const int Seed = 7;

    private DemoModel(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Writes the demo package (seed <see cref="Seed"/>, fp32) to a new temp folder.</summary>
    public static async Task<DemoModel> WriteAsync(int? contextTokens = null, CancellationToken cancellationToken = default)
    {
        var model = new DemoModel(Path.Combine(Path.GetTempPath(), "narrator-demo-model-" + Guid.NewGuid().ToString("N")));
        try
        {
            await WriteAsync(model.Directory, Seed, contextTokens: contextTokens, cancellationToken: cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Writes (replaces) the demo package in <paramref name="directory"/>, its context cut to <paramref name="contextTokens"/> when given.</summary>
    public static async Task WriteAsync(string directory, int seed, TextPrecision precision = TextPrecision.Fp32, int? contextTokens = null,
        CancellationToken cancellationToken = default)
    {
        await new DemoModelWriter().WriteAsync(directory, seed, precision, cancellationToken);
        if (contextTokens is { } tokens)
        {
            string configPath = Path.Combine(directory, GenAiConfig.FileName);
            var config = JsonNode.Parse(await File.ReadAllTextAsync(configPath, cancellationToken))!;
            config["model"]!["context_length"] = tokens;
            await File.WriteAllTextAsync(configPath, config.ToJsonString(), cancellationToken);
        }
    }

    /// <summary>
    /// Asks <paramref name="generator"/> for up to <paramref name="maxNewTokens"/> tokens of a text-only request and counts
    /// them: what an ownership test uses to see whether a generator still works or was disposed (it throws then).
    /// </summary>
    public static async Task<int> CountTokensAsync(NarrationGenerator generator, int maxNewTokens, PreparedMedia? media = null)
    {
        int tokens = 0;
        await foreach (var update in generator.GenerateAsync("Describe this clip.", media, new GenerationOptions { MaxNewTokens = maxNewTokens }))
        {
            tokens += update.Kind == GenerationUpdateKind.Token ? 1 : 0;
        }
        return tokens;
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
