using Microsoft.Extensions.Options;

namespace Narrator.Web.Services.Clips;

/// <summary>Deletes expired clips (and their frames and previews) every <c>Narrator:Uploads:SweepIntervalSeconds</c>.</summary>
public sealed class ClipExpiry(ClipStore clips, IOptions<UploadOptions> options, TimeProvider time, ILogger<ClipExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    clips.DeleteExpired();
                }
                catch (IOException ex)
                {
                    logger.LogWarning(ex, "Sweeping expired clips failed; retrying next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
