using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Narrator.Bench;

/// <summary>
/// What several benchmarks need alike: run ffmpeg to synthesise a clip, take a median, read the machine's load and a
/// process's peak memory, run a measurement in a child bench process (so its peak resident set is its own).
/// </summary>
internal static class BenchProcess
{
    public static async Task RunFfmpegAsync(string ffmpeg, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(ffmpeg) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        string errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {errors}");
        }
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The 1/5/15-minute load averages: the benchmarks run on a shared box, so every report says how busy it was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Peak resident set of this process so far (VmHWM), in MiB.</summary>
    public static double PeakResidentMegabytes() => StatusKilobytes("/proc/self/status", "VmHWM:") / 1024.0;

    /// <summary>A kB line of /proc/self/status (e.g. "RssAnon:") in MiB.</summary>
    public static double StatusMegabytes(string key) => StatusKilobytes("/proc/self/status", key) / 1024.0;

    public static long MemAvailableBytes() => StatusKilobytes("/proc/meminfo", "MemAvailable:") * 1024;

    /// <summary>Runs this bench program with <paramref name="arguments"/> and parses the JSON object on its last output line.</summary>
    public static async Task<JsonElement> RunChildAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchProcess).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child bench process failed ({process.ExitCode}): {output}");
        }
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement.Clone();
    }

    private static long StatusKilobytes(string file, string key)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"{file} has no {key} line.");
    }
}
