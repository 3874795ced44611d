using Narrator.Model.Batch;

namespace Narrator.Model.Tests.Batch;

public class BatchEtaTests
{
    [Fact]
    public void There_is_no_estimate_before_the_first_file_finishes()
    {
        Assert.Null(new BatchEta(10).Remaining());
    }

    [Fact]
    public void The_estimate_is_the_mean_file_time_times_the_files_left()
    {
        var eta = new BatchEta(5);
        eta.ItemFinished(10);
        eta.ItemFinished(20);

        Assert.Equal(TimeSpan.FromSeconds(45), eta.Remaining());
    }

    [Fact]
    public void Finished_segments_of_the_current_file_shorten_the_estimate()
    {
        var eta = new BatchEta(3);
        eta.ItemFinished(30);

        Assert.Equal(TimeSpan.FromSeconds(45), eta.Remaining(currentFraction: 0.5));
    }

    [Fact]
    public void Nothing_is_left_once_every_file_finished()
    {
        var eta = new BatchEta(1);
        eta.ItemFinished(5);

        Assert.Equal(TimeSpan.Zero, eta.Remaining());
    }
}
