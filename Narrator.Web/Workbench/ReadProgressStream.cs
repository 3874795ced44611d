namespace Narrator.Web.Workbench;

/// <summary>A read-only pass-through stream that reports how many bytes have been read, for the upload progress bar.</summary>
public sealed class ReadProgressStream(Stream inner, Action<long> onProgress) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException("An upload is read once, front to back.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Report(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Report(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("An upload is read once, front to back.");

    public override void SetLength(long value) => throw new NotSupportedException("An upload stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("An upload stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private int Report(int count)
    {
        if (count > 0)
        {
            _read += count;
            onProgress(_read);
        }
        return count;
    }
}
