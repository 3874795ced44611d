using System.Globalization;

namespace Narrator.LoadTest;

/// <summary>
/// <c>dotnet run -c Release --project Narrator.LoadTest -- [clients=50] [maxNewTokens=32] [queueCapacity=32] [perOwnerLimit=2] [--burst] [--json FILE]</c>,
/// or <c>-- long CLIP [runs=3] [maxNewTokens=16] [pauseSeconds=0]</c> for one long video through the server (<see cref="LongVideoRun"/>),
/// or <c>-- fairness [HEAVY_CLIP] [runs=5]</c> for a small upload beside another visitor's heaviest legal one (<see cref="FairnessRun"/>).
/// The "clients" verb is the child process a run starts; it is not meant to be called by hand.
/// </summary>
internal static class LoadTestProgram
{
    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        if (args.Length > 0 && args[0] == "clients")
        {
            return await LoadClients.RunAsync(new Uri(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture), args[3],
                int.Parse(args[4], CultureInfo.InvariantCulture), args[5] == "burst", args[6], cts.Token);
        }
        if (args.Length > 0 && args[0] == "fairness")
        {
            return await FairnessRun.RunAsync(args.Length > 1 ? args[1] : null, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5, cts.Token);
        }
        if (args.Length > 1 && args[0] == "long")
        {
            return await LongVideoRun.RunAsync(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3,
                args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 16,
                args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0, cts.Token);
        }
        bool burst = args.Contains("--burst");
        args = [.. args.Where(a => a != "--burst")];
        int jsonAt = Array.IndexOf(args, "--json");
        string? json = jsonAt >= 0 && jsonAt + 1 < args.Length ? args[jsonAt + 1] : null;
        var numbers = args.Where((_, i) => jsonAt < 0 || (i != jsonAt && i != jsonAt + 1)).ToArray();
        int Arg(int index, int fallback) => numbers.Length > index ? int.Parse(numbers[index], CultureInfo.InvariantCulture) : fallback;
        return await LoadRun.RunAsync(clients: Arg(0, 50), maxNewTokens: Arg(1, 32), capacity: Arg(2, 32), perOwnerLimit: Arg(3, 2), burst, json, cts.Token);
    }
}
