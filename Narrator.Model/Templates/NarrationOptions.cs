using Narrator.Model.Generation;
using Narrator.Model.Media;

namespace Narrator.Model.Templates;

/// <summary>The complete, validated settings of one narration: how to sample frames and how to generate.</summary>
public sealed record NarrationOptions(FrameOptions Frames, GenerationOptions Generation);
