using System.Diagnostics;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Verification;
using Narrator.Model.Onnx;

namespace Narrator.Model.Tests.Conversion;

/// <summary>
/// hf-tiny converted once per test run at each precision a test asks for (fp32 up front), with the verification report
/// of each package against hf-tiny's transformers outputs, so the suite converts and verifies every precision once.
/// </summary>
public sealed class ConvertedHfTinyFixture : IAsyncLifetime
{
    private readonly Dictionary<string, string> _packages = [];
    private readonly Dictionary<string, VerificationReport> _reports = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "narrator-hf-tiny-" + Guid.NewGuid().ToString("N")[..8]);

    public ReferenceFolder Reference { get; } = ReferenceFolder.Open(HfTiny.Root);

    /// <summary>Wall time of each conversion the fixture made (docs/BENCHMARKS.md quotes the suite's total).</summary>
    public Dictionary<string, TimeSpan> ConversionTimes { get; } = [];

    public static ExecutionProviderOptions Cpu { get; } = new() { Provider = ExecutionProviderKind.Cpu };

    public async Task InitializeAsync() => await PackageAsync(new ConversionOptions());

    /// <summary>The package folder of hf-tiny converted with <paramref name="options"/> (converted on first use).</summary>
    public async Task<string> PackageAsync(ConversionOptions options)
    {
        string key = Key(options);
        if (!_packages.TryGetValue(key, out string? directory))
        {
            directory = Path.Combine(Root, key);
            var watch = Stopwatch.StartNew();
            await new CheckpointConverter().ConvertAsync(HfTiny.Checkpoint, directory, options);
            ConversionTimes[key] = watch.Elapsed;
            _packages[key] = directory;
        }
        return directory;
    }

    /// <summary>The verification report of a package folder against hf-tiny (run once per folder).</summary>
    public VerificationReport Report(string directory, VerificationTolerance? tolerance = null)
    {
        if (!_reports.TryGetValue(directory, out var report))
        {
            using var package = ModelPackage.Open(directory, Cpu);
            report = new PackageVerifier(package, Reference, tolerance).Run();
            _reports[directory] = report;
        }
        return report;
    }

    public async Task<VerificationReport> ReportAsync(ConversionOptions options) => Report(await PackageAsync(options));

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A scratch folder under this run's temp root.</summary>
    public string ScratchDirectory(string name)
    {
        string path = Path.Combine(Root, "scratch", name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Key(ConversionOptions options) =>
        $"{options.Precision}-vision{options.VisionPrecision}"
        + (options.Precision == TextPrecision.Int4 ? $"-b{options.Int4.BlockSize}-a{options.Int4.AccuracyLevel}-{options.Int4.Activations}" : "")
        + $"-{options.EffectiveDecodeAttention}";
}

[CollectionDefinition(Name)]
public sealed class ConvertedHfTinyCollection : ICollectionFixture<ConvertedHfTinyFixture>
{
    public const string Name = "converted hf-tiny";
}
