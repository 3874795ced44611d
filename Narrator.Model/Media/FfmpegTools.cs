using System.Diagnostics;

namespace Narrator.Model.Media;

/// <summary>
/// Where the ffmpeg and ffprobe executables are. Located once (an explicit folder, then <c>NARRATOR_FFMPEG_DIR</c>,
/// then PATH) and checked by running <c>ffprobe -version</c>, so a missing install fails with one clear sentence.
/// </summary>
public sealed class FfmpegTools
{
    public const string FolderVariable = "NARRATOR_FFMPEG_DIR";

    private static readonly Lazy<FfmpegTools> Shared = new(() => Locate(), LazyThreadSafetyMode.ExecutionAndPublication);

    private FfmpegTools(string ffmpegPath, string ffprobePath)
    {
        FfmpegPath = ffmpegPath;
        FfprobePath = ffprobePath;
    }

    /// <summary>The tools found on this machine; the lookup and check run on first use only.</summary>
    public static FfmpegTools Default => Shared.Value;

    public string FfmpegPath { get; }

    public string FfprobePath { get; }

    /// <summary>The folder both programs were found in.</summary>
    public string Folder => Path.GetDirectoryName(FfprobePath)!;

    /// <summary>False once either program has been removed since it was located.</summary>
    public bool StillInstalled => File.Exists(FfmpegPath) && File.Exists(FfprobePath);

    /// <summary>The install sentence for tools missing from <paramref name="folder"/> (or the PATH when null).</summary>
    public static string MissingSentence(string? folder, bool ffmpegMissing = true, bool ffprobeMissing = true)
    {
        var missing = ffmpegMissing && ffprobeMissing ? "ffmpeg and ffprobe were" : ffmpegMissing ? "ffmpeg was" : "ffprobe was";
        var where = folder is null ? "on the PATH" : $"in {folder}";
        return $"{missing} not found {where}; install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg, macOS: brew install ffmpeg, " +
            $"Windows: winget install ffmpeg) or set {FolderVariable} to the folder that holds both programs.";
    }

    /// <summary>Finds ffmpeg and ffprobe in <paramref name="folder"/>, <c>NARRATOR_FFMPEG_DIR</c> or PATH and checks that they run.</summary>
    public static FfmpegTools Locate(string? folder = null)
    {
        var folders = new List<string>();
        if (!string.IsNullOrWhiteSpace(folder))
        {
            folders.Add(folder);
        }
        else
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(FolderVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                folders.Add(fromEnvironment);
            }
            folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var ffmpeg = Find("ffmpeg", folders);
        var ffprobe = Find("ffprobe", folders);
        if (ffmpeg is null || ffprobe is null)
        {
            throw new FfmpegMissingException(MissingSentence(string.IsNullOrWhiteSpace(folder) ? null : folder, ffmpeg is null, ffprobe is null));
        }

        CheckRuns(ffprobe);
        return new FfmpegTools(ffmpeg, ffprobe);
    }

    private static string? Find(string name, List<string> folders)
    {
        var fileName = OperatingSystem.IsWindows() ? name + ".exe" : name;
        foreach (var dir in folders)
        {
            var candidate = Path.Combine(dir, fileName);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    private static void CheckRuns(string executable)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(executable, "-version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(15_000) || process.ExitCode != 0)
            {
                throw new FfmpegMissingException($"{executable} is installed but does not run (\"-version\" failed); reinstall ffmpeg.");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new FfmpegMissingException($"{executable} exists but cannot be started ({ex.Message}); reinstall ffmpeg.", ex);
        }
    }
}

/// <summary>ffmpeg/ffprobe are not installed or do not run; the message says how to install them.</summary>
public sealed class FfmpegMissingException(string message, Exception? inner = null) : UserInputException(message, inner);
