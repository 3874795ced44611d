namespace Narrator.Model.Batch;

/// <summary>
/// Remaining-time estimate for a batch: the mean time of the files finished in this run times the files left, less the
/// share of the current file already done (its finished segments). Null until one file has finished.
/// </summary>
public sealed class BatchEta(int toRun)
{
    private double finishedSeconds;
    private int finished;

    public void ItemFinished(double seconds)
    {
        finishedSeconds += seconds;
        finished++;
    }

    /// <param name="currentFraction">How much of the current file is done (0-1), e.g. finished segments over segments.</param>
    public TimeSpan? Remaining(double currentFraction = 0)
    {
        if (finished == 0)
        {
            return null;
        }
        double mean = finishedSeconds / finished;
        double left = Math.Max(0, toRun - finished - Math.Clamp(currentFraction, 0, 1));
        return TimeSpan.FromSeconds(mean * left);
    }
}
