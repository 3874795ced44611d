namespace Narrator.Model.Media;

/// <summary>
/// Keeps track of where ffmpeg is while the process runs: located on first use, and looked for again when the programs
/// have gone (uninstalled, a folder emptied) so the app reports "not installed" while they are missing and recovers
/// by itself when they come back.
/// </summary>
public sealed class FfmpegLocator
{
    private readonly Lock gate = new();
    private readonly string? folder;
    private FfmpegTools? current;

    /// <param name="folder">The folder that holds both programs; null looks in <c>NARRATOR_FFMPEG_DIR</c>, then on the PATH.</param>
    public FfmpegLocator(string? folder = null) => this.folder = string.IsNullOrWhiteSpace(folder) ? null : folder;

    /// <summary>A locator that starts from tools already found and looks in their folder again if they go.</summary>
    public FfmpegLocator(FfmpegTools tools)
    {
        folder = tools.Folder;
        current = tools;
    }

    /// <summary>The default tools (found on the PATH), shared by everything that is given none.</summary>
    public static FfmpegLocator Default { get; } = new();

    /// <summary>The tools, located again if they have been removed; throws <see cref="FfmpegMissingException"/> with the install sentence.</summary>
    public FfmpegTools Tools
    {
        get
        {
            lock (gate)
            {
                if (current is { StillInstalled: true } tools)
                {
                    return tools;
                }
                current = null;
                current = FfmpegTools.Locate(folder);
                return current;
            }
        }
    }

    /// <summary>Null while both programs are there; otherwise the sentence that says how to install them.</summary>
    public string? Problem()
    {
        try
        {
            _ = Tools;
            return null;
        }
        catch (FfmpegMissingException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Forgets the current tools (they failed to start), so the next use looks for them again.</summary>
    internal void Forget(FfmpegTools tools)
    {
        lock (gate)
        {
            if (ReferenceEquals(current, tools))
            {
                current = null;
            }
        }
    }
}
