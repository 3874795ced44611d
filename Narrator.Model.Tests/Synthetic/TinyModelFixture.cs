using Narrator.Model.Onnx;
using Narrator.Model.Synthetic;

namespace Narrator.Model.Tests.Synthetic;

/// <summary>One tiny package per test run (written to a temp folder), opened on the CPU, shared by the runtime tests.</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    public const int Seed = 7;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "narrator-tests-" + Guid.NewGuid().ToString("N")[..8], "tiny");

    /// <summary>The demo package as shipped: the decoder returns the last position's logits only.</summary>
    public ModelPackage Package { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var cpu = new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu };
        await new TinyModelWriter().WriteAsync(Directory, Seed);
        Package = ModelPackage.Open(Directory, cpu);
    }

    public Task DisposeAsync()
    {
        Package.Dispose();
        System.IO.Directory.Delete(Path.GetDirectoryName(Directory)!, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A scratch folder under this run's temp root (for packages a test breaks on purpose).</summary>
    public string ScratchDirectory(string name)
    {
        string path = Path.Combine(Path.GetDirectoryName(Directory)!, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Copies the tiny package to a scratch folder so a test can damage it.</summary>
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
public sealed class TinyModelCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "tiny model";
}
