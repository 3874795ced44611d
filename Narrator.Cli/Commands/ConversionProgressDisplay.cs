using System.Diagnostics;
using System.Globalization;
using Narrator.Model.Conversion;

namespace Narrator.Cli.Commands;

/// <summary>
/// Shows a conversion on stderr: on a terminal one redrawn line with a bar over the bytes converted; otherwise (a log,
/// CI) one line per finished stage, so nothing is lost in carriage returns.
/// </summary>
internal sealed class ConversionProgressDisplay(TextWriter error, bool interactive) : IConversionProgress
{
    private const int BarWidth = 28;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(150);

    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _total;
    private long _done;
    private readonly TerminalLine _line = new(error);
    private TimeSpan _lastDraw = TimeSpan.MinValue;

    public void OnStageStarted(ConversionStage stage, long totalBytes)
    {
        lock (_gate)
        {
            _total = totalBytes;
            _done = 0;
            Draw(stage, force: true);
        }
    }

    public void OnBytesConverted(ConversionStage stage, long bytes)
    {
        lock (_gate)
        {
            _done += bytes;
            Draw(stage, force: false);
        }
    }

    public void OnStageCompleted(ConversionStage stage, TimeSpan elapsed)
    {
        lock (_gate)
        {
            ClearLine();
            string size = _total > 0 ? $", {Megabytes(_total)} MB read" : "";
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Name(stage)}: done in {elapsed.TotalSeconds:F1} s{size}"));
        }
    }

    private void Draw(ConversionStage stage, bool force)
    {
        if (!interactive)
        {
            return;
        }
        var now = _watch.Elapsed;
        if (!force && now - _lastDraw < RedrawInterval)
        {
            return;
        }
        _lastDraw = now;
        double fraction = _total > 0 ? Math.Clamp((double)_done / _total, 0, 1) : 0;
        int filled = (int)Math.Round(fraction * BarWidth);
        _line.Draw(string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', BarWidth - filled)}] {Name(stage)} {fraction * 100:F0}% ({Megabytes(_done)}/{Megabytes(_total)} MB) · {now.TotalSeconds:F0} s"));
    }

    private void ClearLine()
    {
        if (interactive)
        {
            _line.Clear();
        }
    }

    private static string Name(ConversionStage stage) => stage switch
    {
        ConversionStage.Checking => "checking the checkpoint",
        ConversionStage.Vision => "vision graph",
        ConversionStage.Embedding => "embedding graph",
        ConversionStage.Decoder => "decoder graph",
        ConversionStage.PackageFiles => "package files",
        _ => stage.ToString(),
    };

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString(bytes < 10L << 20 ? "F1" : "F0", CultureInfo.InvariantCulture);
}
