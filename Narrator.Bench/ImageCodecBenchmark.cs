using System.Diagnostics;
using System.Globalization;
using Narrator.Model.Media;
using Narrator.Model.Vision;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace Narrator.Bench;

/// <summary>
/// Issue 13: SkiaSharp against SixLabors.ImageSharp on the image work Narrator does. The OpenAI-compatible engine
/// encodes every planned frame as JPEG in parallel (96 frames of 784x420 RGB24, quality 90); the upload path writes
/// 320-wide thumbnails (quality 85); a 4096x4096 still is decoded, resized to its planned size and encoded. Runs are
/// interleaved so machine load hits both alike; CPU time is reported next to wall time because the box is shared.
/// </summary>
internal sealed class ImageCodecBenchmark : IBenchmark
{
    private const int FrameCount = 96;
    private const int FrameWidth = 784;
    private const int FrameHeight = 420;
    private const int StillSide = 4096;

    public string Name => "imagecodec";

    public string Description => "SkiaSharp vs ImageSharp: 96-frame JPEG encode, thumbnails, a 4096x4096 still [--runs N] [clip]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int runs = 7;
        string? clip = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: clip = args[i]; break;
            }
        }
        clip ??= Path.GetFullPath(Path.Combine("..", "shared", "clips", "Megamind.avi"));
        string ffmpeg = FfmpegTools.Default.FfmpegPath;
        byte[] frames = await FramesAsync(ffmpeg, clip, cancellationToken);
        byte[] still = await StillAsync(ffmpeg, clip, cancellationToken);
        var (stillHeight, stillWidth) = SmartResize.Compute(StillSide, StillSide, FramePlanner.ImageMinPixels, FramePlanner.ImageMaxPixels);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average before: {BenchProcess.LoadAverage()}");
        Console.WriteLine($"source: {(File.Exists(clip) ? Path.GetFileName(clip) : "ffmpeg testsrc2 (no clip at " + clip + ")")}; still: {StillSide}x{StillSide} JPEG of {still.Length / 1024} KiB -> {stillWidth}x{stillHeight}");
        Console.WriteLine();

        var workloads = new (string Name, Func<IImageCodec, long> Run)[]
        {
            ($"{FrameCount} frames {FrameWidth}x{FrameHeight} -> JPEG q90, Parallel.For (OpenAI engine)",
                codec => EncodeAllFrames(codec, frames, parallel: true, quality: 90, maxWidth: null)),
            ($"{FrameCount} thumbnails 320 wide, JPEG q85, one by one (upload)",
                codec => EncodeAllFrames(codec, frames, parallel: false, quality: 85, maxWidth: 320)),
            ($"still {StillSide}x{StillSide} JPEG -> decode, resize to {stillWidth}x{stillHeight}, JPEG q90",
                codec => codec.DecodeResizeEncodeJpeg(still, stillWidth, stillHeight, 90).Length),
        };
        IImageCodec[] codecs = [new SkiaCodec(), new ImageSharpCodec()];

        Console.WriteLine("| work | SkiaSharp 3.119.4 wall / CPU | ImageSharp 2.1.13 wall / CPU | ImageSharp / Skia (wall) | output bytes Skia / ImageSharp |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, run) in workloads)
        {
            var costs = codecs.ToDictionary(codec => codec.Name, _ => new List<Cost>());
            var bytes = new Dictionary<string, long>();
            foreach (var codec in codecs)
            {
                bytes[codec.Name] = run(codec); // warm-up: JIT, pools, native library load
            }
            for (int i = 0; i < runs; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Alternate which library goes first so a burst of load from a neighbour does not always hit the same one.
                foreach (var codec in i % 2 == 0 ? codecs : codecs.Reverse())
                {
                    costs[codec.Name].Add(Measure(() => run(codec)));
                }
                Console.Error.WriteLine($"{name} run {i + 1}: " + string.Join(", ", codecs.Select(c => $"{c.Name} {costs[c.Name][^1]}")));
            }
            Cost skia = Median(costs["SkiaSharp"]), sharp = Median(costs["ImageSharp"]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {skia} | {sharp} | {sharp.Wall / skia.Wall:0.00}x | {bytes["SkiaSharp"]:N0} / {bytes["ImageSharp"]:N0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("JPEG quality at the same setting (PSNR of frame 48 against its RGB24 source, both decoded by ImageSharp):");
        foreach (var codec in codecs)
        {
            byte[] jpeg = codec.EncodeJpeg(Frame(frames, 48), FrameWidth, FrameHeight, 90, maxWidth: null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {codec.Name}: q90 {Psnr(Frame(frames, 48), jpeg):0.00} dB, {jpeg.Length:N0} bytes"));
        }
        Console.WriteLine();
        Console.WriteLine($"medians of {runs} interleaved runs after one warm-up each; wall / CPU in ms (CPU = this process); load average after: {BenchProcess.LoadAverage()}");
        return 0;
    }

    private static long EncodeAllFrames(IImageCodec codec, byte[] frames, bool parallel, int quality, int? maxWidth)
    {
        var sizes = new long[FrameCount];
        if (parallel)
        {
            Parallel.For(0, FrameCount, i => sizes[i] = codec.EncodeJpeg(Frame(frames, i), FrameWidth, FrameHeight, quality, maxWidth).Length);
        }
        else
        {
            for (int i = 0; i < FrameCount; i++)
            {
                sizes[i] = codec.EncodeJpeg(Frame(frames, i), FrameWidth, FrameHeight, quality, maxWidth).Length;
            }
        }
        return sizes.Sum();
    }

    private static ReadOnlySpan<byte> Frame(byte[] frames, int i) => frames.AsSpan(i * FrameWidth * FrameHeight * 3, FrameWidth * FrameHeight * 3);

    private static double Psnr(ReadOnlySpan<byte> source, byte[] jpeg)
    {
        using var decoded = SixLabors.ImageSharp.Image.Load<Rgb24>(jpeg);
        var pixels = new byte[source.Length];
        decoded.CopyPixelDataTo(pixels);
        double squared = 0;
        for (int i = 0; i < source.Length; i++)
        {
            double d = source[i] - pixels[i];
            squared += d * d;
        }
        return 10 * Math.Log10(255.0 * 255.0 / (squared / source.Length));
    }

    /// <summary>96 consecutive-ish frames of the clip at 784x420 RGB24, as ffmpeg hands them to the app.</summary>
    private static async Task<byte[]> FramesAsync(string ffmpeg, string clip, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetTempPath(), "narrator-bench", $"{SourceName(clip)}-frames-{FrameCount}x{FrameWidth}x{FrameHeight}.rgb");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await BenchProcess.RunFfmpegAsync(ffmpeg, [
                "-nostdin", "-loglevel", "error", "-y", .. Input(clip), "-vf", $"select='not(mod(n\\,2))',scale={FrameWidth}:{FrameHeight}:flags=bicubic",
                "-frames:v", FrameCount.ToString(CultureInfo.InvariantCulture), "-f", "rawvideo", "-pix_fmt", "rgb24", path,
            ], cancellationToken);
        }
        byte[] frames = await File.ReadAllBytesAsync(path, cancellationToken);
        if (frames.Length != FrameCount * FrameWidth * FrameHeight * 3)
        {
            File.Delete(path);
            throw new InvalidOperationException($"{clip} gave {frames.Length} bytes, not {FrameCount} frames of {FrameWidth}x{FrameHeight}: use a longer clip.");
        }
        return frames;
    }

    /// <summary>A 4096x4096 photo-like JPEG: a frame of the clip upscaled, with film-grain noise so it is not unnaturally smooth.</summary>
    private static async Task<byte[]> StillAsync(string ffmpeg, string clip, CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetTempPath(), "narrator-bench", $"{SourceName(clip)}-still-{StillSide}.jpg");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await BenchProcess.RunFfmpegAsync(ffmpeg, [
                "-nostdin", "-loglevel", "error", "-y", .. Input(clip),
                "-vf", $"select='eq(n\\,100)',scale={StillSide}:{StillSide}:flags=bicubic,noise=alls=12:allf=t,format=yuvj420p",
                "-frames:v", "1", "-q:v", "2", path,
            ], cancellationToken);
        }
        return await File.ReadAllBytesAsync(path, cancellationToken);
    }

    private static string SourceName(string clip) => File.Exists(clip) ? Path.GetFileNameWithoutExtension(clip) : "testsrc2";

    private static string[] Input(string clip) => File.Exists(clip)
        ? ["-i", clip]
        : ["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=24:d=10"];

    private static Cost Measure(Func<long> action)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        action();
        double wall = stopwatch.Elapsed.TotalMilliseconds;
        process.Refresh();
        return new Cost(wall, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
    }

    private static Cost Median(List<Cost> values) =>
        new(BenchProcess.Median(values.Select(v => v.Wall)), BenchProcess.Median(values.Select(v => v.Cpu)));

    private readonly record struct Cost(double Wall, double Cpu)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Wall:0} / {Cpu:0} ms");
    }

    private interface IImageCodec
    {
        string Name { get; }

        byte[] EncodeJpeg(ReadOnlySpan<byte> rgb24, int width, int height, int quality, int? maxWidth);

        byte[] DecodeResizeEncodeJpeg(byte[] jpeg, int width, int height, int quality);
    }

    /// <summary>The baseline, kept here only: what FrameImageEncoder did with SkiaSharp until issue 13 (RGBA copy, Mitchell cubic resize, Skia's JPEG encoder at 4:2:0).</summary>
    private sealed class SkiaCodec : IImageCodec
    {
        public string Name => "SkiaSharp";

        public byte[] EncodeJpeg(ReadOnlySpan<byte> rgb24, int width, int height, int quality, int? maxWidth)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var pixels = bitmap.GetPixelSpan();
            for (int source = 0, target = 0; source < rgb24.Length; source += 3, target += 4)
            {
                pixels[target] = rgb24[source];
                pixels[target + 1] = rgb24[source + 1];
                pixels[target + 2] = rgb24[source + 2];
                pixels[target + 3] = 255;
            }
            if (maxWidth is { } limit && limit < width)
            {
                int resizedHeight = Math.Max(1, (int)Math.Round(height * (double)limit / width));
                using var resized = bitmap.Resize(new SKImageInfo(limit, resizedHeight, SKColorType.Rgba8888, SKAlphaType.Opaque),
                    new SKSamplingOptions(SKCubicResampler.Mitchell));
                return Encode(resized, quality);
            }
            return Encode(bitmap, quality);
        }

        public byte[] DecodeResizeEncodeJpeg(byte[] jpeg, int width, int height, int quality)
        {
            using var decoded = SKBitmap.Decode(jpeg);
            using var resized = decoded.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque),
                new SKSamplingOptions(SKCubicResampler.Mitchell));
            return Encode(resized, quality);
        }

        private static byte[] Encode(SKBitmap bitmap, int quality)
        {
            using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
            return data.ToArray();
        }
    }

    /// <summary>What ships: <see cref="FrameImageEncoder"/> (ImageSharp: RGB24 straight in, Mitchell-Netravali resize, JPEG at 4:2:0).</summary>
    private sealed class ImageSharpCodec : IImageCodec
    {
        public string Name => "ImageSharp";

        public byte[] EncodeJpeg(ReadOnlySpan<byte> rgb24, int width, int height, int quality, int? maxWidth) =>
            FrameImageEncoder.Encode(rgb24, width, height, FrameImageFormat.Jpeg, quality, maxWidth);

        /// <remarks>The decoded pixels are copied out once more than Skia's path needs, so this slightly favours Skia.</remarks>
        public byte[] DecodeResizeEncodeJpeg(byte[] jpeg, int width, int height, int quality)
        {
            using var image = SixLabors.ImageSharp.Image.Load<Rgb24>(jpeg);
            var rgb24 = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(rgb24);
            return FrameImageEncoder.Encode(rgb24, image.Width, image.Height, FrameImageFormat.Jpeg, quality, maxWidth: width);
        }
    }
}
