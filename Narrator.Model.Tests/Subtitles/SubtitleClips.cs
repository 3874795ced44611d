using System.Buffers.Binary;
using System.Text;
using Narrator.Model.Tests.Segmentation;

namespace Narrator.Model.Tests.Subtitles;

/// <summary>
/// Clips with dialogue, synthesised with ffmpeg once for the subtitle tests: a 4 s MP4 with a mov_text track (one cue
/// after the picture ends), the same picture without subtitles plus an external .srt, an MKV with a picture (PGS)
/// stream and two SubRip streams, and a 25 s MP4 whose cues fall before, across and after 10 s segment boundaries.
/// </summary>
public sealed class SubtitleClips : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"narrator-subtitles-{Guid.NewGuid():N}");

    /// <summary>4 s, mov_text: "Hello there" 0.5-1.5, "你好，朋友" 2-3, "After the end" 5-6 (the picture has ended).</summary>
    public string MovTextMp4 => In("movtext.mp4");

    /// <summary>4 s, no subtitle stream.</summary>
    public string PlainMp4 => In("plain.mp4");

    /// <summary>For <see cref="PlainMp4"/>: "From the file" 1-2 and "Too late" 9-10.</summary>
    public string ExternalSrt => In("external.srt");

    /// <summary>Stream 1 PGS (pictures), stream 2 SubRip eng "English line" (not default), stream 3 SubRip fra "Réplique française", titled "French", default.</summary>
    public string SeveralStreamsMkv => In("several.mkv");

    /// <summary>25 s, mov_text: "Opening line" 2-3, "Across the cut" 9.5-10.5, "Middle line" 15-16, "Closing line" 22-23.</summary>
    public string LongMp4 => In("long.mp4");

    public string In(string name) => Path.Combine(Folder, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        string shortSrt = In("short.srt");
        await File.WriteAllTextAsync(shortSrt, "1\n00:00:00,500 --> 00:00:01,500\nHello there\n\n2\n00:00:02,000 --> 00:00:03,000\n你好，朋友\n\n3\n00:00:05,000 --> 00:00:06,000\nAfter the end\n");
        await File.WriteAllTextAsync(ExternalSrt, "1\n00:00:01,000 --> 00:00:02,000\nFrom the file\n\n2\n00:00:09,000 --> 00:00:10,000\nToo late\n");
        string english = In("english.srt");
        await File.WriteAllTextAsync(english, "1\n00:00:01,000 --> 00:00:02,000\nEnglish line\n");
        string french = In("french.srt");
        await File.WriteAllTextAsync(french, "1\n00:00:01,000 --> 00:00:02,000\nRéplique française\n");
        string longSrt = In("long.srt");
        await File.WriteAllTextAsync(longSrt, "1\n00:00:02,000 --> 00:00:03,000\nOpening line\n\n2\n00:00:09,500 --> 00:00:10,500\nAcross the cut\n\n" +
            "3\n00:00:15,000 --> 00:00:16,000\nMiddle line\n\n4\n00:00:22,000 --> 00:00:23,000\nClosing line\n");
        string pgs = In("pictures.sup");
        await File.WriteAllBytesAsync(pgs, PgsDisplaySets([1.0, 2.0]));

        string[] video = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=4"];
        string[] x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
        await Ffmpeg([.. video, "-i", shortSrt, "-map", "0:v", "-map", "1:s", .. x264, "-c:s", "mov_text", MovTextMp4]);
        await Ffmpeg([.. video, .. x264, PlainMp4]);
        await Ffmpeg([.. video, "-i", pgs, "-i", english, "-i", french, "-map", "0:v", "-map", "1:s", "-map", "2:s", "-map", "3:s", .. x264,
            "-c:s:0", "copy", "-c:s:1", "srt", "-c:s:2", "srt",
            "-metadata:s:s:1", "language=eng", "-metadata:s:s:2", "language=fra", "-metadata:s:s:2", "title=French",
            "-disposition:s:0", "0", "-disposition:s:1", "0", "-disposition:s:2", "default", SeveralStreamsMkv]);
        await Ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=25", "-i", longSrt, "-map", "0:v", "-map", "1:s", .. x264,
            "-c:s", "mov_text", LongMp4]);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A minimal Blu-ray PGS stream (what ffmpeg's "sup" demuxer reads): per time one display set of a presentation
    /// composition segment and an end segment. It holds no picture, but a muxer copies it as a hdmv_pgs_subtitle stream.
    /// </summary>
    private static byte[] PgsDisplaySets(IReadOnlyList<double> seconds)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < seconds.Count; i++)
        {
            uint pts = (uint)(seconds[i] * 90000);
            byte[] composition = new byte[11];
            BinaryPrimitives.WriteUInt16BigEndian(composition.AsSpan(0), 64);
            BinaryPrimitives.WriteUInt16BigEndian(composition.AsSpan(2), 48);
            composition[4] = 0x10;
            BinaryPrimitives.WriteUInt16BigEndian(composition.AsSpan(5), (ushort)i);
            composition[7] = i == 0 ? (byte)0x80 : (byte)0;
            bytes.AddRange(Segment(pts, 0x16, composition));
            bytes.AddRange(Segment(pts, 0x80, []));
        }
        return [.. bytes];

        static byte[] Segment(uint pts, byte type, byte[] data)
        {
            byte[] segment = new byte[13 + data.Length];
            Encoding.ASCII.GetBytes("PG").CopyTo(segment, 0);
            BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(2), pts);
            segment[10] = type;
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(11), (ushort)data.Length);
            data.CopyTo(segment, 13);
            return segment;
        }
    }

    private static Task Ffmpeg(string[] arguments) => TestFfmpeg.RunAsync(arguments);
}

[CollectionDefinition(Name)]
public sealed class SubtitleClipsCollection : ICollectionFixture<SubtitleClips>
{
    public const string Name = "subtitle clips";
}
