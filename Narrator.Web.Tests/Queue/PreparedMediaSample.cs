using Narrator.Model.Media;
using Narrator.Model.Vision;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

/// <summary>Model input for queue tests: a 2-frame 28x28 clip's worth of tensors, without ffmpeg.</summary>
internal sealed class PreparedMediaSample : IClipPreparer
{
    private int prepared;

    public int Prepared => Volatile.Read(ref prepared);

    /// <summary>When set, preparation waits for it (to test the "preparing frames" stage and cancellation while preparing).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public async Task<PreparedMedia> PrepareAsync(NarrationWork work, CancellationToken cancellationToken)
    {
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        Interlocked.Increment(ref prepared);
        return Create();
    }

    public static PreparedMedia Create()
    {
        var grid = new GridThw(1, 2, 2);
        var probe = new MediaProbe
        {
            Kind = MediaKind.Video, Container = "mov,mp4", VideoCodec = "h264", Width = 28, Height = 28,
            AverageFps = 2, DurationSeconds = 1, FrameCount = 2,
        };
        var plan = new FramePlan
        {
            Kind = MediaKind.Video, NFrames = 2, Indices = [0, 1], SampleFps = 2, SecondPerGridT = 1,
            ResizedWidth = 28, ResizedHeight = 28, Grid = grid,
        };
        return new PreparedMedia
        {
            Probe = probe,
            Plan = plan,
            Frames = new DecodedFrames { Rgb24 = new byte[2 * 28 * 28 * 3], Count = 2, Width = 28, Height = 28, Indices = [0, 1], TimestampsSeconds = [0, 0.5] },
            PixelValues = new float[grid.PatchCount * 1176],
            Grid = grid,
        };
    }
}
