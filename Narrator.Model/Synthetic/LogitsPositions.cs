namespace Narrator.Model.Synthetic;

/// <summary>Which sequence positions the tiny decoder's <c>logits</c> output covers.</summary>
public enum LogitsPositions
{
    /// <summary><c>[batch, 1, vocab]</c> for any input length: the LM head runs on the last position only, so prefill stays cheap.</summary>
    LastOnly,

    /// <summary><c>[batch, sequence, vocab]</c>, as onnxruntime-genai exports the real decoder.</summary>
    Every,
}
