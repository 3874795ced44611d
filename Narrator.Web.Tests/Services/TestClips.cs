namespace Narrator.Web.Tests.Services;

/// <summary>Clips synthesised with ffmpeg's lavfi sources at test time (small and quick), cached for the test run.</summary>
internal static class TestClips
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "narrator-test-clips-" + Environment.ProcessId);
    private static readonly SemaphoreSlim Gate = new(1, 1);

    static TestClips() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    };

    /// <summary>An H.264 MP4 (moov at the end, as ffmpeg writes it by default) of a moving test pattern.</summary>
    public static Task<string> Mp4Async(double seconds = 2, int width = 64, int height = 48) =>
        MakeAsync($"clip-{seconds}-{width}x{height}.mp4",
            ["-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=10:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
             "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]);

    /// <summary>An MPEG-4 Part 2 AVI, which browsers cannot play.</summary>
    public static Task<string> AviAsync() =>
        MakeAsync("clip.avi", ["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=2", "-c:v", "mpeg4"]);

    /// <summary>
    /// A 75-second H.264 MP4 of three distinct shots — a test pattern (0-25 s), colour bars (25-55 s), plain red (55-75 s) —
    /// so a long-video split has known scene cuts at 25 and 55 s.
    /// </summary>
    public static Task<string> ThreeShotsMp4Async() =>
        MakeAsync("three-shots.mp4",
            ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=25",
             "-f", "lavfi", "-i", "smptebars=size=64x48:rate=10:duration=30",
             "-f", "lavfi", "-i", "color=c=red:size=64x48:rate=10:duration=20",
             "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]);

    /// <summary>The dialogue of <see cref="MovTextMp4Async"/>: two cues inside its 4 s and one after its picture ends.</summary>
    public const string ShortDialogue =
        "1\n00:00:00,500 --> 00:00:01,500\nHello there\n\n2\n00:00:02,000 --> 00:00:03,000\n你好，朋友\n\n3\n00:00:05,000 --> 00:00:06,000\nAfter the end\n";

    /// <summary>A 4 s H.264 MP4 with <see cref="ShortDialogue"/> as a mov_text stream (stream 1).</summary>
    public static async Task<string> MovTextMp4Async()
    {
        string srt = await WriteAsync("dialogue.srt", ShortDialogue);
        return await MakeAsync("movtext.mp4",
            ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=4", "-i", srt, "-map", "0:v", "-map", "1:s",
             "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:s", "mov_text"]);
    }

    /// <summary>A 4 s MKV with a picture (PGS) subtitle stream 1 and a SubRip stream 2 ("English line", eng).</summary>
    public static async Task<string> PicturesMkvAsync()
    {
        string srt = await WriteAsync("english.srt", "1\n00:00:01,000 --> 00:00:02,000\nEnglish line\n");
        string sup = Path.Combine(AppContext.BaseDirectory, "TestData", "subtitles", "pictures.sup");
        return await MakeAsync("pictures.mkv",
            ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=4", "-i", sup, "-i", srt, "-map", "0:v", "-map", "1:s", "-map", "2:s",
             "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:s:0", "copy", "-c:s:1", "srt", "-metadata:s:s:1", "language=eng"]);
    }

    /// <summary>The 2-second MP4's stream in an MPEG-TS file: what an HLS playlist's segment is.</summary>
    public static async Task<string> TsAsync()
    {
        string mp4 = await Mp4Async();
        return await MakeAsync("segment.ts", ["-i", mp4, "-c", "copy", "-f", "mpegts"]);
    }

    /// <summary>
    /// A clip heavy for its size: 1024x1024 at 60 fps for 120 s (5 s encoded once, then looped by stream copy), so
    /// thumbnails, a split and a preview of it cost far more than a small clip's while the upload stays small.
    /// </summary>
    public static async Task<string> HeavyMp4Async()
    {
        string chunk = await MakeAsync("heavy-chunk.mp4",
            ["-f", "lavfi", "-i", "testsrc=size=1024x1024:rate=60:duration=5", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "35"]);
        return await MakeAsync("heavy.mp4", ["-stream_loop", "23", "-i", chunk, "-c", "copy"]);
    }

    /// <summary>A PNG still.</summary>
    public static Task<string> PngAsync() =>
        MakeAsync("still.png", ["-f", "lavfi", "-i", "testsrc=size=96x64", "-frames:v", "1"]);

    public static async Task<byte[]> TruncatedMp4Async()
    {
        var bytes = await File.ReadAllBytesAsync(await Mp4Async());
        return bytes[..(bytes.Length / 2)];
    }

    /// <summary>
    /// A 4 s, 200-frame MPEG-4 AVI whose middle (a fifth in to a quarter from the end) is zeroed: the header and index still
    /// claim 200 frames, but decoding stops early, as with a damaged download.
    /// </summary>
    public static async Task<string> DamagedAviAsync()
    {
        string whole = await MakeAsync("whole.avi", ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=50:duration=4", "-c:v", "mpeg4", "-g", "10"]);
        string damaged = Path.Combine(Folder, "damaged.avi");
        byte[] bytes = await File.ReadAllBytesAsync(whole);
        Array.Clear(bytes, bytes.Length / 5, bytes.Length - bytes.Length / 4 - bytes.Length / 5);
        await File.WriteAllBytesAsync(damaged, bytes);
        return damaged;
    }

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    private static async Task<string> WriteAsync(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        await Gate.WaitAsync();
        try
        {
            Directory.CreateDirectory(Folder);
            if (!File.Exists(path))
            {
                await File.WriteAllTextAsync(path, text);
            }
            return path;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> MakeAsync(string name, string[] arguments)
    {
        string path = Path.Combine(Folder, name);
        await Gate.WaitAsync();
        try
        {
            if (File.Exists(path))
            {
                return path;
            }
            Directory.CreateDirectory(Folder);
            await TestFfmpeg.RunAsync([.. arguments, path]);
            return path;
        }
        finally
        {
            Gate.Release();
        }
    }
}
