using Narrator.Model.Media;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Clips;

/// <summary>What the store knows about one accepted clip: its files on disk, its probe and the frame plan last shown.</summary>
public sealed record StoredClip
{
    public required string Id { get; init; }

    /// <summary>The visitor's file name, for display only.</summary>
    public required string Label { get; init; }

    /// <summary>The visitor who uploaded it (only they may re-plan or delete it); empty for clips stored before owners were kept.</summary>
    public NarrationOwner Owner { get; init; }

    /// <summary>The uploaded bytes, as received.</summary>
    public required string SourcePath { get; init; }

    public required MediaProbe Probe { get; init; }

    /// <summary>The frame options the current thumbnails were made with.</summary>
    public required FrameOptions FrameOptions { get; init; }

    public required FramePlan Plan { get; init; }

    /// <summary>Time in the clip of each thumbnail, in plan order.</summary>
    public required double[] FrameTimestamps { get; init; }

    /// <summary>Bumped on every re-plan so frame URLs change and browsers do not show stale thumbnails.</summary>
    public int FramesVersion { get; init; }

    /// <summary>The file the browser plays: the original when it can, else an H.264 MP4 / WebM made by ffmpeg.</summary>
    public required string PreviewPath { get; init; }

    public required string PreviewContentType { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public string Folder => Path.GetDirectoryName(SourcePath)!;
}
