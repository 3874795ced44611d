using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Narrator.Model;
using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Subtitles;

/// <summary>
/// The dialogue of uploaded clips: the subtitle streams found at upload (listed by <see cref="ClipStore"/>), a visitor's
/// own .srt/.vtt attached to a clip (read in C#, kept beside the clip as JSON so it expires with it), and the lines of a
/// text stream, read once on the preprocessing pool and then kept in memory while the clip lives.
/// </summary>
public sealed class ClipSubtitles(ClipStore clips, SubtitleStreamReader reader, PreprocessingPool pool, ILogger<ClipSubtitles> logger)
{
    /// <summary>Folder inside a clip's folder; ClipStore never names an upload like this.</summary>
    public const string FolderName = "subtitles";

    private const string AttachedFile = "attached.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<(string ClipId, int Stream), Lazy<Task<SubtitleTrack>>> extracted = new();
    private readonly ConcurrentDictionary<string, SubtitleTrack> attached = new(StringComparer.Ordinal);

    /// <summary>What a clip offers: its streams (usable or not, with the reason) and the attached file, if any.</summary>
    public ClipSubtitlesInfo Describe(StoredClip clip) => new(clip.SubtitleStreams, Attached(clip) is { } file ? new AttachedSubtitles(file.Source, file.Lines.Count) : null);

    /// <summary>
    /// Reads and attaches <paramref name="owner"/>'s subtitle file to their clip, replacing an earlier one. Refused with a
    /// sentence (and nothing stored) when the clip is another visitor's (<see cref="NotYoursException"/>), the file is too
    /// large, not text or holds no cues (<see cref="UserInputException"/>), or the owner's storage quota or the disk is
    /// full (<see cref="ClipRejectedException"/>); the clip itself is never affected.
    /// </summary>
    public async Task<ClipSubtitlesInfo> AttachAsync(string clipId, NarrationOwner owner, Stream content, string? fileName,
        CancellationToken cancellationToken)
    {
        var clip = OwnClip(clipId, owner, "attach subtitles to it");
        string name = Label(fileName);
        var track = await SubtitleFileReader.ReadAsync(content, name, cancellationToken).ConfigureAwait(false);
        // Stored in the clip's folder, so it counts against the owner's quota and expires with the clip.
        await clips.WriteClipFileAsync(clip, Path.Combine(FolderName, AttachedFile), JsonSerializer.SerializeToUtf8Bytes(track, Json),
            cancellationToken).ConfigureAwait(false);
        attached[clip.Id] = track;
        logger.LogInformation("Clip {ClipId}: subtitle file {Name} attached ({Lines} lines)", clip.Id, name, track.Lines.Count);
        return Describe(clip);
    }

    /// <summary>Reads subtitles given inline (the text of an .srt/.vtt in a request) without attaching them.</summary>
    public static SubtitleTrack ReadInline(string text) => SubtitleFileReader.Read(Encoding.UTF8.GetBytes(text), "the request's subtitles");

    /// <summary>True when the text of a request's <c>subtitles</c> field is a subtitle file rather than a choice.</summary>
    public static bool IsInline(string? text) => text is not null && text.Contains("-->", StringComparison.Ordinal);

    /// <summary>Removes the attached file from <paramref name="owner"/>'s clip; false when there was none (<see cref="NotYoursException"/> for another visitor's clip).</summary>
    public bool Detach(string clipId, NarrationOwner owner)
    {
        var clip = OwnClip(clipId, owner, "remove its subtitles");
        bool had = attached.TryRemove(clip.Id, out _);
        string path = Path.Combine(clip.Folder, FolderName, AttachedFile);
        if (File.Exists(path))
        {
            File.Delete(path);
            had = true;
        }
        return had;
    }

    /// <summary>
    /// The track <paramref name="selection"/> picks for <paramref name="clip"/> (null for "off", or "auto" with nothing
    /// usable). A still has no dialogue. Throws a <see cref="UserInputException"/> for a stream that is missing or unusable.
    /// </summary>
    public async Task<SubtitleTrack?> ResolveAsync(StoredClip clip, SubtitleSelection selection, CancellationToken cancellationToken)
    {
        if (clip.Probe.Kind != MediaKind.Video)
        {
            return selection.Kind is SubtitleSelectionKind.Stream or SubtitleSelectionKind.File
                ? throw new UserInputException("A still has no dialogue; subtitles apply to videos only.")
                : null;
        }
        return await SubtitleResolver.ResolveAsync(selection, Attached(clip), clip.SubtitleStreams,
            (stream, ct) => ExtractAsync(clip, stream, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the clip offers and the lines inside it that <paramref name="selection"/> puts into the prompt.</summary>
    public async Task<ClipSubtitlesView> ViewAsync(StoredClip clip, SubtitleSelection selection, CancellationToken cancellationToken)
    {
        var track = await ResolveAsync(clip, selection, cancellationToken).ConfigureAwait(false);
        var info = Describe(clip);
        return new ClipSubtitlesView(info.Streams, info.File, selection.ToString(), track?.Source,
            track?.Within(0, clip.Probe.DurationSeconds) ?? [], track?.Warnings ?? []);
    }

    /// <summary>Reads the stream "auto" would use in the background after an upload, so the page and the narration find it ready.</summary>
    public void StartReading(StoredClip clip)
    {
        if (clip.Probe.Kind == MediaKind.Video && SubtitleSelection.AutoStream(clip.SubtitleStreams) is { } stream)
        {
            _ = ExtractAsync(clip, stream, CancellationToken.None).ContinueWith(
                task => logger.LogWarning("Clip {ClipId}: {Stream} could not be read: {Error}", clip.Id, stream.Label, task.Exception?.InnerException?.Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>One read per stream while the clip lives; a failed read is forgotten so asking again retries it.</summary>
    private async Task<SubtitleTrack> ExtractAsync(StoredClip clip, SubtitleStream stream, CancellationToken cancellationToken)
    {
        ForgetGoneClips();
        var key = (clip.Id, stream.Index);
        var lazy = extracted.GetOrAdd(key, _ => new Lazy<Task<SubtitleTrack>>(() => pool.RunAsync(
            ct => reader.ExtractAsync(clip.SourcePath, clip.Probe, stream, ct), PreprocessingPriority.Upload, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || lazy.Value.IsCompleted)
        {
            extracted.TryRemove(new KeyValuePair<(string, int), Lazy<Task<SubtitleTrack>>>(key, lazy));
            throw;
        }
    }

    /// <summary>The clip, when it exists and <paramref name="owner"/> uploaded it; changing its dialogue is the uploader's alone.</summary>
    private StoredClip OwnClip(string clipId, NarrationOwner owner, string what)
    {
        var clip = clips.Find(clipId) ?? throw new ClipNotFoundException(clipId);
        return clip.Owner == owner
            ? clip
            : throw new NotYoursException($"Clip \"{clip.Id}\" was uploaded by another visitor; only they can {what}.");
    }

    private SubtitleTrack? Attached(StoredClip clip)
    {
        if (attached.TryGetValue(clip.Id, out var track))
        {
            return track;
        }
        string path = Path.Combine(clip.Folder, FolderName, AttachedFile);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            track = JsonSerializer.Deserialize<SubtitleTrack>(File.ReadAllText(path), Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            logger.LogWarning("Clip {ClipId}: the attached subtitles could not be read back and are ignored: {Error}", clip.Id, ex.Message);
            return null;
        }
        return track is null ? null : attached.GetOrAdd(clip.Id, track);
    }

    /// <summary>Drops what is kept for clips that have expired or been deleted.</summary>
    private void ForgetGoneClips()
    {
        foreach (var key in extracted.Keys)
        {
            if (clips.Find(key.ClipId) is null)
            {
                extracted.TryRemove(key, out _);
            }
        }
        foreach (var clipId in attached.Keys)
        {
            if (clips.Find(clipId) is null)
            {
                attached.TryRemove(clipId, out _);
            }
        }
    }

    private static string Label(string? fileName)
    {
        string name = Path.GetFileName(fileName?.Trim() ?? "");
        name = new string([.. name.Where(c => !char.IsControl(c))]);
        return name.Length is 0 or > 255 ? "subtitles" : name;
    }
}

/// <summary>A clip's subtitle offer: its own streams and the visitor's attached file.</summary>
public sealed record ClipSubtitlesInfo(IReadOnlyList<SubtitleStream> Streams, AttachedSubtitles? File);

/// <summary>The visitor's attached subtitle file: its name and how many lines it holds.</summary>
public sealed record AttachedSubtitles(string Name, int Lines);

/// <summary>
/// Answer of <c>GET /api/clips/{id}/subtitles</c>: the clip's streams and attached file, the choice asked about, where its
/// lines come from (null when none) and the lines inside the clip, times in seconds from its start.
/// </summary>
public sealed record ClipSubtitlesView(
    IReadOnlyList<SubtitleStream> Streams,
    AttachedSubtitles? File,
    string Selection,
    string? Source,
    IReadOnlyList<SubtitleLine> Lines,
    IReadOnlyList<string> Warnings);
