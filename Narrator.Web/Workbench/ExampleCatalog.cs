using System.Text.Json;
using Microsoft.Extensions.FileProviders;

namespace Narrator.Web.Workbench;

/// <summary>Reads the examples gallery (wwwroot/examples/examples.json) and opens the clips it lists.</summary>
public sealed class ExampleCatalog(IFileProvider webRoot)
{
    public const string CatalogPath = "examples/examples.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The listed examples whose clip file is present; an absent catalogue means no gallery.</summary>
    public IReadOnlyList<ExampleClip> Load()
    {
        IFileInfo catalog = webRoot.GetFileInfo(CatalogPath);
        if (!catalog.Exists)
        {
            return [];
        }
        using Stream stream = catalog.CreateReadStream();
        var examples = JsonSerializer.Deserialize<List<ExampleClip>>(stream, JsonOptions)
            ?? throw new InvalidDataException($"{CatalogPath} is empty.");
        return examples
            .Select(example => (Example: example, File: webRoot.GetFileInfo("examples/" + example.File)))
            .Where(pair => pair.File.Exists)
            .Select(pair => pair.Example with { SizeBytes = pair.File.Length })
            .ToList();
    }

    /// <summary>Opens an example's clip for reading, to hand it to the clip store like an upload.</summary>
    public Stream Open(ExampleClip example)
    {
        IFileInfo file = webRoot.GetFileInfo("examples/" + example.File);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"The example clip {example.File} is missing from wwwroot/examples.");
        }
        return file.CreateReadStream();
    }
}
