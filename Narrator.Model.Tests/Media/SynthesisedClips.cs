using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>
/// Small clips and stills made with ffmpeg's lavfi sources in a temp folder, once per test run. In every clip frame n is
/// a solid grey of level 20 + 8n (RGB), a step wide enough to survive lossy codecs, so a decoded frame says which source frame it is.
/// </summary>
public sealed class SynthesisedClips : IAsyncLifetime
{
    public const int Frames = 30;
    public const int Fps = 25;

    private static readonly string Duration = (Frames / (double)Fps).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "narrator-media-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string H264Mp4 => In("h264.mp4");
    public string Mpeg2Ps => In("mpeg2.mpg");
    public string MjpegAvi => In("mjpeg.avi");
    public string Vp9Webm => In("vp9.webm");
    public string OddSizeMp4 => In("odd-333x199.mp4");
    public string RotatedMp4 => In("rotated-90.mp4");
    public string CutShortMp4 => In("cut-short-faststart.mp4");
    public string HeaderOnlyMp4 => In("header-only.mp4");
    public string TruncatedAvi => In("truncated.avi");
    public string AlphaPng => In("alpha.png");
    public string Jpeg => In("still.jpg");
    public string WebP => In("still.webp");
    public string Bmp => In("still.bmp");
    public string EmptyMp4 => In("empty.mp4");
    public string RandomBytesMp4 => In("random.mp4");
    public string TruncatedMp4 => In("truncated.mp4");
    public string TextFile => In("notes.txt");
    public string AudioOnly => In("audio-only.m4a");
    public string OneByThreeHundredPng => In("1x300.png");

    public static FfmpegTools Tools => FfmpegTools.Default;

    public string In(string name) => Path.Combine(Folder, name);

    /// <summary>The source frame a decoded solid-grey frame came from.</summary>
    public static int FrameNumberOf(ReadOnlySpan<byte> rgb24)
    {
        long sum = 0;
        foreach (var b in rgb24)
        {
            sum += b;
        }
        var mean = sum / (double)rgb24.Length;
        return (int)Math.Round((mean - 20) / 8);
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        var grey = $"color=black:s={{0}}:r={Fps}:d={Duration},format=rgb24,geq=r='20+N*8':g='20+N*8':b='20+N*8'";
        string Source(string size) => string.Format(System.Globalization.CultureInfo.InvariantCulture, grey, size);

        await Ffmpeg("-f", "lavfi", "-i", Source("320x240"), "-c:v", "libx264", "-pix_fmt", "yuv420p", H264Mp4);
        await Ffmpeg("-f", "lavfi", "-i", Source("320x240"), "-c:v", "mpeg2video", "-q:v", "2", Mpeg2Ps);
        await Ffmpeg("-f", "lavfi", "-i", Source("320x240"), "-c:v", "mjpeg", "-q:v", "2", MjpegAvi);
        await Ffmpeg("-f", "lavfi", "-i", Source("320x240"), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-crf", "20", "-b:v", "0", Vp9Webm);
        await Ffmpeg("-f", "lavfi", "-i", Source("333x199"), "-c:v", "libx264", "-pix_fmt", "yuv444p", OddSizeMp4);

        // Phone-style: stored landscape, grey (frame number) in the top half, black below, and a 90 degree display matrix.
        var stored = In("rotated-stored.mp4");
        await Ffmpeg("-f", "lavfi", "-i",
            $"color=black:s=320x240:r={Fps}:d={Duration},format=rgb24,geq=r='if(lt(Y,H/2),20+N*8,0)':g='if(lt(Y,H/2),20+N*8,0)':b='if(lt(Y,H/2),20+N*8,0)'",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", stored);
        await Ffmpeg("-i", stored, "-c", "copy", "-metadata:s:v:0", "rotate=90", RotatedMp4);

        // Header says 30 frames (index up front), but the file stops part way: fewer frames decode than planned.
        // Noise in the bottom half makes the frames big, so the cut lands in the frame data, not the header.
        const string topGreyBottomNoise = "if(lt(Y,H/2),20+N*8,255*random(1))";
        var faststart = In("faststart.mp4");
        await Ffmpeg("-f", "lavfi", "-i",
            $"color=black:s=320x240:r={Fps}:d={Duration},format=rgb24,geq=r='{topGreyBottomNoise}':g='{topGreyBottomNoise}':b='{topGreyBottomNoise}'",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "5", "-movflags", "+faststart", faststart);
        var whole = await File.ReadAllBytesAsync(faststart);
        await File.WriteAllBytesAsync(CutShortMp4, whole[..(int)(whole.Length * 0.55)]);

        // A complete index up front but no picture data after it: probes fine, decodes nothing.
        await File.WriteAllBytesAsync(HeaderOnlyMp4, whole[..(MdatOffset(whole) + 16)]);

        await Ffmpeg("-f", "lavfi", "-i", "color=c=red@0.5:s=64x48,format=rgba", "-frames:v", "1", AlphaPng);
        await Ffmpeg("-f", "lavfi", "-i", "color=c=0x808080:s=100x75,format=rgb24", "-frames:v", "1", Jpeg);
        await Ffmpeg("-f", "lavfi", "-i", "color=c=0x808080:s=100x75,format=rgb24", "-frames:v", "1", WebP);
        await Ffmpeg("-f", "lavfi", "-i", "color=c=0x808080:s=100x75,format=rgb24", "-frames:v", "1", Bmp);
        await Ffmpeg("-f", "lavfi", "-i", "color=c=red:s=2x300,format=rgb24,crop=1:300:0:0", "-frames:v", "1", OneByThreeHundredPng);
        await Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", AudioOnly);

        await File.WriteAllBytesAsync(EmptyMp4, []);
        var noise = new byte[64 * 1024];
        new Random(42).NextBytes(noise);
        await File.WriteAllBytesAsync(RandomBytesMp4, noise);
        var h264 = await File.ReadAllBytesAsync(H264Mp4);
        await File.WriteAllBytesAsync(TruncatedMp4, h264[..(h264.Length / 2)]);
        var avi = await File.ReadAllBytesAsync(MjpegAvi);
        await File.WriteAllBytesAsync(TruncatedAvi, avi[..(avi.Length / 2)]);
        await File.WriteAllTextAsync(TextFile, "These are notes about a film, not a film.\nSecond line.\n");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        return Task.CompletedTask;
    }

    /// <summary>Offset of the top-level 'mdat' box in an MP4 (boxes are a 32-bit big-endian size then a 4-letter type).</summary>
    private static int MdatOffset(byte[] mp4)
    {
        var offset = 0;
        while (offset + 8 <= mp4.Length)
        {
            var size = (mp4[offset] << 24) | (mp4[offset + 1] << 16) | (mp4[offset + 2] << 8) | mp4[offset + 3];
            if (System.Text.Encoding.ASCII.GetString(mp4, offset + 4, 4) == "mdat")
            {
                return offset;
            }
            offset += size;
        }
        throw new InvalidOperationException("no mdat box");
    }

    private static Task Ffmpeg(params string[] arguments) => TestFfmpeg.RunAsync(arguments);
}

[CollectionDefinition(Name)]
public sealed class SynthesisedClipsCollection : ICollectionFixture<SynthesisedClips>
{
    public const string Name = "synthesised clips";
}
