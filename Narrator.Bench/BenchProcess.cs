using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Narrator.Bench;

/// <summary>
/// What several benchmarks need alike: run ffmpeg to synthesise a clip or as the bare baseline Narrator is measured
/// against (the only launches of ffmpeg outside Narrator.Model's FfmpegRunner: lavfi sources and raw command lines are
/// what the runner's allow-lists refuse), run this program again as a probe or child measurement (so its peak resident
/// set is its own), take a median, read the machine's load and memory.
/// </summary>
internal static class BenchProcess
{
    public static async Task RunFfmpegAsync(string ffmpeg, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        await RunAsync(ffmpeg, arguments, readStandardError: true, "ffmpeg", cancellationToken);

    /// <summary>The first line of <c>ffmpeg -version</c>, so a report says which ffmpeg it measured.</summary>
    public static async Task<string> FfmpegVersionAsync(string ffmpeg, CancellationToken cancellationToken) =>
        (await RunAsync(ffmpeg, ["-version"], readStandardError: false, "ffmpeg -version", cancellationToken)).Split('\n')[0].Trim();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The 1/5/15-minute load averages: the benchmarks run on a shared box, so every report says how busy it was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// Runs this bench program again with <paramref name="arguments"/> (a probe in a fresh process, so its peak RSS is its
    /// own) and returns what it printed; a failed probe throws with its output.
    /// </summary>
    public static async Task<string> RunSelfAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        // Under `dotnet Narrator.Bench.dll` the program is the host plus this assembly; a published build is the file itself.
        var self = Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet"
            ? arguments.Prepend(typeof(BenchProcess).Assembly.Location)
            : arguments;
        return await RunAsync(Environment.ProcessPath!, self, readStandardError: false, "probe", cancellationToken);
    }

    /// <summary>Runs this bench program with <paramref name="arguments"/> and parses the JSON object on its last output line.</summary>
    public static async Task<JsonElement> RunChildAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        string output = await RunSelfAsync(arguments, cancellationToken);
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    /// <summary>Runs <paramref name="file"/> to its end; returns the stream it was asked to read, or throws with it on failure.</summary>
    private static async Task<string> RunAsync(string file, IEnumerable<string> arguments, bool readStandardError, string what,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = readStandardError, RedirectStandardOutput = !readStandardError };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        string output = await (readStandardError ? process.StandardError : process.StandardOutput).ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed ({process.ExitCode}): {output}");
        }
        return output;
    }

    /// <summary>This process's peak resident set (VmHWM) in MiB.</summary>
    public static double PeakResidentMegabytes() => Kilobytes("/proc/self/status", "VmHWM:") / 1024.0;

    /// <summary>A kB line of /proc/self/status (e.g. "RssAnon:") in MiB.</summary>
    public static double StatusMegabytes(string key) => Kilobytes("/proc/self/status", key) / 1024.0;

    public static long MemAvailableBytes() => Kilobytes("/proc/meminfo", "MemAvailable:") * 1024;

    public static long MemTotalBytes() => Kilobytes("/proc/meminfo", "MemTotal:") * 1024;

    private static long Kilobytes(string file, string key)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
