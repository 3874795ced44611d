using System.Diagnostics;
using System.Globalization;
using Narrator.Model.Batch;
using Narrator.Model.Generation;
using Narrator.Model.Segmentation;

namespace Narrator.Cli.Commands;

/// <summary>
/// Shows batch progress on stderr: on a terminal, one redrawn line with a bar, the current file, its segment and stage,
/// tokens and the ETA; otherwise (a log file, CI) one plain line per event, so nothing is lost in carriage returns.
/// </summary>
internal sealed class BatchProgressDisplay(TextWriter error, bool interactive) : IBatchProgress
{
    private const int BarWidth = 24;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch runWatch = Stopwatch.StartNew();
    private readonly Stopwatch itemWatch = new();
    private readonly Lock gate = new();
    private BatchEta eta = new(0);
    private int toRun;
    private int position;
    private string file = "";
    private string segmentText = "";
    private double segmentFraction;
    private string stage = "";
    private int tokens;
    private TimeSpan lastDraw = TimeSpan.MinValue;
    private readonly TerminalLine line = new(error);

    public void OnBatchStarted(int toRun, int resumed, IReadOnlyList<SkippedFile> skipped)
    {
        lock (gate)
        {
            this.toRun = toRun;
            eta = new BatchEta(toRun);
            foreach (var s in skipped)
            {
                error.WriteLine($"skipped: {s.File} ({s.Reason})");
            }
            if (resumed > 0)
            {
                error.WriteLine($"resuming: {resumed} file(s) already finished in the output are kept");
            }
            error.WriteLine($"{toRun} file(s) to narrate");
        }
    }

    public void OnItemStarted(string file, int position, int toRun)
    {
        lock (gate)
        {
            this.file = file;
            this.position = position;
            segmentText = "";
            segmentFraction = 0;
            stage = "probing";
            tokens = 0;
            itemWatch.Restart();
            if (!interactive)
            {
                error.WriteLine($"[{position}/{toRun}] {file}");
            }
            Draw(force: true);
        }
    }

    public void OnSegmentStarted(VideoSegment segment, int count)
    {
        lock (gate)
        {
            segmentText = count > 1 ? $"segment {segment.Index + 1} of {count}" : "";
            segmentFraction = count > 1 ? (double)segment.Index / count : 0;
            if (!interactive && count > 1)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{position}/{toRun}]   {segmentText} ({segment.StartSeconds:0.0}-{segment.EndSeconds:0.0} s)"));
            }
            Draw(force: true);
        }
    }

    public void OnStage(NarrationStage stage)
    {
        lock (gate)
        {
            this.stage = stage switch
            {
                NarrationStage.PreparingFrames => "preparing frames",
                NarrationStage.EncodingVision => "encoding vision",
                NarrationStage.Prefill => "prefill",
                _ => "generating",
            };
            Draw(force: false);
        }
    }

    public void OnToken(string text)
    {
        lock (gate)
        {
            tokens++;
            Draw(force: false);
        }
    }

    public void OnItemFinished(BatchItem item, int position, int toRun)
    {
        lock (gate)
        {
            eta.ItemFinished(itemWatch.Elapsed.TotalSeconds);
            string outcome = item.IsOk
                ? string.Create(CultureInfo.InvariantCulture, $"ok ({itemWatch.Elapsed.TotalSeconds:0.0} s, {item.Tokens?.Generated ?? 0} tokens)")
                : $"failed: {item.Error}";
            ClearLine();
            error.WriteLine($"[{position}/{toRun}] {item.File}: {outcome}");
            file = "";
            segmentText = "";
            segmentFraction = 0;
            stage = "";
            tokens = 0;
            Draw(force: true);
        }
    }

    /// <summary>Ends the redrawn line so the summary starts on a clean one.</summary>
    public void Finish()
    {
        lock (gate)
        {
            ClearLine();
        }
    }

    private void Draw(bool force)
    {
        if (!interactive || toRun == 0)
        {
            return;
        }
        var now = runWatch.Elapsed;
        if (!force && now - lastDraw < RedrawInterval)
        {
            return;
        }
        lastDraw = now;
        int done = Math.Max(0, position - (stage.Length > 0 ? 1 : 0));
        double fraction = Math.Clamp((done + (stage.Length > 0 ? segmentFraction : 0)) / toRun, 0, 1);
        int filled = (int)Math.Round(fraction * BarWidth);
        var remaining = eta.Remaining(segmentFraction);
        var text = new System.Text.StringBuilder();
        text.Append('[').Append('#', filled).Append('-', BarWidth - filled).Append("] ")
            .Append(CultureInfo.InvariantCulture, $"{done}/{toRun}");
        if (file.Length > 0)
        {
            text.Append(' ').Append(Path.GetFileName(file));
        }
        if (segmentText.Length > 0)
        {
            text.Append(" · ").Append(segmentText);
        }
        if (stage.Length > 0)
        {
            text.Append(" · ").Append(stage);
        }
        if (tokens > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" · {tokens} tok");
        }
        text.Append(" · ").Append(Clock(now)).Append(" elapsed");
        if (remaining is { } r)
        {
            text.Append(" · ETA ").Append(Clock(r));
        }
        line.Draw(text.ToString());
    }

    private void ClearLine()
    {
        if (interactive)
        {
            line.Clear();
        }
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");
}
