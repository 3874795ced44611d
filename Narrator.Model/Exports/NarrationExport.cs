using System.Text;

namespace Narrator.Model.Exports;

/// <summary>Writes a narration in a registered format; the one entry point the CLI, the batch runner and the HTTP API use.</summary>
public static class NarrationExport
{
    public static Task WriteAsync(ExportFormat format, TimedNarration narration, Stream destination, CancellationToken cancellationToken = default) =>
        format.Writer.WriteAsync(narration, destination, cancellationToken);

    public static async Task<string> ToStringAsync(ExportFormat format, TimedNarration narration, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await WriteAsync(format, narration, buffer, cancellationToken);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes to a file through a temporary sibling and a rename, so an interrupted write never leaves half a file.</summary>
    public static async Task WriteFileAsync(ExportFormat format, TimedNarration narration, string path, CancellationToken cancellationToken = default)
    {
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await WriteAsync(format, narration, stream, cancellationToken);
        }
        File.Move(temporary, full, overwrite: true);
    }
}
