using Narrator.Model.Conversion;
using Narrator.Model.Onnx;

namespace Narrator.Model.Tests.Demo;

/// <summary>
/// The demo model as the app ships it (a random checkpoint converted at fp32), written once per test run to a temp
/// folder and opened on the CPU, shared by the runtime tests; other precisions are written on first use.
/// </summary>
public sealed class DemoModelFixture : IAsyncLifetime
{
    public const int Seed = DemoModel.Seed;

    private readonly Dictionary<TextPrecision, string> _directories = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "narrator-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string Directory => Path.Combine(Root, "demo-fp32");

    public ModelPackage Package { get; private set; } = null!;

    public static ExecutionProviderOptions Cpu { get; } = new() { Provider = ExecutionProviderKind.Cpu };

    public async Task InitializeAsync()
    {
        await DemoModel.WriteAsync(Directory, Seed);
        _directories[TextPrecision.Fp32] = Directory;
        Package = ModelPackage.Open(Directory, Cpu);
    }

    /// <summary>The demo package converted at <paramref name="precision"/> (same seed, so the same checkpoint), written once.</summary>
    public async Task<string> DirectoryAt(TextPrecision precision)
    {
        if (!_directories.TryGetValue(precision, out string? directory))
        {
            directory = Path.Combine(Root, "demo-" + precision.ToString().ToLowerInvariant());
            await DemoModel.WriteAsync(directory, Seed, precision);
            _directories[precision] = directory;
        }
        return directory;
    }

    public Task DisposeAsync()
    {
        Package.Dispose();
        System.IO.Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A scratch folder under this run's temp root (for packages a test breaks on purpose).</summary>
    public string ScratchDirectory(string name)
    {
        string path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Copies the fp32 demo package to a scratch folder so a test can damage it.</summary>
    public string CopyPackage(string name)
    {
        string target = ScratchDirectory(name);
        foreach (var file in System.IO.Directory.GetFiles(Directory))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        return target;
    }
}

[CollectionDefinition(Name)]
public sealed class DemoModelCollection : ICollectionFixture<DemoModelFixture>
{
    public const string Name = "demo model";
}
