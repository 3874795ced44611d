using System.Diagnostics;
using System.Globalization;

namespace Narrator.Bench;

/// <summary>
/// What several benchmarks need alike: run ffmpeg to synthesise a clip, run this program again as a probe, take a
/// median, read the machine's load and memory.
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

    /// <summary>
    /// Runs this bench program again with <paramref name="arguments"/> (a probe in a fresh process, so its peak RSS is its
    /// own) and returns what it printed; a failed probe throws with its output.
    /// </summary>
    public static async Task<string> RunSelfAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
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
            throw new InvalidOperationException($"probe {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {output}");
        }
        return output;
    }

    /// <summary>This process's peak resident set (VmHWM) in MiB.</summary>
    public static double PeakResidentMegabytes() => Kilobytes("/proc/self/status", "VmHWM:") / 1024.0;

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
