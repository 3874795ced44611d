using Narrator.Model.Exports;
using Narrator.Model.Generation;

namespace Narrator.Model.Translation;

/// <summary>What a caller following a translation hears, in order: per segment "started", stages and tokens, then "completed".</summary>
public interface ITranslationProgress
{
    void OnSegmentStarted(NarrationSegment source, int count)
    {
    }

    void OnStage(NarrationStage stage)
    {
    }

    void OnToken(string text)
    {
    }

    /// <summary>The segment in the target language (or with the reason it was not translated).</summary>
    void OnSegmentCompleted(NarrationSegment translated, int count)
    {
    }
}
