namespace Narrator.Bench;

/// <summary>One benchmark program; run with <c>dotnet run -c Release --project Narrator.Bench -- NAME [args]</c>.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
