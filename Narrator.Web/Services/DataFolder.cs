using Microsoft.Extensions.Options;

namespace Narrator.Web.Services;

/// <summary>The app's data folder (<c>Narrator:DataPath</c>, relative to the content root) and the places inside it.</summary>
public sealed class DataFolder
{
    public DataFolder(IOptions<NarratorOptions> options, IHostEnvironment environment)
    {
        Root = Path.GetFullPath(options.Value.DataPath, environment.ContentRootPath);
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Clips);
    }

    public string Root { get; }

    /// <summary>One sub-folder per uploaded clip, named by its random id.</summary>
    public string Clips => Path.Combine(Root, "clips");

    /// <summary>One sub-folder per published share link, named by its token, holding the frames copied for it.</summary>
    public string Shares => Path.Combine(Root, "shares");

    public string ShareFolder(string token) => Path.Combine(Shares, token);

    public string Database => Path.Combine(Root, "narrator.db");

    /// <summary>Where the demo model package is written when no model is configured (named with its format, so an older one is not reused).</summary>
    public string DemoModel => Path.Combine(Root, $"demo-model-v{Narrator.Model.Conversion.Demo.DemoModelWriter.FormatVersion}");
}
