using Microsoft.Extensions.Options;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>Who is waiting for a preprocessing slot; the model's queue goes first so the model never waits behind uploads.</summary>
public enum PreprocessingPriority
{
    /// <summary>
    /// Heavy work nobody waits for yet (a browser preview transcode, exact frames of a very large clip, splitting a long
    /// upload ahead of time): its own slots, one job per visitor at a time, ffmpeg at the lowest CPU priority.
    /// </summary>
    Background,

    /// <summary>Probing, first thumbnails and re-plans of an upload; slots shared in turn between visitors.</summary>
    Upload,

    /// <summary>Frames and patches for a request near the head of the model queue.</summary>
    ModelQueue,
}

/// <summary>
/// The bounded CPU pool for ffmpeg work. Quick work (probing and thumbnails of uploads, frames for the model queue)
/// has <c>Narrator:Queue:PreprocessingConcurrency</c> slots: a free slot goes to the model queue first, then to uploads,
/// one visitor after another in turn, so a visitor with many uploads cannot keep another waiting. Heavy work has
/// <c>Narrator:Uploads:BackgroundConcurrency</c> slots of its own, at most one job per visitor at a time, so it never
/// takes a slot an upload is waiting for.
/// </summary>
public sealed class PreprocessingPool(IOptions<QueueOptions> options, IOptions<UploadOptions>? uploadOptions = null)
{
    private readonly Lock gate = new();
    private readonly LinkedList<Waiter> modelQueue = new();
    // Uploads wait in one line per visitor; the lines take turns.
    private readonly LinkedList<OwnerLine> uploadTurns = new();
    private readonly Dictionary<string, OwnerLine> uploadLines = new(StringComparer.Ordinal);
    private readonly LinkedList<Waiter> background = new();
    private readonly HashSet<string> backgroundOwnersRunning = new(StringComparer.Ordinal);
    private int free = options.Value.EffectivePreprocessingConcurrency;
    private int backgroundFree = (uploadOptions?.Value ?? new UploadOptions()).EffectiveBackgroundConcurrency;

    public int Concurrency { get; } = options.Value.EffectivePreprocessingConcurrency;

    public int BackgroundConcurrency { get; } = (uploadOptions?.Value ?? new UploadOptions()).EffectiveBackgroundConcurrency;

    /// <summary>Runs <paramref name="work"/> on a thread-pool thread once a slot is free.</summary>
    /// <param name="owner">Whose work it is: uploads take turns by owner and background work runs one per owner; null is nobody's in particular.</param>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, PreprocessingPriority priority, CancellationToken cancellationToken,
        NarrationOwner? owner = null)
    {
        string key = owner?.Value ?? "anonymous:" + Guid.NewGuid().ToString("N");
        await AcquireAsync(priority, key, cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => work(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Release(priority, key);
        }
    }

    private Task AcquireAsync(PreprocessingPriority priority, string owner, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new Waiter(owner);
        lock (gate)
        {
            if (priority == PreprocessingPriority.Background)
            {
                if (backgroundFree > 0 && !backgroundOwnersRunning.Contains(owner))
                {
                    backgroundFree--;
                    backgroundOwnersRunning.Add(owner);
                    return Task.CompletedTask;
                }
                waiter.Node = background.AddLast(waiter);
            }
            else if (free > 0)
            {
                free--;
                return Task.CompletedTask;
            }
            else if (priority == PreprocessingPriority.ModelQueue)
            {
                waiter.Node = modelQueue.AddLast(waiter);
            }
            else
            {
                if (!uploadLines.TryGetValue(owner, out var line))
                {
                    line = new OwnerLine(owner);
                    uploadLines[owner] = line;
                    line.Turn = uploadTurns.AddLast(line);
                }
                waiter.Node = line.Waiters.AddLast(waiter);
            }
        }
        var registration = cancellationToken.Register(() =>
        {
            lock (gate)
            {
                // Still waiting: leave the line. Already granted: the slot is ours and is released by RunAsync.
                if (waiter.Node?.List is { } list)
                {
                    list.Remove(waiter.Node);
                    DropEmptyLine(owner);
                    waiter.Completion.TrySetCanceled(cancellationToken);
                }
            }
        });
        return waiter.Completion.Task.ContinueWith(t =>
        {
            registration.Dispose();
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    private void Release(PreprocessingPriority priority, string owner)
    {
        Waiter? next;
        lock (gate)
        {
            if (priority == PreprocessingPriority.Background)
            {
                backgroundOwnersRunning.Remove(owner);
                next = background.FirstOrDefault(w => !backgroundOwnersRunning.Contains(w.Owner));
                if (next is null)
                {
                    backgroundFree++;
                    return;
                }
                background.Remove(next.Node!);
                backgroundOwnersRunning.Add(next.Owner);
            }
            else if (modelQueue.First is { } model)
            {
                next = model.Value;
                modelQueue.RemoveFirst();
            }
            else if (uploadTurns.First is { } turn)
            {
                var line = turn.Value;
                next = line.Waiters.First!.Value;
                line.Waiters.RemoveFirst();
                uploadTurns.RemoveFirst();
                if (line.Waiters.Count > 0)
                {
                    line.Turn = uploadTurns.AddLast(line);
                }
                else
                {
                    uploadLines.Remove(line.Owner);
                }
            }
            else
            {
                free++;
                return;
            }
        }
        next.Completion.TrySetResult();
    }

    private void DropEmptyLine(string owner)
    {
        if (uploadLines.TryGetValue(owner, out var line) && line.Waiters.Count == 0)
        {
            uploadTurns.Remove(line.Turn!);
            uploadLines.Remove(owner);
        }
    }

    private sealed class Waiter(string owner)
    {
        public string Owner { get; } = owner;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>One visitor's waiting uploads and its place in the turn order.</summary>
    private sealed class OwnerLine(string owner)
    {
        public string Owner { get; } = owner;

        public LinkedList<Waiter> Waiters { get; } = new();

        public LinkedListNode<OwnerLine>? Turn { get; set; }
    }
}

/// <summary>Media work for narrations the model is about to run (a long video's scene detection and segment frames).</summary>
public sealed class ModelQueueMediaWork(PreprocessingPool pool) : Narrator.Model.Media.IMediaWorkRunner
{
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        pool.RunAsync(work, PreprocessingPriority.ModelQueue, cancellationToken);
}
