namespace Narrator.Web.Tests.Browser;

/// <summary>When the text reached a given length: on the server as a token left the generator, or in the page's DOM.</summary>
public readonly record struct TextMark(double UnixMilliseconds, int Length);

/// <summary>
/// Pairs each token leaving the generator with the first DOM change that shows it (the first observation whose text is at
/// least as long), giving token-to-screen latencies. Both clocks are the machine's wall clock (server and browser share it).
/// </summary>
public static class TokenLatency
{
    public static IReadOnlyList<double> Match(IReadOnlyList<TextMark> generated, IReadOnlyList<TextMark> shown)
    {
        var latencies = new List<double>(generated.Count);
        int next = 0;
        foreach (TextMark token in generated)
        {
            while (next < shown.Count && shown[next].Length < token.Length)
            {
                next++;
            }
            if (next == shown.Count)
            {
                break;
            }
            latencies.Add(shown[next].UnixMilliseconds - token.UnixMilliseconds);
        }
        return latencies;
    }

    /// <summary>Nearest-rank percentile (p in 0..100) of <paramref name="values"/>.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("No values to take a percentile of.", nameof(values));
        }
        double[] sorted = [.. values.Order()];
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
