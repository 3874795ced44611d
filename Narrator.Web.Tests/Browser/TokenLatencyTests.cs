namespace Narrator.Web.Tests.Browser;

public class TokenLatencyTests
{
    [Fact]
    public void EachTokenIsMatchedToTheFirstDomChangeShowingIt()
    {
        TextMark[] generated = [new(1000, 2), new(1010, 4), new(1020, 7)];
        // The page rendered the first two tokens together, then the third.
        TextMark[] shown = [new(1015, 4), new(1050, 7)];

        IReadOnlyList<double> latencies = TokenLatency.Match(generated, shown);

        Assert.Equal([15, 5, 30], latencies);
    }

    [Fact]
    public void TokensNeverShownAreLeftOut()
    {
        IReadOnlyList<double> latencies = TokenLatency.Match([new(0, 3), new(5, 9)], [new(8, 3)]);

        Assert.Equal([8], latencies);
    }

    [Fact]
    public void PercentilesUseNearestRank()
    {
        double[] values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];

        Assert.Equal(5, TokenLatency.Percentile(values, 50));
        Assert.Equal(10, TokenLatency.Percentile(values, 95));
        Assert.Equal(1, TokenLatency.Percentile(values, 0));
    }
}
