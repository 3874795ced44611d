using System.Diagnostics;
using System.Text.Json;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// The build property <c>OnnxRuntimeFlavor</c> picks the ONNX Runtime package with no code change.
/// Asked of MSBuild by evaluation only, so the GPU package (absent from this machine's NuGet mirror) is never restored.
/// </summary>
public class OnnxRuntimeFlavorTests
{
    private const string CpuPackage = "Microsoft.ML.OnnxRuntime";
    private const string GpuPackage = "Microsoft.ML.OnnxRuntime.Gpu.Linux";

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
        var result = await RunDotnetAsync(
            "msbuild", ModelProject, "-t:ValidateOnnxRuntimeFlavor", "-p:OnnxRuntimeFlavor=Cuda", "-nologo", "-v:q");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("OnnxRuntimeFlavor 'Cuda' is not known", result.Output);
    }

    [Fact]
    public async Task Known_flavors_pass_the_flavor_check()
    {
        foreach (var flavor in new[] { "Cpu", "Gpu" })
        {
            var result = await RunDotnetAsync(
                "msbuild", ModelProject, "-t:ValidateOnnxRuntimeFlavor", $"-p:OnnxRuntimeFlavor={flavor}", "-nologo", "-v:q");
            Assert.True(result.ExitCode == 0, $"flavor {flavor}: {result.Output}");
        }
    }

    private static string ModelProject => Path.Combine(RepositoryRoot(), "Narrator.Model", "Narrator.Model.csproj");

    private static async Task<IReadOnlyList<string>> PackageReferencesAsync(string? flavor)
    {
        var args = new List<string> { "msbuild", ModelProject, "-getItem:PackageReference", "-nologo" };
        if (flavor is not null)
        {
            args.Add($"-p:OnnxRuntimeFlavor={flavor}");
        }
        var result = await RunDotnetAsync([.. args]);
        Assert.True(result.ExitCode == 0, $"msbuild failed: {result.Output}");

        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("Items").GetProperty("PackageReference")
            .EnumerateArray()
            .Select(item => item.GetProperty("Identity").GetString()!)
            .ToList();
    }

    private static async Task<(int ExitCode, string Output)> RunDotnetAsync(params string[] args)
    {
        // The test host sets DOTNET_HOST_PATH to the dotnet that runs it; fall back to PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // A child msbuild must not join (or leave behind) a node of the build that runs these tests.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Narrator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Narrator.sln not found above {AppContext.BaseDirectory}.");
    }
}
