using System.Text.Json;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// Restores the Gpu flavour of Narrator.Model once per test class (into a temporary artifacts folder, so the CPU build
/// and any real Gpu build are left alone) and finds what it resolved in project.assets.json: the GPU package's version
/// and its CUDA provider library in the NuGet cache. The first restore on a machine downloads ~540 MB; later ones are cached.
/// </summary>
public sealed class GpuFlavorRestore : IDisposable
{
    public const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu.Linux";
    public const string ManagedPackage = "Microsoft.ML.OnnxRuntime.Managed";
    private const string CudaProvider = "runtimes/linux-x64/native/libonnxruntime_providers_cuda.so";

    private readonly string artifacts = Path.Combine(Path.GetTempPath(), "narrator-gpu-restore-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<Task<RestoredGpuFlavor>> restored;

    public GpuFlavorRestore() => restored = new(RestoreAsync);

    public Task<RestoredGpuFlavor> Restored => restored.Value;

    public void Dispose()
    {
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
    }

    private async Task<RestoredGpuFlavor> RestoreAsync()
    {
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(10),
            "restore", Path.Combine("Narrator.Model", "Narrator.Model.csproj"), "-p:OnnxRuntimeFlavor=Gpu", $"-p:ArtifactsPath={artifacts}",
            "-nologo", "-v:q");
        Assert.True(result.ExitCode == 0, $"The Gpu flavour does not restore (is {GpuPackage} pinned to a version the feed serves?):\n{result.Output}");

        string assetsPath = Assert.Single(Directory.GetFiles(artifacts, "project.assets.json", SearchOption.AllDirectories));
        using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(assetsPath));
        var libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().ToList();
        var gpu = Assert.Single(libraries, library => library.Name.StartsWith(GpuPackage + "/", StringComparison.Ordinal));
        var managed = Assert.Single(libraries, library => library.Name.StartsWith(ManagedPackage + "/", StringComparison.Ordinal));
        Assert.Contains(CudaProvider, gpu.Value.GetProperty("files").EnumerateArray().Select(file => file.GetString()));

        string packagePath = gpu.Value.GetProperty("path").GetString()!;
        string? provider = assets.RootElement.GetProperty("packageFolders").EnumerateObject()
            .Select(folder => Path.Combine(folder.Name, packagePath, CudaProvider))
            .FirstOrDefault(File.Exists);
        Assert.True(provider is not null, $"{CudaProvider} of {gpu.Name} is in no package folder of {assetsPath}.");

        return new RestoredGpuFlavor(VersionOf(gpu.Name), VersionOf(managed.Name), provider);
    }

    /// <summary>"Name/1.31.0" (a pre-release suffix is dropped: the ONNX Runtime minor is what matters).</summary>
    internal static Version VersionOf(string library) => Version.Parse(library[(library.IndexOf('/') + 1)..].Split('-')[0]);
}

/// <param name="CudaProviderPath">libonnxruntime_providers_cuda.so in the NuGet cache.</param>
public sealed record RestoredGpuFlavor(Version GpuPackageVersion, Version ManagedVersion, string CudaProviderPath);
