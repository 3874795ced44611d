using Narrator.Model.Exports;
using Narrator.Model.Generation;

namespace Narrator.Model.Segmentation;

/// <summary>
/// What a caller following a (possibly segmented) narration hears about, in order: per segment "started", its stages and
/// tokens, then "completed". The web queue turns these into events; the batch runner into its progress line.
/// </summary>
public interface INarrationProgress
{
    /// <summary>The video has been divided (once, before the first segment starts); a short clip is one whole segment.</summary>
    void OnSegmented(VideoSegmentation segmentation)
    {
    }

    /// <summary>Segment <c>segment.Index + 1</c> of <paramref name="count"/> is about to be prepared.</summary>
    void OnSegmentStarted(VideoSegment segment, int count)
    {
    }

    void OnStage(NarrationStage stage)
    {
    }

    void OnToken(string text)
    {
    }

    void OnSegmentCompleted(NarrationSegment segment, int count)
    {
    }
}
