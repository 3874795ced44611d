using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Narrator.Web.Tests.Services;

/// <summary>
/// Narrator.Web as a real process (<c>dotnet Narrator.Web.dll</c> from the test output, on 127.0.0.1 and a free port),
/// so a test can kill it the hard way (SIGKILL) and start it again on the same data folder.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private ServerProcess(Process process) => this.process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    /// <summary>Everything the process wrote, for a failing test's message.</summary>
    public string Output
    {
        get { lock (output) { return output.ToString(); } }
    }

    /// <param name="port">0 for a free port; a port an earlier process used, to come back at the same address (a restart).</param>
    /// <param name="environment">ASP.NET Core environment name.</param>
    public static async Task<ServerProcess> StartAsync(string dataPath, IReadOnlyDictionary<string, string> settings, int port = 0,
        string environment = "Production")
    {
        string folder = AppContext.BaseDirectory;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Narrator.Web.dll"));
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["Narrator__DataPath"] = dataPath;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var server = new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.process.OutputDataReceived += (_, line) => server.Read(line.Data, listening);
        server.process.ErrorDataReceived += (_, line) => server.Read(line.Data, listening);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        var exited = server.process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(2)));
        if (first != listening.Task)
        {
            string why = first == exited ? "exited before it listened" : "did not start listening within two minutes";
            await server.DisposeAsync();
            throw new InvalidOperationException($"Narrator.Web {why}:\n{server.Output}");
        }
        server.BaseAddress = await listening.Task;
        return server;
    }

    /// <summary>SIGTERM, as a service manager stops it: the host shuts down in order. Waits for the exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash or the OOM killer.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void Read(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
        if (Listening().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
