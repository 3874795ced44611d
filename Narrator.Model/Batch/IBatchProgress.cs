using Narrator.Model.Segmentation;

namespace Narrator.Model.Batch;

/// <summary>What the batch runner says while it works; the CLI draws it as a progress bar or as plain lines.</summary>
public interface IBatchProgress : INarrationProgress
{
    /// <summary>The work is known: <paramref name="toRun"/> files to run, <paramref name="resumed"/> kept from an earlier run.</summary>
    void OnBatchStarted(int toRun, int resumed, IReadOnlyList<SkippedFile> skipped)
    {
    }

    /// <summary>File <paramref name="position"/> (1-based) of <paramref name="toRun"/> starts.</summary>
    void OnItemStarted(string file, int position, int toRun)
    {
    }

    void OnItemFinished(BatchItem item, int position, int toRun)
    {
    }
}
