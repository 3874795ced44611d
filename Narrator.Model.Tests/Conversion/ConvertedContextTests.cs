using System.Text.Json.Nodes;
using Narrator.Model.Conversion;
using Narrator.Model.Onnx;

namespace Narrator.Model.Tests.Conversion;

/// <summary>What genai_config.json says about context and attention after <c>narrator convert</c>.</summary>
public sealed class ConvertedContextTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("narrator-converted-context-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Context_is_the_trained_32k_span_not_max_position_embeddings_and_attention_stays_full()
    {
        // The published checkpoints say max_position_embeddings 128000 beside sliding_window 32768 and use_sliding_window false.
        string checkpoint = HfTiny.CopyCheckpoint(Path.Combine(_root, "checkpoint"));
        string configPath = Path.Combine(checkpoint, "config.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(configPath))!;
        json["max_position_embeddings"] = 128000;
        await File.WriteAllTextAsync(configPath, json.ToJsonString());

        string output = Path.Combine(_root, "package");
        await new CheckpointConverter().ConvertAsync(checkpoint, output, new ConversionOptions());

        string genaiPath = Path.Combine(output, GenAiConfig.FileName);
        var config = GenAiConfig.Parse(await File.ReadAllTextAsync(genaiPath), genaiPath);
        Assert.Equal(32768, config.Model.ContextLength);
        Assert.Null(config.Model.Decoder.SlidingWindow);
        Assert.True(config.Search.PastPresentShareBuffer);
        using var package = ModelPackage.Open(output, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        Assert.Equal("32,768 tokens", package.Context.Describe());
    }
}
