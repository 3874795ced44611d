using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>
/// How each long upload divides into segments, worked out once per clip and set of segmentation options and kept as a
/// file beside the clip (so it goes when the clip expires). A long clip starts being split as soon as it is uploaded,
/// so by the time someone presses Describe the scene detection (one decode of the whole file) is usually done.
/// </summary>
public sealed class ClipSegmentations(VideoSegmenter segmenter, PreprocessingPool pool, IOptions<SegmentationOptions> defaults,
    ILogger<ClipSegmentations> logger, IOptions<UploadOptions>? uploads = null)
{
    private readonly long keyframesAbove = (uploads?.Value ?? new UploadOptions()).BackgroundDecodePixels;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Lock gate = new();
    private readonly Dictionary<string, Split> running = [];

    /// <summary>Starts splitting a newly accepted long clip with the server's options, in the background (after any waiting upload).</summary>
    public void StartSplitting(StoredClip clip)
    {
        if (!defaults.Value.IsLong(clip.Probe))
        {
            return;
        }
        GetAsync(clip.SourcePath, clip.Probe, defaults.Value, PreprocessingPriority.Background, CancellationToken.None, clip.Owner)
            .ContinueWith(t => logger.LogWarning(t.Exception, "Splitting clip {ClipId} ahead of time failed; it will be split when narrated", clip.Id),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>
    /// The clip's segments under <paramref name="options"/>: from the file beside it, or from a split already running (or
    /// waiting at a priority at least as high), or from a new split at <paramref name="priority"/> — so a narration never
    /// waits behind uploads for a background split that has not started.
    /// </summary>
    /// <param name="owner">Whose clip it is: a background split runs one per owner at a time.</param>
    public async Task<VideoSegmentation> GetAsync(string sourcePath, MediaProbe probe, SegmentationOptions options, PreprocessingPriority priority,
        CancellationToken cancellationToken, NarrationOwner? owner = null)
    {
        // Decided here, so the split made ahead of time and the one a narration asks for are the same file.
        if ((long)probe.Width * probe.Height * probe.FrameCount > keyframesAbove)
        {
            options = options with { KeyframesOnly = true };
        }
        string file = Path.Combine(Path.GetDirectoryName(sourcePath)!, $"segments-{Fingerprint(options)}.json");
        if (await TryReadAsync(file, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return known;
        }
        Split split;
        lock (gate)
        {
            if (!running.TryGetValue(file, out split!) || (!split.Started && split.Priority < priority))
            {
                split = new Split(priority);
                running[file] = split;
                split.Task = SplitAsync(sourcePath, probe, options, split, file, owner);
            }
        }
        // Every caller waits with its own token; none can cancel the split for the others.
        return await split.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<VideoSegmentation> SplitAsync(string sourcePath, MediaProbe probe, SegmentationOptions options, Split split, string file,
        NarrationOwner? owner)
    {
        try
        {
            return await pool.RunAsync(async ct =>
            {
                split.Started = true;
                // A split that waited may find that a more urgent one already wrote the answer.
                if (await TryReadAsync(file, ct).ConfigureAwait(false) is { } known)
                {
                    return known;
                }
                var segmentation = await segmenter.SegmentAsync(sourcePath, probe, options,
                    split.Priority == PreprocessingPriority.Background ? FfmpegPriority.Background : FfmpegPriority.Normal, ct).ConfigureAwait(false);
                if (Directory.Exists(Path.GetDirectoryName(file)))
                {
                    string temporary = $"{file}.{Guid.NewGuid():N}.tmp";
                    await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(segmentation, Json), CancellationToken.None).ConfigureAwait(false);
                    File.Move(temporary, file, overwrite: true);
                }
                return segmentation;
            }, split.Priority, CancellationToken.None, owner).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
            {
                if (running.TryGetValue(file, out var current) && current == split)
                {
                    running.Remove(file);
                }
            }
        }
    }

    /// <summary>One split of one file: how urgent it was asked for, and whether it has a pool slot yet.</summary>
    private sealed class Split(PreprocessingPriority priority)
    {
        public PreprocessingPriority Priority { get; } = priority;

        public volatile bool Started;

        public Task<VideoSegmentation> Task { get; set; } = null!;
    }

    private async Task<VideoSegmentation?> TryReadAsync(string file, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<VideoSegmentation>(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            logger.LogWarning(ex, "Ignoring an unreadable segmentation file {File}", Path.GetFileName(file));
            return null;
        }
    }

    /// <summary>A short stable name for a set of options (record value equality, written out as JSON).</summary>
    private static string Fingerprint(SegmentationOptions options) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(options, Json))))[..16];
}
