using System.Text.RegularExpressions;

namespace Narrator.Model.Media;

/// <summary>
/// Which of ffmpeg's demuxers may read a file a person gave us: single-file containers and images only. Playlists and
/// stream descriptions (hls, dash, concat, sdp, rtp...) open other files or the network, so ffmpeg refuses them
/// before reading anything past the first bytes (<c>-format_whitelist</c>), whatever the file is called.
/// </summary>
public static partial class MediaFormatPolicy
{
    /// <summary>The sentence every refusal of a playlist or stream description carries.</summary>
    public const string PlaylistRefusal = "playlists and stream descriptions are not accepted; upload the media file itself";

    /// <summary>
    /// The image-file demuxer reads numbered sequences and globs by name; it is allowed only pinned with
    /// <c>-pattern_type none</c> (one file, whatever its name), never chosen by a probe.
    /// </summary>
    public const string ImageFileDemuxer = "image2";

    /// <summary>Demuxers that read one self-contained file (mov's external references are off by default and stay off).</summary>
    public static readonly IReadOnlyList<string> SingleFileDemuxers =
    [
        "mov", "matroska", "webm", "avi", "flv", "mpegts", "mpeg", "asf", "ogg", "ivf", "yuv4mpegpipe", "nut",
        "h264", "hevc", "m4v", "mpegvideo", "mjpeg",
        "gif", "apng", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif_pipe", "ppm_pipe", "pgm_pipe",
        "pam_pipe", "qoi_pipe", "jpegls_pipe",
        // Audio-only files are refused later with their own sentence ("has only audio"), not as an unknown format.
        "mp3", "wav", "flac", "aac",
    ];

    private static readonly HashSet<string> Allowed = new(SingleFileDemuxers, StringComparer.Ordinal);

    /// <summary>The list a probe passes as <c>-format_whitelist</c> (the image-file demuxer is not on it).</summary>
    public static string ProbeWhitelist { get; } = string.Join(',', SingleFileDemuxers);

    /// <summary>The list a call with a pinned format passes (that format is on it).</summary>
    public static string PinnedWhitelist(string demuxer) => demuxer == ImageFileDemuxer ? ProbeWhitelist + "," + ImageFileDemuxer : ProbeWhitelist;

    /// <summary>
    /// The demuxer to pin with <c>-f</c> for a probed container name ("mov,mp4,m4a,3gp,3g2,mj2" is read by "mov"), or
    /// null when that container is not one a person's file may be read with.
    /// </summary>
    public static string? DemuxerFor(string container)
    {
        foreach (string name in container.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Allowed.Contains(name) || name == ImageFileDemuxer)
            {
                // ffmpeg registers a multi-name demuxer under its whole name but accepts any one of them with -f.
                return name;
            }
        }
        return null;
    }

    /// <summary>The demuxer every call after the probe pins for this file; a container not allowed (an old record) is refused.</summary>
    public static string PinnedDemuxer(MediaProbe probe) =>
        DemuxerFor(probe.Container) ?? throw new MediaFormatRefusedException(RefusalSentence("The file", probe.Container));

    /// <summary>Options a pinned demuxer always gets: the image-file demuxer reads exactly the named file.</summary>
    public static IReadOnlyList<string> PinnedOptions(string demuxer) =>
        demuxer == ImageFileDemuxer ? ["-pattern_type", "none"] : [];

    /// <summary>The demuxer ffmpeg detected and refused ("[hls @ 0x55...] Format not on whitelist ..."), or null.</summary>
    public static string? RefusedDemuxer(string ffmpegErrors) =>
        RefusedLine().Match(ffmpegErrors) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>One sentence for a file whose detected format is not allowed, naming what it was recognised as.</summary>
    public static string RefusalSentence(string fileName, string demuxer) => demuxer switch
    {
        "tty" => $"{fileName} is a text file, not a video or image file that ffmpeg can read.",
        "hls" => $"{fileName} is an HLS playlist (.m3u8): {PlaylistRefusal}.",
        "dash" or "webm_dash_manifest" => $"{fileName} is a DASH manifest (.mpd): {PlaylistRefusal}.",
        "concat" => $"{fileName} is an ffconcat list: {PlaylistRefusal}.",
        "sdp" or "rtp" or "rtsp" => $"{fileName} is an SDP/RTP stream description: {PlaylistRefusal}.",
        ImageFileDemuxer => $"{fileName} names an image sequence: {PlaylistRefusal}.",
        _ => $"{fileName} was recognised as '{demuxer}', which is not a single-file video or image format: {PlaylistRefusal}.",
    };

    /// <summary>
    /// The playlist kind ("hls", "dash", "concat", "sdp") a file's first bytes announce, or null. Only words the refusal;
    /// what ffmpeg may open is decided by the allow-lists, never by this.
    /// </summary>
    public static string? LooksLikePlaylist(string path)
    {
        string head;
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[1024];
            head = System.Text.Encoding.UTF8.GetString(buffer, 0, stream.Read(buffer)).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        }
        catch (IOException)
        {
            return null;
        }
        return head.StartsWith("#EXTM3U", StringComparison.Ordinal) ? "hls"
            : head.Contains("<MPD", StringComparison.Ordinal) ? "dash"
            : head.StartsWith("ffconcat version", StringComparison.Ordinal) ? "concat"
            : head.StartsWith("v=0", StringComparison.Ordinal) && head.Contains("\nm=", StringComparison.Ordinal) ? "sdp"
            : null;
    }

    [GeneratedRegex(@"^\[(\w+) @ [^\]]*\] Format not on whitelist", RegexOptions.Multiline)]
    private static partial Regex RefusedLine();
}

/// <summary>A file ffmpeg recognised as a playlist, stream description or other format that is not one single media file.</summary>
public sealed class MediaFormatRefusedException(string message) : MediaException(message);
