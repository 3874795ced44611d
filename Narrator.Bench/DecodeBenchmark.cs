using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Narrator.Model;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;

namespace Narrator.Bench;

/// <summary>
/// The runtime on a converted package at real widths (a random-checkpoint conversion): the memory-bandwidth bound of a
/// decode step (bytes of weights and KV read per token over a large-copy bandwidth measured in the same run), decode
/// tokens/s through the Generator after prefills of 100 and 4,000 tokens, the same steps with a bare decoder loop whose KV
/// cache is one shared buffer and with one that grows each step (the runtime before: a new present per step, the past
/// copied into it), and prefill time of 1,000 and 4,000 tokens. Runs alternate and medians are reported.
/// </summary>
internal sealed class DecodeBenchmark : IBenchmark
{
    public string Name => "decode";

    public string Description =>
        "converted package at real widths: bandwidth bound, decode tokens/s at positions 100 and 4000 (generator, shared vs growing KV), prefill of 1k/4k tokens: --model DIR [--runs N] [--tokens T] [--positions 100,4000] [--prefill 1000,4000] [--copy-mib M]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (UserInputException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {BenchProcess.MemTotalBytes() / (double)(1L << 30):F1} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}");

        // Bandwidth first, before the model takes the memory.
        var copy = CopyBandwidth(options.CopyMebibytes, runs: Math.Max(5, options.Runs));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BANDWIDTH large copy of {options.CopyMebibytes} MiB on {Environment.ProcessorCount} threads (read + write counted, as STREAM Copy): median {copy.Median / 1e9:F2} GB/s, best {copy.Best / 1e9:F2} GB/s"));

        using var package = ModelPackage.Open(options.Model, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        var decoder = package.Config.Model.Decoder;
        long weightBytes = DecoderWeightBytes(package);
        int kvElement = package.KvElementType == TensorElementType.Float ? 4 : 2;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: {package.Directory}: {decoder.NumHiddenLayers} layers x {decoder.HiddenSize}, {decoder.NumAttentionHeads} heads / {decoder.NumKeyValueHeads} KV of {decoder.HeadSize}, {package.Precision}; decoder weights read per token {weightBytes / 1e6:F0} MB"));

        var series = new Dictionary<string, List<double>>();
        void Add(string key, double value) => (series.TryGetValue(key, out var list) ? list : series[key] = []).Add(value);
        for (int run = 0; run <= options.Runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string label = run == 0 ? " (warm-up)" : "";
            foreach (int position in options.Positions)
            {
                var generated = GeneratorDecode(package, position, options.Tokens);
                double shared = BareDecode(package, position, options.Tokens, growing: false);
                double growing = BareDecode(package, position, options.Tokens, growing: true);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}{label} position {position}: generator {generated.MillisecondsPerToken:F1} ms/token (prefill {generated.PrefillMilliseconds:F0} ms), bare loop shared KV {shared:F1} ms/token, growing KV {growing:F1} ms/token"));
                if (run > 0)
                {
                    Add($"generator@{position}", generated.MillisecondsPerToken);
                    Add($"shared@{position}", shared);
                    Add($"growing@{position}", growing);
                    Add($"prefill@{position}", generated.PrefillMilliseconds);
                }
            }
            foreach (int length in options.PrefillLengths.Except(options.Positions))
            {
                double prefill = PrefillMilliseconds(package, length);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}{label} prefill of {length} tokens: {prefill:F0} ms"));
                if (run > 0)
                {
                    Add($"prefill@{length}", prefill);
                }
            }
        }

        double Median(string key) => BenchProcess.Median(series[key]);
        Console.WriteLine($"load after: {BenchProcess.LoadAverage()}");
        foreach (int position in options.Positions)
        {
            long kvBytes = 2L * decoder.NumHiddenLayers * decoder.NumKeyValueHeads * decoder.HeadSize * position * kvElement;
            double boundMs = (weightBytes + kvBytes) / copy.Median * 1000;
            double generator = Median($"generator@{position}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"DECODE position {position}, median of {options.Runs}: generator {generator:F1} ms/token = {1000 / generator:F2} tokens/s; bound {(weightBytes + kvBytes) / 1e6:F0} MB / {copy.Median / 1e9:F2} GB/s = {boundMs:F1} ms/token = {1000 / boundMs:F2} tokens/s; {100 * boundMs / generator:F0}% of the bound"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  bare loops: shared KV {Median($"shared@{position}"):F1} ms/token, growing KV {Median($"growing@{position}"):F1} ms/token ({Median($"growing@{position}") / Median($"shared@{position}"):F2}x)"));
        }
        if (options.Positions.Length >= 2)
        {
            int low = options.Positions.Min(), high = options.Positions.Max();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FLAT per-token time at position {high} / at {low}: generator {Median($"generator@{high}") / Median($"generator@{low}"):F3} (target <= 1.1), bare shared {Median($"shared@{high}") / Median($"shared@{low}"):F3}, bare growing {Median($"growing@{high}") / Median($"growing@{low}"):F3}"));
        }
        foreach (int length in options.PrefillLengths.Union(options.Positions).Order())
        {
            if (series.ContainsKey($"prefill@{length}") && options.PrefillLengths.Contains(length))
            {
                double ms = Median($"prefill@{length}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"PREFILL {length} tokens, median of {options.Runs}: {ms:F0} ms = {length / (ms / 1000):F0} tokens/s (chunks of {Generator.DefaultPrefillChunkSize})"));
            }
        }
        await Task.CompletedTask;
        return 0;
    }

    /// <summary>Bytes one decode step reads from the decoder's weights: its external data plus the initializers inside the graph.</summary>
    private static long DecoderWeightBytes(ModelPackage package)
    {
        string decoderPath = Path.Combine(package.Directory, package.Config.Model.Decoder.Filename);
        string data = decoderPath + ".data";
        return (File.Exists(data) ? new FileInfo(data).Length : 0) + new FileInfo(decoderPath).Length;
    }

    private sealed record GeneratorResult(double PrefillMilliseconds, double MillisecondsPerToken);

    /// <summary>The runtime itself: prefill a text prompt of <paramref name="position"/> tokens, then time greedy steps.</summary>
    private static GeneratorResult GeneratorDecode(ModelPackage package, int position, int tokens)
    {
        var prompt = TextPrompt(position, seed: position);
        using var runOptions = new RunOptions();
        using var generator = new Generator(package, position + tokens + 1);
        generator.Prefill(prompt, runOptions);
        var sampler = new Sampler(new GenerationOptions(), generator.VocabularySize);
        var times = new List<double>(tokens);
        for (int i = 0; i < tokens; i++)
        {
            long start = Stopwatch.GetTimestamp();
            int token = sampler.Sample(generator.Logits);
            sampler.Observe(token);
            generator.Append(token, runOptions);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new GeneratorResult(generator.PrefillTime.TotalMilliseconds, BenchProcess.Median(times));
    }

    private static double PrefillMilliseconds(ModelPackage package, int length)
    {
        using var runOptions = new RunOptions();
        using var generator = new Generator(package, length + 1);
        generator.Prefill(TextPrompt(length, seed: length), runOptions);
        return generator.PrefillTime.TotalMilliseconds;
    }

    /// <summary>
    /// Decoder Run alone, one token after a cache of <paramref name="position"/> tokens (zeros: the values do not change the
    /// work): with <paramref name="growing"/> the past is a tensor of exactly the tokens so far and each step's present is a new
    /// tensor fed back as the next past (GroupQueryAttention copies the past into it); otherwise one buffer per layer is
    /// bound as past and present. Median milliseconds per step.
    /// </summary>
    private static double BareDecode(ModelPackage package, int position, int tokens, bool growing)
    {
        var config = package.Config.Model.Decoder;
        var session = package.Decoder;
        int layers = config.NumHiddenLayers;
        long[] Shape(int length) => [1, config.NumKeyValueHeads, length, config.HeadSize];
        var embedsType = session.InputMetadata[config.Inputs.InputsEmbeds].ElementDataType;
        using var embeds = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, embedsType, [1, 1, config.HiddenSize]);
        var positions = new long[3];
        using var positionValue = OrtValue.CreateTensorValueFromMemory(positions, [3, 1, 1]);
        var mask = new long[position + tokens + 1];
        Array.Fill(mask, 1L);
        using var runOptions = new RunOptions();
        using var binding = session.CreateIoBinding();
        binding.BindInput(config.Inputs.InputsEmbeds, embeds);
        binding.BindInput(config.Inputs.PositionIds, positionValue);
        binding.BindOutputToDevice(config.Outputs.Logits, OrtMemoryInfo.DefaultInstance);

        var kv = new OrtValue[2 * layers];
        try
        {
            for (int i = 0; i < kv.Length; i++)
            {
                kv[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, package.KvElementType,
                    Shape(growing ? position : position + tokens + 1));
                kv[i].GetTensorMutableRawData().Clear();
            }
            var times = new List<double>(tokens);
            for (int step = 0; step < tokens; step++)
            {
                int past = position + step;
                positions[0] = positions[1] = positions[2] = past;
                using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(mask, 0, past + 1), [1, past + 1]);
                binding.BindInput(config.Inputs.AttentionMask, maskValue);
                for (int layer = 0; layer < layers; layer++)
                {
                    binding.BindInput(config.PastKeyName(layer), kv[2 * layer]);
                    binding.BindInput(config.PastValueName(layer), kv[2 * layer + 1]);
                    if (growing)
                    {
                        binding.BindOutputToDevice(config.PresentKeyName(layer), OrtMemoryInfo.DefaultInstance);
                        binding.BindOutputToDevice(config.PresentValueName(layer), OrtMemoryInfo.DefaultInstance);
                    }
                    else
                    {
                        binding.BindOutput(config.PresentKeyName(layer), kv[2 * layer]);
                        binding.BindOutput(config.PresentValueName(layer), kv[2 * layer + 1]);
                    }
                }
                long start = Stopwatch.GetTimestamp();
                var outputs = session.RunWithBoundResults(runOptions, binding);
                if (growing)
                {
                    // The previous past is released as the present replaces it, as the growing runtime did.
                    for (int i = 0; i < kv.Length; i++)
                    {
                        kv[i].Dispose();
                        kv[i] = outputs[1 + i];
                    }
                    outputs[0].Dispose();
                }
                else
                {
                    outputs.Dispose();
                }
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            return BenchProcess.Median(times);
        }
        finally
        {
            foreach (var value in kv)
            {
                value?.Dispose();
            }
        }
    }

    private sealed record Bandwidth(double Median, double Best);

    /// <summary>
    /// Copies one large buffer into another on every core (each thread its own slice), counting the bytes read and written
    /// as STREAM Copy does; a decode step is as many reads of weights spread over the same threads.
    /// </summary>
    private static Bandwidth CopyBandwidth(int mebibytes, int runs)
    {
        int bytes = checked(mebibytes << 20);
        var source = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        var target = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        source.AsSpan().Fill(1);
        target.AsSpan().Clear();
        int threads = Environment.ProcessorCount;
        int slice = bytes / threads;
        var rates = new List<double>();
        for (int run = 0; run <= runs; run++)
        {
            long start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int offset = t * slice, length = t == threads - 1 ? bytes - offset : slice;
                source.AsSpan(offset, length).CopyTo(target.AsSpan(offset, length));
            });
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (run > 0)
            {
                rates.Add(2.0 * bytes / seconds);
            }
        }
        return new Bandwidth(BenchProcess.Median(rates), rates.Max());
    }

    /// <summary>Ordinary BPE ids with text positions (p, p, p).</summary>
    private static GeneratorPrompt TextPrompt(int length, int seed)
    {
        var random = new Random(seed);
        var ids = new int[length];
        var positions = new long[3 * length];
        for (int i = 0; i < length; i++)
        {
            ids[i] = random.Next(0, 150000);
            positions[i] = positions[length + i] = positions[2 * length + i] = i;
        }
        return new GeneratorPrompt { Ids = ids, PositionIds = positions };
    }

    private sealed record Options(string Model, int Runs, int Tokens, int[] Positions, int[] PrefillLengths, int CopyMebibytes)
    {
        public static Options Parse(string[] args)
        {
            string? model = null;
            int runs = 3, tokens = 16, copy = 1024;
            int[] positions = [100, 4000], prefill = [1000, 4000];
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model": model = Value(); break;
                    case "--runs": runs = Whole(Value(), "--runs"); break;
                    case "--tokens": tokens = Whole(Value(), "--tokens"); break;
                    case "--positions": positions = Wholes(Value(), "--positions"); break;
                    case "--prefill": prefill = Wholes(Value(), "--prefill"); break;
                    case "--copy-mib": copy = Whole(Value(), "--copy-mib"); break;
                    default: throw new UserInputException($"Unknown argument {args[i]}.");
                }
            }
            return new Options(model ?? throw new UserInputException("--model DIR (a converted package) is required."), runs, tokens, positions, prefill, copy);
        }

        private static int[] Wholes(string text, string name) => [.. text.Split(',').Select(t => Whole(t, name))];

        private static int Whole(string text, string name) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
                ? value : throw new UserInputException($"{name} takes positive whole numbers (got \"{text}\").");
    }
}
