namespace Narrator.Model.Batch;

/// <summary>What a batch will work on: media files in a stable order, and the files it leaves alone.</summary>
public sealed record BatchInputs(IReadOnlyList<string> Media, IReadOnlyList<SkippedFile> Skipped)
{
    private static readonly HashSet<string> VideoExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".m2v", ".mpv", ".ts", ".mts", ".m2ts",
        ".wmv", ".asf", ".flv", ".3gp", ".3g2", ".ogv", ".vob", ".mxf", ".dv", ".gif",
    };

    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff",
    };

    /// <summary>
    /// Expands folders (recursively, hidden entries ignored) and files into media by extension; anything else is listed
    /// as skipped. A path that does not exist is a user error: a typo should not silently shrink the batch.
    /// </summary>
    public static BatchInputs Discover(IReadOnlyList<string> paths, string? outputPath = null)
    {
        if (paths.Count == 0)
        {
            throw new UserInputException("Give at least one folder or file to process.");
        }
        string? output = outputPath is null ? null : Path.GetFullPath(outputPath);
        var media = new List<string>();
        var skipped = new List<SkippedFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = new List<string>();
                Collect(path, files);
                files.Sort(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    Classify(file, output, seen, media, skipped);
                }
            }
            else if (File.Exists(path))
            {
                Classify(path, output, seen, media, skipped);
            }
            else
            {
                throw new UserInputException($"'{path}' is neither a file nor a folder.");
            }
        }
        return new BatchInputs(media, skipped);
    }

    public static bool IsMediaFile(string path)
    {
        string extension = Path.GetExtension(path);
        return VideoExtensions.Contains(extension) || ImageExtensions.Contains(extension);
    }

    private static void Collect(string folder, List<string> files)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }
            if (entry is DirectoryInfo directory)
            {
                if (!directory.Attributes.HasFlag(FileAttributes.ReparsePoint)) // symlinked folders could loop
                {
                    Collect(Path.Combine(folder, directory.Name), files);
                }
            }
            else
            {
                files.Add(Path.Combine(folder, entry.Name));
            }
        }
    }

    private static void Classify(string file, string? output, HashSet<string> seen, List<string> media, List<SkippedFile> skipped)
    {
        string full = Path.GetFullPath(file);
        if (!seen.Add(full) || full == output || full == output + ".tmp")
        {
            return;
        }
        if (IsMediaFile(file))
        {
            media.Add(file);
        }
        else
        {
            string extension = Path.GetExtension(file);
            skipped.Add(new SkippedFile(file, extension.Length > 0
                ? $"not a video or image (extension {extension})"
                : "not a video or image (no extension)"));
        }
    }
}
