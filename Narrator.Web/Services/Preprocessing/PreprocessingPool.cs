using Microsoft.Extensions.Options;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>Who is waiting for a preprocessing slot; the model's queue goes first so the model never waits behind uploads.</summary>
public enum PreprocessingPriority
{
    /// <summary>Work nobody waits for yet (splitting a long upload ahead of time); runs only when nothing else is waiting.</summary>
    Background,

    /// <summary>Probing, thumbnails and previews of a new upload.</summary>
    Upload,

    /// <summary>Frames and patches for a request near the head of the model queue.</summary>
    ModelQueue,
}

/// <summary>
/// The bounded CPU pool for ffmpeg work (probing, frame extraction, patching, previews): at most
/// <c>Narrator:Queue:PreprocessingConcurrency</c> jobs at once, so a burst of uploads cannot starve the server; a free
/// slot goes to work for the model queue first, then to uploads, then to background work.
/// </summary>
public sealed class PreprocessingPool(IOptions<QueueOptions> options)
{
    private readonly Lock gate = new();
    private readonly LinkedList<TaskCompletionSource> modelQueue = new();
    private readonly LinkedList<TaskCompletionSource> uploads = new();
    private readonly LinkedList<TaskCompletionSource> background = new();
    private int free = options.Value.EffectivePreprocessingConcurrency;

    public int Concurrency { get; } = options.Value.EffectivePreprocessingConcurrency;

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, PreprocessingPriority priority, CancellationToken cancellationToken)
    {
        await AcquireAsync(priority, cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => work(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    private Task AcquireAsync(PreprocessingPriority priority, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (gate)
        {
            if (free > 0)
            {
                free--;
                return Task.CompletedTask;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var line = priority switch
            {
                PreprocessingPriority.ModelQueue => modelQueue,
                PreprocessingPriority.Upload => uploads,
                _ => background,
            };
            node = line.AddLast(waiter);
        }
        var registration = cancellationToken.Register(() =>
        {
            lock (gate)
            {
                // Still waiting: leave the line. Already granted: the slot is ours and is released by RunAsync.
                if (node.List is not null)
                {
                    node.List.Remove(node);
                    waiter.TrySetCanceled(cancellationToken);
                }
            }
        });
        return waiter.Task.ContinueWith(t =>
        {
            registration.Dispose();
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    private void Release()
    {
        TaskCompletionSource? next;
        lock (gate)
        {
            var line = modelQueue.First is not null ? modelQueue : uploads.First is not null ? uploads : background;
            next = line.First?.Value;
            if (next is null)
            {
                free++;
                return;
            }
            line.RemoveFirst();
        }
        next.TrySetResult();
    }
}

/// <summary>Media work for narrations the model is about to run (a long video's scene detection and segment frames).</summary>
public sealed class ModelQueueMediaWork(PreprocessingPool pool) : Narrator.Model.Media.IMediaWorkRunner
{
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        pool.RunAsync(work, PreprocessingPriority.ModelQueue, cancellationToken);
}
