using Narrator.Model.Media;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>Prepares a queued request's clip (frames + patches) on the bounded CPU pool, reusing the probe taken at upload.</summary>
public sealed class ClipPreparer(ClipStore clips, MediaPreparer preparer, PreprocessingPool pool) : IClipPreparer
{
    public Task<PreparedMedia> PrepareAsync(NarrationWork work, CancellationToken cancellationToken)
    {
        var clip = clips.Find(work.ClipId)
            ?? throw new MediaException("The clip has expired and was deleted; please upload it again.");
        return pool.RunAsync(ct => preparer.PrepareAsync(clip.SourcePath, clip.Probe, work.Frames, ct), PreprocessingPriority.ModelQueue, cancellationToken);
    }
}
