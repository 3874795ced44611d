using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

public class ReadProgressStreamTests
{
    [Fact]
    public async Task ReportsCumulativeBytesAndPassesTheDataThrough()
    {
        byte[] data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var reports = new List<long>();
        await using var stream = new ReadProgressStream(new MemoryStream(data), reports.Add);
        var copy = new MemoryStream();

        await stream.CopyToAsync(copy, 4096);

        Assert.Equal(data, copy.ToArray());
        Assert.Equal(10_000, reports[^1]);
        Assert.Equal(reports.OrderBy(x => x), reports);
        Assert.True(reports.Count >= 3);
    }

    [Fact]
    public void RefusesToSeekOrWrite()
    {
        using var stream = new ReadProgressStream(new MemoryStream(new byte[4]), _ => { });

        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1], 0, 1));
    }
}
