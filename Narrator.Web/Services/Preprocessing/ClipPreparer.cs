using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>
/// Prepares a queued request's clip (frames + patches) on the bounded CPU pool, reusing the probe taken at upload and, when
/// the same clip was just prepared with the same frame settings, that preparation (<see cref="PreparedMediaCache"/>).
/// </summary>
public sealed class ClipPreparer(ClipStore clips, MediaPreparer preparer, PreprocessingPool pool, IOptions<QueueOptions> options) : IClipPreparer
{
    private readonly PreparedMediaCache cache = new(options.Value.PreparedCacheBytes);

    /// <summary>Preparations served from memory since start (for tests and the log).</summary>
    public int Reused => Volatile.Read(ref reused);

    private int reused;

    public async Task<PreparedMedia> PrepareAsync(NarrationWork work, CancellationToken cancellationToken)
    {
        var clip = clips.Find(work.ClipId)
            ?? throw new MediaException("The clip has expired and was deleted; please upload it again.");
        var key = new PreparedMediaCache.Key(clip.Id, clip.SourcePath, work.Options.Frames);
        if (cache.TryGet(key, out var cached))
        {
            Interlocked.Increment(ref reused);
            return cached;
        }
        // The plan made at admission is a function of this probe and these frame settings, so it is the one to decode.
        var media = await pool.RunAsync(ct => work.Plan is { } plan
                ? preparer.PrepareAsync(clip.SourcePath, clip.Probe, plan, ct)
                : preparer.PrepareAsync(clip.SourcePath, clip.Probe, work.Options.Frames, ct), PreprocessingPriority.ModelQueue, cancellationToken)
            .ConfigureAwait(false);
        cache.Add(key, media);
        return media;
    }
}
