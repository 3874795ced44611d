using System.Diagnostics;
using System.Globalization;
using Narrator.Model;
using Narrator.Model.Conversion.Demo;

namespace Narrator.Bench;

/// <summary>
/// <c>random-checkpoint --shape 3b|7b [--layers N] [--vision-depth M] [--seed S] --out DIR</c>: a Hugging Face checkpoint
/// folder with the exact tensor names and shapes of Qwen2.5-VL-3B/7B-Instruct and random bf16 weights, for the conversion
/// and runtime benchmarks at real sizes (not a test fixture: the full 7B is 16.6 GB).
/// </summary>
internal sealed class RandomCheckpointBenchmark : IBenchmark
{
    public string Name => "random-checkpoint";

    public string Description => "write a random-weight Hugging Face checkpoint at Qwen2.5-VL-3B/7B shapes: --shape 3b|7b [--layers N] [--vision-depth M] [--seed S] --out DIR";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        try
        {
            var options = Options.Parse(args);
            var spec = RandomCheckpointSpec.Named(options.Shape).Reduced(options.Layers, options.VisionDepth);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"writing a random Qwen2.5-VL-{options.Shape.ToUpperInvariant()} checkpoint to {options.Output}: text {spec.Layers} layers x {spec.HiddenSize} (vocab {spec.VocabSize}, tied embeddings {spec.TieWordEmbeddings}), vision {spec.VisionDepth} blocks x {spec.VisionHiddenSize} (full attention in [{string.Join(", ", spec.FullAttentionBlocks)}])"));
            if (Directory.Exists(options.Output) && Directory.EnumerateFileSystemEntries(options.Output).Any())
            {
                throw new UserInputException($"{options.Output} already exists and is not empty; choose a new folder for the checkpoint.");
            }
            var clock = Stopwatch.StartNew();
            long total = 0;
            int shards = 0;
            await RandomCheckpointWriter.WriteAsync(options.Output, spec, options.Seed, cancellationToken, RandomCheckpointWriter.HubShardBytes,
                (file, bytes) =>
                {
                    total += bytes;
                    shards++;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {file}: {bytes / 1e9:F2} GB"));
                });
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {total / 1e9:F2} GB of bf16 weights in {shards} shard(s) in {seconds:F0} s ({total / 1e6 / seconds:F0} MB/s, load {BenchProcess.LoadAverage()})"));
            return 0;
        }
        catch (UserInputException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }

    private sealed record Options(string Shape, int? Layers, int? VisionDepth, int Seed, string Output)
    {
        public static Options Parse(string[] args)
        {
            string? shape = null, output = null;
            int? layers = null, depth = null;
            int seed = 1;
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--shape": shape = Value(); break;
                    case "--layers": layers = Whole(Value(), "--layers"); break;
                    case "--vision-depth": depth = Whole(Value(), "--vision-depth"); break;
                    case "--seed": seed = Whole(Value(), "--seed"); break;
                    case "--out": output = Value(); break;
                    default: throw new UserInputException($"Unknown argument {args[i]}.");
                }
            }
            return new Options(shape ?? throw new UserInputException("--shape 3b|7b is required."), layers, depth, seed,
                output ?? throw new UserInputException("--out DIR is required."));
        }

        private static int Whole(string text, string name) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? value : throw new UserInputException($"{name} must be a whole number (got \"{text}\").");
    }
}
