namespace Narrator.Web.Services.Clips;

/// <summary>Where ffmpeg and ffprobe are, under <c>Narrator:Ffmpeg</c>.</summary>
public sealed class FfmpegOptions
{
    public const string Section = "Narrator:Ffmpeg";

    /// <summary>The folder holding both programs; empty looks in <c>NARRATOR_FFMPEG_DIR</c>, then on the PATH.</summary>
    public string? Folder { get; set; }
}
