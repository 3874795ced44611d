namespace Narrator.Model.Exports;

/// <summary>Writes a timestamped narration in one export format (UTF-8, no BOM).</summary>
public interface INarrationWriter
{
    ExportFormat Format { get; }

    Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default);
}
