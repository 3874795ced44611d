using Narrator.Model.Media;

namespace Narrator.Model.Tests.Media;

/// <summary>
/// ffmpeg and ffprobe behind two shell scripts that log every command line and then run the real programs, so a test can
/// see which calls went through the runner it handed out and with which arguments.
/// </summary>
internal sealed class RecordingTools : IDisposable
{
    private readonly string folder;

    private RecordingTools(string folder)
    {
        this.folder = folder;
        Tools = FfmpegTools.Locate(folder);
    }

    public FfmpegTools Tools { get; }

    private string Log => Path.Combine(folder, "calls.log");

    public static RecordingTools Create()
    {
        var installed = FfmpegTools.Default;
        string folder = Directory.CreateTempSubdirectory("narrator-recording-tools-").FullName;
        foreach (var (name, real) in new[] { ("ffmpeg", installed.FfmpegPath), ("ffprobe", installed.FfprobePath) })
        {
            string script = Path.Combine(folder, name);
            // One argument per line, a blank line after each call; then the real program with the same arguments.
            File.WriteAllText(script, $"#!/bin/sh\n{{ echo {name}; for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo; }} >> \"{folder}/calls.log\"\nexec \"{real}\" \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        return new RecordingTools(folder);
    }

    /// <summary>The logged calls that read an input (the locator's "-version" check is not one).</summary>
    public IReadOnlyList<RecordedCall> InputCalls()
    {
        if (!File.Exists(Log))
        {
            return [];
        }
        var calls = new List<RecordedCall>();
        foreach (string block in File.ReadAllText(Log).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            if (lines.Contains("-i"))
            {
                calls.Add(new RecordedCall(lines[0], lines[1..]));
            }
        }
        return calls;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}

/// <summary>One logged command line.</summary>
internal sealed record RecordedCall(string Program, IReadOnlyList<string> Arguments)
{
    public string ValueAfter(string option) => Arguments[IndexOf(option) + 1];

    /// <summary>From the protocol allow-list to the input itself: what the runner puts in front of every file it opens.</summary>
    public IEnumerable<string> InputLockdown()
    {
        int start = IndexOf("-protocol_whitelist");
        int input = IndexOf("-i");
        return Arguments.Skip(start).Take(input + 2 - start);
    }

    private int IndexOf(string option) => Arguments.ToList().IndexOf(option);
}
