using Narrator.Model.Media;
using Narrator.Model.Text;

namespace Narrator.Model.Generation;

/// <summary>Settings of the in-process engine that are not per request (those are <see cref="GenerationOptions"/>).</summary>
public sealed record NarrationEngineOptions
{
    /// <summary>Prompt tokens per decoder run during prefill; bounds the [chunk, vocab] logits held at once.</summary>
    public int PrefillChunkSize { get; init; } = ModelSequence.DefaultPrefillChunkSize;

    /// <summary>Frame sampling used when the engine prepares a clip itself (a DataContent or file URI message).</summary>
    public FrameOptions Frames { get; init; } = new();

    public string SystemPrompt { get; init; } = ChatPrompt.DefaultSystemPrompt;
}
