namespace Narrator.Model.Media;

/// <summary>
/// Where CPU-heavy media work (scene detection, frame decoding, patching) runs: a server puts it on its bounded
/// preprocessing pool so a long video cannot starve uploads; the CLI runs it directly.
/// </summary>
public interface IMediaWorkRunner
{
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken);
}

/// <summary>Runs media work on the caller's own thread-pool task, unbounded.</summary>
public sealed class DirectMediaWorkRunner : IMediaWorkRunner
{
    public static readonly DirectMediaWorkRunner Instance = new();

    public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        Task.Run(() => work(cancellationToken), cancellationToken);
}
