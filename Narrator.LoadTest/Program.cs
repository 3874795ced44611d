using System.Globalization;

namespace Narrator.LoadTest;

/// <summary>
/// <c>dotnet run -c Release --project Narrator.LoadTest -- [clients=50] [maxNewTokens=32] [queueCapacity=32] [perOwnerLimit=2] [--burst] [--json FILE]</c>,
/// or <c>-- long CLIP [runs=3] [maxNewTokens=16] [pauseSeconds=0]</c> for one long video through the server (<see cref="LongVideoRun"/>),
/// or <c>-- fairness [HEAVY_CLIP] [runs=5]</c> for a small upload beside another visitor's heaviest legal one (<see cref="FairnessRun"/>),
/// or <c>-- search [narrations=10000] [runs=50]</c> for the history's full-text search over a filled store (<see cref="SearchRun"/>).
/// The "clients" verb is the child process a run starts; it is not meant to be called by hand.
/// </summary>
internal static class LoadTestProgram
{
    public const string Usage = """
        Narrator.LoadTest: hosts Narrator.Web with the tiny demo model on 127.0.0.1 and measures it under load.

        Usage:
          narrator-loadtest [clients] [maxNewTokens] [queueCapacity] [perOwnerLimit] [--burst] [--json FILE]
              clients        simultaneous visitors, each uploading a clip and narrating it over SignalR (default 50)
              maxNewTokens   tokens per narration (default 32)
              queueCapacity  Narrator:Queue:Capacity of the server (default 32)
              perOwnerLimit  Narrator:Queue:PerOwnerLimit of the server (default 2)
              --burst        every visitor uploads first, then all narrations start at once
              --json FILE    also write the report as JSON to FILE
          narrator-loadtest long CLIP [runs] [maxNewTokens] [pauseSeconds]
              one long video through the server, timed (defaults: 3 runs, 16 tokens, no pause)
          narrator-loadtest fairness [HEAVY_CLIP] [runs]
              a small upload's time alone and while another visitor uploads the heaviest legal clip (default 5 runs)
          narrator-loadtest search [narrations] [runs]
              the history's full-text search over a store filled with that many narrations (defaults: 10000, 50 runs)
          narrator-loadtest --help
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?" or "help"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            if (args.Length > 0 && args[0] == "clients")
            {
                return await LoadClients.RunAsync(new Uri(args[1]), Number(args[2], "clients"), args[3],
                    Number(args[4], "maxNewTokens"), args[5] == "burst", args[6], cts.Token);
            }
            if (args.Length > 0 && args[0] == "fairness")
            {
                return await FairnessRun.RunAsync(args.Length > 1 ? args[1] : null, args.Length > 2 ? Number(args[2], "runs") : 5, cts.Token);
            }
            if (args.Length > 0 && args[0] == "search")
            {
                return await SearchRun.RunAsync(args.Length > 1 ? Number(args[1], "narrations") : 10_000,
                    args.Length > 2 ? Number(args[2], "runs") : 50, cts.Token);
            }
            if (args.Length > 1 && args[0] == "long")
            {
                return await LongVideoRun.RunAsync(args[1], args.Length > 2 ? Number(args[2], "runs") : 3,
                    args.Length > 3 ? Number(args[3], "maxNewTokens") : 16,
                    args.Length > 4 ? Seconds(args[4], "pauseSeconds") : 0, cts.Token);
            }
            bool burst = args.Contains("--burst");
            args = [.. args.Where(a => a != "--burst")];
            int jsonAt = Array.IndexOf(args, "--json");
            if (jsonAt >= 0 && jsonAt + 1 >= args.Length)
            {
                throw new UsageException("--json needs a file name after it.");
            }
            string? json = jsonAt >= 0 ? args[jsonAt + 1] : null;
            var numbers = args.Where((_, i) => jsonAt < 0 || (i != jsonAt && i != jsonAt + 1)).ToArray();
            string[] names = ["clients", "maxNewTokens", "queueCapacity", "perOwnerLimit"];
            if (numbers.Length > names.Length)
            {
                throw new UsageException($"Too many arguments: \"{string.Join(' ', numbers.Skip(names.Length))}\" is not understood.");
            }
            int Arg(int index, int fallback) => numbers.Length > index ? Number(numbers[index], names[index]) : fallback;
            return await LoadRun.RunAsync(clients: Arg(0, 50), maxNewTokens: Arg(1, 32), capacity: Arg(2, 32), perOwnerLimit: Arg(3, 2), burst, json, cts.Token);
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine();
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static int Number(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new UsageException($"{name} must be a whole number above 0 (got \"{text}\").");

    private static double Seconds(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0
            ? value
            : throw new UsageException($"{name} must be a number of seconds, 0 or more (got \"{text}\").");

    /// <summary>The command line does not say something the program understands; the message says what.</summary>
    private sealed class UsageException(string message) : Exception(message);
}
