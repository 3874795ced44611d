using System.Diagnostics;

namespace Narrator.Bench;

/// <summary>
/// Copies one large buffer into another on every core (each thread its own slice), counting the bytes read and written
/// as STREAM Copy does; a decode step reads as many bytes of weights over the same threads.
/// </summary>
internal sealed class CopyBandwidth
{
    private readonly byte[] _source;
    private readonly byte[] _target;

    public CopyBandwidth(int mebibytes)
    {
        int bytes = checked(mebibytes << 20);
        _source = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        _target = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        _source.AsSpan().Fill(1);
        _target.AsSpan().Clear();
    }

    /// <summary>Bytes per second of one copy.</summary>
    public double Measure()
    {
        int threads = Environment.ProcessorCount, bytes = _source.Length, slice = bytes / threads;
        long start = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int offset = t * slice, length = t == threads - 1 ? bytes - offset : slice;
            _source.AsSpan(offset, length).CopyTo(_target.AsSpan(offset, length));
        });
        return 2.0 * bytes / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
