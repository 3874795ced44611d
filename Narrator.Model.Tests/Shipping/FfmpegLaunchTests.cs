using System.Text.RegularExpressions;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// A scan of the shipped projects' sources: ffmpeg and ffprobe start only through <c>Media/FfmpegRunner</c> (tool paths,
/// allow-lists, pinned demuxer, cancellation, stderr), so a new <c>Process</c> launch anywhere else fails here until it
/// is moved onto the runner or listed below with the reason it cannot be.
/// </summary>
public sealed partial class FfmpegLaunchTests
{
    private static readonly string[] ShippedProjects = ["Narrator.Model", "Narrator.Web", "Narrator.Cli", "Narrator.Bench", "Narrator.LoadTest"];

    // Every file that may start a process, and why; an entry that no longer starts one fails too, so the list stays true.
    private static readonly Dictionary<string, string> AllowedLaunchers = new(StringComparer.Ordinal)
    {
        ["Narrator.Model/Media/FfmpegRunner.cs"] = "the runner itself",
        ["Narrator.Model/Media/FfmpegTools.cs"] = "`ffprobe -version` while locating the tools, on no media and before a runner can exist",
        ["Narrator.Bench/BenchProcess.cs"] = "lavfi synthesis and bare-ffmpeg baselines (what the runner refuses or is measured against), child measurements",
    };

    // The files that hold ffmpeg's paths in the library and the server: a path in hand elsewhere is how a bypass starts.
    private static readonly HashSet<string> ToolPathOwners = new(StringComparer.Ordinal)
    {
        "Narrator.Model/Media/FfmpegRunner.cs", "Narrator.Model/Media/FfmpegTools.cs", "Narrator.Model/Media/FfmpegLocator.cs",
    };

    [GeneratedRegex(@"\bProcessStartInfo\b|\bProcess\s*\.\s*Start\s*\(|\bnew\s+Process\s*[({]|\bnew\s+System\.Diagnostics\.Process\s*[({]")]
    private static partial Regex ProcessLaunch();

    [GeneratedRegex(@"\b(FfmpegPath|FfprobePath)\b")]
    private static partial Regex ToolPath();

    [Fact]
    public void Only_the_runner_and_the_listed_tools_start_processes_in_the_shipped_projects()
    {
        var launchers = SourceFiles().Where(file => ProcessLaunch().IsMatch(file.Text)).Select(file => file.Path).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(AllowedLaunchers.Keys.Order(StringComparer.Ordinal), launchers);
    }

    [Fact]
    public void No_library_or_server_code_outside_the_media_folder_holds_an_ffmpeg_tool_path()
    {
        var holders = SourceFiles()
            .Where(file => !file.Path.StartsWith("Narrator.Bench/", StringComparison.Ordinal) && !file.Path.StartsWith("Narrator.LoadTest/", StringComparison.Ordinal))
            .Where(file => ToolPath().IsMatch(file.Text) && !ToolPathOwners.Contains(file.Path))
            .Select(file => file.Path)
            .ToList();

        Assert.Empty(holders);
        Assert.Contains(SourceFiles(), file => file.Path == "Narrator.Model/Media/FfmpegRunner.cs" && ToolPath().IsMatch(file.Text));
    }

    private static IEnumerable<(string Path, string Text)> SourceFiles()
    {
        foreach (var project in ShippedProjects)
        {
            string folder = Path.Combine(DotnetInRepository.Root, project);
            Assert.True(Directory.Exists(folder), $"{folder} is missing: the scan would pass on nothing.");
            foreach (var path in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(DotnetInRepository.Root, path).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
                {
                    continue;
                }
                yield return (relative, File.ReadAllText(path));
            }
        }
    }
}
