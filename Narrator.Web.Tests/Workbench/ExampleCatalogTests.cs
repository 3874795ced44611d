using Microsoft.Extensions.FileProviders;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

public sealed class ExampleCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("narrator-examples-").FullName;

    [Fact]
    public void ListsExamplesWhoseClipIsPresentAndSkipsMissingOnes()
    {
        Directory.CreateDirectory(Path.Combine(_root, "examples"));
        File.WriteAllBytes(Path.Combine(_root, "examples", "a.mp4"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(_root, "examples", "examples.json"), """
            [
              { "id": "a", "file": "a.mp4", "poster": "a.jpg", "title": { "en": "A", "zh": "甲" },
                "description": { "en": "d", "zh": "描述" }, "templateId": "tags", "credit": "c" },
              { "id": "b", "file": "missing.mp4", "poster": "b.jpg", "title": { "en": "B", "zh": "乙" },
                "description": { "en": "d", "zh": "描述" }, "templateId": "tags", "credit": "c" }
            ]
            """);
        using var provider = new PhysicalFileProvider(_root);
        var catalog = new ExampleCatalog(provider);

        IReadOnlyList<ExampleClip> examples = catalog.Load();

        ExampleClip only = Assert.Single(examples);
        Assert.Equal("甲", only.Title.Zh);
        Assert.Equal("examples/a.mp4", only.Url);
        using Stream clip = catalog.Open(only);
        Assert.Equal(3, clip.Length);
    }

    [Fact]
    public void NoCatalogueMeansNoGallery()
    {
        using var provider = new PhysicalFileProvider(_root);

        Assert.Empty(new ExampleCatalog(provider).Load());
    }

    [Fact]
    public void TheShippedGalleryListsSmallBrowserPlayableClips()
    {
        string webRoot = Path.Combine(RepositoryRoot(), "Narrator.Web", "wwwroot");
        using var provider = new PhysicalFileProvider(webRoot);

        IReadOnlyList<ExampleClip> examples = new ExampleCatalog(provider).Load();

        Assert.True(examples.Count >= 2);
        Assert.All(examples, example =>
        {
            var file = new FileInfo(Path.Combine(webRoot, "examples", example.File));
            Assert.True(file.Length < 1024 * 1024, $"{example.File} is {file.Length} bytes");
            Assert.True(File.Exists(Path.Combine(webRoot, "examples", example.Poster)), example.Poster);
            Assert.False(string.IsNullOrWhiteSpace(example.Title.En));
            Assert.False(string.IsNullOrWhiteSpace(example.Title.Zh));
        });
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Narrator.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new DirectoryNotFoundException("Narrator.sln not found above the test output folder.");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
