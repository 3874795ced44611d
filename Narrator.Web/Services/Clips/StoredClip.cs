using Narrator.Model.Media;
using Narrator.Model.Subtitles;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>What the store knows about one accepted clip: its files on disk, its probe and the frame plan last shown.</summary>
public sealed record StoredClip
{
    public required string Id { get; init; }

    /// <summary>
    /// The visitor who uploaded it: only they may re-plan or delete it, and it counts against their storage quota;
    /// empty for clips stored before owners were kept.
    /// </summary>
    public NarrationOwner Owner { get; init; }

    /// <summary>The visitor's file name, for display only.</summary>
    public required string Label { get; init; }

    /// <summary>The uploaded bytes, as received, under a fixed name with no extension (the visitor's name is never used on disk).</summary>
    public required string SourcePath { get; init; }

    public required MediaProbe Probe { get; init; }

    /// <summary>The frame options the current thumbnails were made with.</summary>
    public required FrameOptions FrameOptions { get; init; }

    public required FramePlan Plan { get; init; }

    /// <summary>Time in the clip of each thumbnail, in plan order.</summary>
    public required double[] FrameTimestamps { get; init; }

    /// <summary>Source frame index of each thumbnail when they are keyframe stand-ins (not the plan's); null means the plan's.</summary>
    public int[]? FrameIndices { get; init; }

    /// <summary>
    /// False while the thumbnails are keyframes near the planned times (a clip too large to decode while the visitor
    /// waits); the exact frames are being made in the background.
    /// </summary>
    public bool FramesExact { get; init; } = true;

    /// <summary>Bumped on every re-plan so frame URLs change and browsers do not show stale thumbnails.</summary>
    public int FramesVersion { get; init; }

    /// <summary>A sentence for the visitor when fewer frames decoded than planned (a damaged or cut-short file); null when all did.</summary>
    public string? DecodeWarning { get; init; }

    /// <summary>The file the browser plays: the original when it can, else an H.264 MP4 / JPEG made by ffmpeg in the background.</summary>
    public required string PreviewPath { get; init; }

    public required string PreviewContentType { get; init; }

    /// <summary>Whether <see cref="PreviewPath"/> exists yet: a transcode runs in the background after the upload is accepted.</summary>
    public PreviewState PreviewState { get; init; } = PreviewState.Ready;

    /// <summary>Why the preview could not be made (when <see cref="PreviewState"/> is Failed).</summary>
    public string? PreviewError { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The subtitle streams ffprobe found at upload (text ones can go into the prompt); empty for a still.</summary>
    public IReadOnlyList<SubtitleStream> SubtitleStreams { get; init; } = [];

    public string Folder => Path.GetDirectoryName(SourcePath)!;
}

/// <summary>Where a clip's browser preview stands.</summary>
public enum PreviewState
{
    Ready,

    /// <summary>Still being made in the background; the clip can already be narrated.</summary>
    Making,

    /// <summary>Could not be made; the clip can still be narrated.</summary>
    Failed,
}
