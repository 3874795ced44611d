using Narrator.Model.Media;

namespace Narrator.Model.Text;

/// <summary>A tokenized chat prompt and where its visual pad tokens sit.</summary>
public sealed record PromptTokens(int[] Ids, int VisualTokenCount, int VisualTokenStart, MediaKind? VisualKind)
{
    public int Length => Ids.Length;
}
