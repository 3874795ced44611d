using System.Globalization;
using Narrator.Model;
using Narrator.Model.Synthetic;

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
            var config = Qwen25VlShapes.Reduced(Qwen25VlShapes.Named(options.Shape), options.Layers, options.VisionDepth);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"writing a random Qwen2.5-VL-{options.Shape.ToUpperInvariant()} checkpoint to {options.Output}: text {config.Text.Layers} layers x {config.Text.HiddenSize} (vocab {config.Text.VocabSize}, tied embeddings {config.Text.TieWordEmbeddings}), vision {config.Vision.Depth} blocks x {config.Vision.HiddenSize} (full attention in [{string.Join(", ", config.Vision.FullAttentionBlocks)}])"));
            var written = await new RandomCheckpointWriter().WriteAsync(options.Output, config, options.Seed,
                onShard: (file, bytes) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {file}: {bytes / 1e9:F2} GB")),
                cancellationToken: cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {written.Tensors} tensors, {written.TensorBytes / 1e9:F2} GB in {written.Shards.Count} shard(s) in {written.Elapsed.TotalSeconds:F0} s ({written.TensorBytes / 1e6 / written.Elapsed.TotalSeconds:F0} MB/s, load {BenchProcess.LoadAverage()})"));
            return 0;
        }
        catch (UserInputException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
    }

    private sealed record Options(string Shape, int? Layers, int? VisionDepth, ulong Seed, string Output)
    {
        public static Options Parse(string[] args)
        {
            string? shape = null, output = null;
            int? layers = null, depth = null;
            ulong seed = 1;
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--shape": shape = Value(); break;
                    case "--layers": layers = Whole(Value(), "--layers"); break;
                    case "--vision-depth": depth = Whole(Value(), "--vision-depth"); break;
                    case "--seed": seed = (ulong)Whole(Value(), "--seed"); break;
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
