using Microsoft.Extensions.Options;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>
/// The bounded CPU pool for ffmpeg work (probing, frame extraction, patching, previews): at most
/// <c>Narrator:Queue:PreprocessingConcurrency</c> jobs at once, so a burst of uploads cannot starve the model or the server.
/// </summary>
public sealed class PreprocessingPool(IOptions<QueueOptions> options) : IDisposable
{
    private readonly SemaphoreSlim slots = new(options.Value.EffectivePreprocessingConcurrency);

    public int Concurrency { get; } = options.Value.EffectivePreprocessingConcurrency;

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => work(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    public void Dispose() => slots.Dispose();
}
