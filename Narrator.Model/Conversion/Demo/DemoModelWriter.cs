using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Onnx;
using Narrator.Model.Text;

namespace Narrator.Model.Conversion.Demo;

/// <summary>
/// Narrator's demo model: a random-weight Qwen2.5-VL checkpoint at hf-tiny's sizes, written and converted by the same
/// converter as a real one, so the app, the CLI and the tests run the real graphs without a download. Its text is
/// decodable (<see cref="RandomCheckpointSpec.KeepTextDecodable"/>) and meaningless. Same seed and precision, same bytes.
/// </summary>
public sealed class DemoModelWriter(ILogger? logger = null)
{
    /// <summary>Bumped whenever the demo package changes, so cached packages (named with it) are rewritten rather than reused.</summary>
    public const int FormatVersion = 4;

    /// <summary>hf-tiny's sizes; a small rope theta so every M-RoPE section turns noticeably over a few positions (Qwen's 1e6 barely moves at head size 16).</summary>
    public static readonly RandomCheckpointSpec Spec = new() { KeepTextDecodable = true, RopeTheta = 100 };

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Writes (replaces) the demo package in <paramref name="directory"/>; the checkpoint it converts is deleted afterwards.</summary>
    public async Task<ConversionResult> WriteAsync(string directory, int seed, TextPrecision precision = TextPrecision.Fp32,
        CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        string output = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        // A fixed checkpoint folder name inside a unique one: the package records the name, so the same seed gives the same bytes.
        string scratch = output + ".demo-" + Guid.NewGuid().ToString("N")[..8];
        string checkpoint = Path.Combine(scratch, "random-checkpoint");
        try
        {
            await RandomCheckpointWriter.WriteAsync(checkpoint, Spec, seed, cancellationToken);
            var result = await new CheckpointConverter().ConvertAsync(checkpoint, output,
                new ConversionOptions { Precision = precision, Overwrite = true, DemoModel = true }, cancellationToken: cancellationToken);
            _logger.LogInformation("Wrote the demo model package (seed {Seed}, {Precision}) to {Directory} in {Milliseconds:F0} ms",
                seed, precision, output, watch.Elapsed.TotalMilliseconds);
            return result;
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>
    /// Reuses a complete package already in <paramref name="directory"/>, otherwise writes one (the converter stages it
    /// and moves it in, so an interrupted write never leaves a half package). Returns true when it wrote.
    /// </summary>
    public async Task<bool> WriteIfMissingAsync(string directory, int seed, CancellationToken cancellationToken = default)
    {
        string configPath = Path.Combine(directory, GenAiConfig.FileName);
        if (File.Exists(configPath) && IsComplete(directory, configPath))
        {
            return false;
        }
        await WriteAsync(directory, seed, cancellationToken: cancellationToken);
        return true;
    }

    /// <summary>Where the CLI and the server keep the demo package when no model is configured: $XDG_CACHE_HOME or ~/.cache.</summary>
    public static string DefaultCacheDirectory(int seed)
    {
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(cache, "narrator", $"demo-model-v{FormatVersion}-seed{seed}");
    }

    private static bool IsComplete(string directory, string configPath)
    {
        try
        {
            var model = GenAiConfig.Parse(File.ReadAllText(configPath), configPath).Model;
            return new[] { model.Vision.Filename, model.Embedding.Filename, model.Decoder.Filename, BundledTokenizer.TokenizerJsonFileName }
                .All(name => File.Exists(Path.Combine(directory, name)));
        }
        catch (ModelPackageException)
        {
            return false;
        }
    }
}
