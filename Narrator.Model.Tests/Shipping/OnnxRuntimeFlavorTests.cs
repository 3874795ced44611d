using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// The build property <c>OnnxRuntimeFlavor</c> picks the ONNX Runtime package with no code change, the Gpu flavour
/// restores from the feed, and its CUDA provider links the CUDA major of the Dockerfile's runtime image: an ONNX
/// Runtime bump that moves to another CUDA major fails here instead of silently running the image on the CPU.
/// </summary>
public partial class OnnxRuntimeFlavorTests(GpuFlavorRestore gpu) : IClassFixture<GpuFlavorRestore>
{
    private const string CpuPackage = "Microsoft.ML.OnnxRuntime";
    private const string GpuPackage = GpuFlavorRestore.GpuPackage;

    [Fact]
    public async Task Default_build_references_the_cpu_package_only()
    {
        var packages = await PackageReferencesAsync(flavor: null);

        Assert.Contains(CpuPackage, packages);
        Assert.DoesNotContain(GpuPackage, packages);
    }

    [Fact]
    public async Task Gpu_flavor_swaps_in_the_cuda_package()
    {
        var packages = await PackageReferencesAsync("Gpu");

        Assert.Contains(GpuPackage, packages);
        Assert.DoesNotContain(CpuPackage, packages);
    }

    [Fact]
    public async Task Flavor_name_is_case_insensitive_like_the_docker_build_arg()
    {
        var packages = await PackageReferencesAsync("gpu");

        Assert.Contains(GpuPackage, packages);
        Assert.DoesNotContain(CpuPackage, packages);
    }

    [Fact]
    public async Task Unknown_flavor_fails_the_build_with_a_readable_error()
    {
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3),
            "msbuild", ModelProject, "-t:ValidateOnnxRuntimeFlavor", "-p:OnnxRuntimeFlavor=Cuda", "-nologo", "-v:q");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("OnnxRuntimeFlavor 'Cuda' is not known", result.Output);
    }

    [Fact]
    public async Task Known_flavors_pass_the_flavor_check()
    {
        foreach (var flavor in new[] { "Cpu", "Gpu" })
        {
            var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3),
                "msbuild", ModelProject, "-t:ValidateOnnxRuntimeFlavor", $"-p:OnnxRuntimeFlavor={flavor}", "-nologo", "-v:q");
            Assert.True(result.ExitCode == 0, $"flavor {flavor}: {result.Output}");
        }
    }

    [Fact]
    public async Task Gpu_flavor_builds_into_its_own_folders_and_leaves_the_default_build_output_alone()
    {
        var cpu = await PropertiesAsync(flavor: null, "BaseIntermediateOutputPath", "OutputPath");
        var gpuBuild = await PropertiesAsync("Gpu", "BaseIntermediateOutputPath", "OutputPath");

        string gpuFolder = Path.Combine(DotnetInRepository.Root, "artifacts", "gpu") + Path.DirectorySeparatorChar;
        Assert.StartsWith(gpuFolder, Path.GetFullPath(gpuBuild["BaseIntermediateOutputPath"], ModelFolder));
        Assert.StartsWith(gpuFolder, Path.GetFullPath(gpuBuild["OutputPath"], ModelFolder));
        Assert.DoesNotContain("artifacts", cpu["BaseIntermediateOutputPath"]);
        Assert.DoesNotContain("artifacts", cpu["OutputPath"]);
    }

    [Fact]
    public async Task Gpu_flavor_restores_and_its_cuda_provider_links_the_cuda_major_of_the_docker_image()
    {
        var restored = await gpu.Restored;
        var needed = ElfNeededLibraries.Read(restored.CudaProviderPath);

        var cudaMajors = needed
            .Select(library => CudaLibrary().Match(library))
            .Where(match => match.Success)
            .ToDictionary(match => match.Groups["name"].Value, match => int.Parse(match.Groups["major"].Value));
        Assert.True(cudaMajors.ContainsKey("cudart") && cudaMajors.ContainsKey("cublas"),
            $"{restored.CudaProviderPath} names no libcudart/libcublas among its needed libraries: {string.Join(", ", needed)}");
        int linked = Assert.Single(cudaMajors.Values.Distinct());

        var image = DockerCudaImage.Read(Path.Combine(DotnetInRepository.Root, "Dockerfile"));
        Assert.True(linked == image.Major,
            $"{GpuPackage} {restored.GpuPackageVersion}'s CUDA provider needs CUDA {linked} ({string.Join(", ", needed.Where(n => CudaLibrary().IsMatch(n)))}) " +
            $"but the Dockerfile's CUDA_IMAGE is {image.Tag} (CUDA {image.Major}): the provider would not load in the image. " +
            $"Move CUDA_IMAGE to an nvidia/cuda:{linked}.x-cudnn-runtime tag (and the README's driver note with it).");
        Assert.Contains("-cudnn-runtime-", image.Tag);
    }

    [Fact]
    public async Task Both_flavors_resolve_the_same_onnx_runtime_minor()
    {
        var restored = await gpu.Restored;
        var cpu = CpuPackagesOfThisBuild();

        var minors = new Dictionary<string, Version>
        {
            [$"{CpuPackage} (Cpu)"] = cpu[CpuPackage],
            [$"{GpuFlavorRestore.ManagedPackage} (Cpu)"] = cpu[GpuFlavorRestore.ManagedPackage],
            [$"{GpuPackage} (Gpu)"] = restored.GpuPackageVersion,
            [$"{GpuFlavorRestore.ManagedPackage} (Gpu)"] = restored.ManagedVersion,
        };
        var distinct = minors.Values.Select(version => (version.Major, version.Minor)).Distinct().ToList();
        Assert.True(distinct.Count == 1,
            "The two flavours must stay on one ONNX Runtime minor (same operators and C API): " +
            string.Join(", ", minors.Select(pair => $"{pair.Key} {pair.Value}")));
    }

    [Fact]
    public async Task Elf_reader_lists_what_the_cpu_onnxruntime_library_needs()
    {
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");

        var needed = ElfNeededLibraries.Read(library);

        Assert.Contains("libc.so.6", needed);
        Assert.Contains("libstdc++.so.6", needed);
        Assert.DoesNotContain(needed, name => CudaLibrary().IsMatch(name));
        // Where binutils is installed, the same list as readelf's, in the same order.
        if (File.Exists("/usr/bin/readelf"))
        {
            Assert.Equal(await ReadelfNeededAsync(library), needed);
        }
    }

    [Fact]
    public void Elf_reader_refuses_a_file_that_is_not_elf_with_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-elf-{Guid.NewGuid():N}.so");
        File.WriteAllText(path, "#!/bin/sh\necho not a library\n");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ElfNeededLibraries.Read(path));
            Assert.Equal($"{path} is not an ELF file.", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04\nFROM ${CUDA_IMAGE} AS runtime\n", 13)]
    [InlineData("ARG CUDA_IMAGE=\"nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04\"\nFROM ${CUDA_IMAGE}\n", 12)]
    public void Docker_cuda_image_major_is_read_from_the_build_arg(string dockerfile, int major) =>
        Assert.Equal(major, DockerCudaImage.Parse(dockerfile, "Dockerfile").Major);

    [Theory]
    [InlineData("FROM nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04\n", "has no ARG CUDA_IMAGE")]
    [InlineData("ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04\nFROM ubuntu:24.04\n", "never runs FROM ${CUDA_IMAGE}")]
    [InlineData("ARG CUDA_IMAGE=nvidia/cuda:latest\nFROM ${CUDA_IMAGE}\n", "names no CUDA version")]
    public void Docker_cuda_image_problems_are_named(string dockerfile, string problem) =>
        Assert.Contains(problem, Assert.Throws<InvalidDataException>(() => DockerCudaImage.Parse(dockerfile, "Dockerfile")).Message);

    private static string ModelFolder => Path.Combine(DotnetInRepository.Root, "Narrator.Model");

    private static string ModelProject => Path.Combine(ModelFolder, "Narrator.Model.csproj");

    [GeneratedRegex(@"^lib(?<name>cudart|cublas|cublasLt)\.so\.(?<major>\d+)$")]
    private static partial Regex CudaLibrary();

    /// <summary>The CPU flavour's ONNX Runtime packages as this test build resolved them (its deps.json).</summary>
    private static Dictionary<string, Version> CpuPackagesOfThisBuild()
    {
        string depsPath = Path.Combine(AppContext.BaseDirectory, "Narrator.Model.Tests.deps.json");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsPath));
        var versions = deps.RootElement.GetProperty("libraries").EnumerateObject()
            .Where(library => library.Name.StartsWith(CpuPackage + "/", StringComparison.Ordinal)
                || library.Name.StartsWith(GpuFlavorRestore.ManagedPackage + "/", StringComparison.Ordinal))
            .ToDictionary(library => library.Name[..library.Name.IndexOf('/')], library => GpuFlavorRestore.VersionOf(library.Name));
        Assert.True(versions.Count == 2, $"{depsPath} lists {string.Join(", ", versions.Keys)}, not {CpuPackage} and its managed half.");
        return versions;
    }

    private static async Task<IReadOnlyList<string>> ReadelfNeededAsync(string library)
    {
        var start = new ProcessStartInfo("/usr/bin/readelf") { RedirectStandardOutput = true, ArgumentList = { "-d", library } };
        using var readelf = Process.Start(start)!;
        string output = await readelf.StandardOutput.ReadToEndAsync();
        await readelf.WaitForExitAsync();
        return ReadelfNeeded().Matches(output).Select(match => match.Groups["name"].Value).ToList();
    }

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[(?<name>[^\]]+)\]")]
    private static partial Regex ReadelfNeeded();

    private static async Task<IReadOnlyList<string>> PackageReferencesAsync(string? flavor)
    {
        var args = new List<string> { "msbuild", ModelProject, "-getItem:PackageReference", "-nologo" };
        if (flavor is not null)
        {
            args.Add($"-p:OnnxRuntimeFlavor={flavor}");
        }
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3), [.. args]);
        Assert.True(result.ExitCode == 0, $"msbuild failed: {result.Output}");

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference")
            .EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .ToList();
    }

    private static async Task<Dictionary<string, string>> PropertiesAsync(string? flavor, params string[] names)
    {
        var args = new List<string> { "msbuild", ModelProject, $"-getProperty:{string.Join(',', names)}", "-nologo" };
        if (flavor is not null)
        {
            args.Add($"-p:OnnxRuntimeFlavor={flavor}");
        }
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3), [.. args]);
        Assert.True(result.ExitCode == 0, $"msbuild failed: {result.Output}");

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
