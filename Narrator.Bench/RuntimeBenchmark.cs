using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Synthetic;
using Narrator.Model.Text;

namespace Narrator.Bench;

/// <summary>
/// The ONNX generator on the tiny package: per-token overhead against a bare loop of decoder Run calls with the same
/// shapes, decode speed near position 1,000 against near position 10, and peak memory of a 12,000-token prefill.
/// </summary>
internal sealed class RuntimeBenchmark : IBenchmark
{
    private const string MemoryProbe = "--memory-probe";
    private const int Steps = 200;

    public string Name => "runtime";

    public string Description => "generator overhead vs bare decoder loop, flat decode cost, 12k-token prefill peak memory [runs] [--skip-memory]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 4 && args[0] == MemoryProbe)
        {
            return ProbePrefillMemory(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        }
        int runs = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
        bool skipMemory = args.Contains("--skip-memory");

        string directory = Path.Combine(Path.GetTempPath(), "narrator-bench-runtime-" + Environment.ProcessId);
        var writeClock = Stopwatch.StartNew();
        await new TinyModelWriter().WriteAsync(directory, 0, cancellationToken);
        Console.WriteLine($"tiny package written in {writeClock.ElapsedMilliseconds} ms ({new DirectoryInfo(directory).GetFiles().Sum(f => f.Length) / 1048576.0:F1} MB)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load {LoadAverage()}");
        try
        {
            using (var package = ModelPackage.Open(directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu }))
            {
                await MeasureOverheadAsync(package, runs, cancellationToken);
                MeasureFlatCost(package, runs);
            }
            if (!skipMemory)
            {
                await MeasurePrefillMemoryAsync(directory, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// Per generated token: the whole generator path (NarrationGenerator's stream: sampler, embedding, decoder, logits)
    /// vs decoder Run alone with the same shapes. Steps of the two alternate and each is timed, so load from other work on
    /// the machine hits both alike; per-step medians are compared.
    /// </summary>
    private static async Task MeasureOverheadAsync(ModelPackage package, int runs, CancellationToken cancellationToken)
    {
        using var engine = new NarrationGenerator(package, QwenTokenizer.Bundled);
        string text = string.Concat(Enumerable.Repeat("A quiet street at dusk, a cyclist passes. ", 8));
        int promptLength = engine.BuildPrompt(text, null).Ids.Length;
        var options = new GenerationOptions { MaxNewTokens = Steps + 1 };
        var generatorMedians = new List<double>();
        var bareMedians = new List<double>();
        for (int run = 0; run <= runs; run++)
        {
            using var bare = new BareDecoderLoop(package, promptLength);
            var generatorSteps = new List<double>(Steps);
            var bareSteps = new List<double>(Steps);
            await using var stream = engine.GenerateAsync(text, null, options, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
            // Advance to the first token: stages and prefill are not part of the per-token cost.
            while (await stream.MoveNextAsync() && stream.Current.Kind != GenerationUpdateKind.Token)
            {
            }
            for (int step = 0; step < Steps; step++)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (!await stream.MoveNextAsync() || stream.Current.Kind != GenerationUpdateKind.Token)
                {
                    throw new InvalidOperationException("the generator stopped early");
                }
                long t1 = Stopwatch.GetTimestamp();
                bare.Step();
                long t2 = Stopwatch.GetTimestamp();
                generatorSteps.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                bareSteps.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            }
            double generator = Median(generatorSteps), baseline = Median(bareSteps);
            Console.WriteLine($"overhead run {run}{(run == 0 ? " (warm-up)" : "")}: generator {generator:F3} ms/token, bare decoder Run {baseline:F3} ms/token, ratio {generator / baseline:F3}");
            if (run > 0)
            {
                generatorMedians.Add(generator);
                bareMedians.Add(baseline);
            }
        }
        Console.WriteLine($"OVERHEAD median of {runs}: generator {Median(generatorMedians):F3} ms/token, bare {Median(bareMedians):F3} ms/token, ratio {Median(generatorMedians) / Median(bareMedians):F3} (target <= 1.10)");
        Console.WriteLine($"  of the difference, greedy sampling over {package.Decoder.OutputMetadata[package.Config.Model.Decoder.Outputs.Logits].Dimensions[^1]} logits (which the bare loop never reads) takes {SamplingMilliseconds(package):F3} ms/token");
    }

    /// <summary>Median time of one greedy pick (repetition penalty over ~300 seen ids, then the vectorised argmax).</summary>
    private static double SamplingMilliseconds(ModelPackage package)
    {
        int vocab = (int)package.Decoder.OutputMetadata[package.Config.Model.Decoder.Outputs.Logits].Dimensions[^1];
        var random = new Random(5);
        var logits = new float[vocab];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)(random.NextDouble() * 10);
        }
        var sampler = new Sampler(new GenerationOptions(), vocab);
        for (int i = 0; i < 300; i++)
        {
            sampler.Observe(random.Next(vocab));
        }
        var times = new List<double>(Steps);
        for (int i = 0; i < Steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            sampler.Sample(logits);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Median(times);
    }

    /// <summary>
    /// The baseline: decoder Run with the generator's shapes (past of the prompt length, one new token), presents fed
    /// back as past, nothing else: no embedding run, no sampling, no logits read.
    /// </summary>
    private sealed class BareDecoderLoop : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly List<string> _inputNames;
        private readonly List<string> _outputNames;
        private readonly RunOptions _runOptions = new();
        private readonly long[] _mask;
        private readonly long[] _positions = new long[3];
        private readonly OrtValue _embeds;
        private readonly OrtValue _positionsValue;
        private OrtValue[] _past;
        private int _total;

        public BareDecoderLoop(ModelPackage package, int promptLength)
        {
            var decoder = package.Config.Model.Decoder;
            _session = package.Decoder;
            _inputNames = [decoder.Inputs.InputsEmbeds, decoder.Inputs.AttentionMask, decoder.Inputs.PositionIds];
            _outputNames = [decoder.Outputs.Logits];
            for (int layer = 0; layer < decoder.NumHiddenLayers; layer++)
            {
                _inputNames.Add(decoder.PastKeyName(layer));
                _inputNames.Add(decoder.PastValueName(layer));
                _outputNames.Add(decoder.PresentKeyName(layer));
                _outputNames.Add(decoder.PresentValueName(layer));
            }
            _mask = new long[promptLength + Steps + 1];
            Array.Fill(_mask, 1L);
            _past = new OrtValue[2 * decoder.NumHiddenLayers];
            long[] emptyShape = [1, decoder.NumKeyValueHeads, 0, decoder.HeadSize];
            for (int i = 0; i < _past.Length; i++)
            {
                _past[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, package.KvElementType, emptyShape);
            }

            // Prefill the same number of positions in one Run so the decode steps see the same past lengths.
            var random = new Random(1);
            var promptEmbeds = new float[promptLength * decoder.HiddenSize];
            for (int i = 0; i < promptEmbeds.Length; i++)
            {
                promptEmbeds[i] = (float)(random.NextDouble() - 0.5);
            }
            var promptPositions = new long[3 * promptLength];
            for (int i = 0; i < promptPositions.Length; i++)
            {
                promptPositions[i] = i % promptLength;
            }
            using (var embeds = OrtValue.CreateTensorValueFromMemory(promptEmbeds, [1, promptLength, decoder.HiddenSize]))
            using (var positions = OrtValue.CreateTensorValueFromMemory(promptPositions, [3, 1, promptLength]))
            {
                Run(embeds, positions, promptLength);
            }
            _embeds = OrtValue.CreateTensorValueFromMemory(new float[decoder.HiddenSize], [1, 1, decoder.HiddenSize]);
            _positionsValue = OrtValue.CreateTensorValueFromMemory(_positions, [3, 1, 1]);
        }

        public void Step()
        {
            _positions[0] = _positions[1] = _positions[2] = _total;
            Run(_embeds, _positionsValue, 1);
        }

        private void Run(OrtValue embeds, OrtValue positions, int tokens)
        {
            _total += tokens;
            using var mask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_mask, 0, _total), [1, _total]);
            var inputs = new List<OrtValue>(3 + _past.Length) { embeds, mask, positions };
            inputs.AddRange(_past);
            var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
            outputs[0].Dispose();
            for (int i = 0; i < _past.Length; i++)
            {
                _past[i].Dispose();
                _past[i] = outputs[1 + i];
            }
        }

        public void Dispose()
        {
            foreach (var value in _past)
            {
                value.Dispose();
            }
            _embeds.Dispose();
            _positionsValue.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>
    /// Per-token decode time after a 1,000-token prompt vs after a 10-token prompt, steps of the two sequences
    /// alternating (same load on both), reported as tokens/s from the per-step medians.
    /// </summary>
    private static void MeasureFlatCost(ModelPackage package, int runs)
    {
        const int tokens = 60;
        var near10 = new List<double>();
        var near1000 = new List<double>();
        for (int run = 0; run <= runs; run++)
        {
            using var shortSequence = new DecodeSequence(package, 10);
            using var longSequence = new DecodeSequence(package, 1000);
            var shortSteps = new List<double>(tokens);
            var longSteps = new List<double>(tokens);
            for (int i = 0; i < tokens; i++)
            {
                shortSteps.Add(shortSequence.Step());
                longSteps.Add(longSequence.Step());
            }
            double shortRate = 1000 / Median(shortSteps), longRate = 1000 / Median(longSteps);
            Console.WriteLine($"flat run {run}{(run == 0 ? " (warm-up)" : "")}: {shortRate:F1} tokens/s near position 10, {longRate:F1} near position 1000, ratio {longRate / shortRate:F3}");
            if (run > 0)
            {
                near10.Add(shortRate);
                near1000.Add(longRate);
            }
        }
        Console.WriteLine($"FLAT median of {runs}: {Median(near10):F1} tokens/s near 10, {Median(near1000):F1} near 1000, ratio {Median(near1000) / Median(near10):F3} (target >= 0.8)");
    }

    /// <summary>A prefilled sequence decoded greedily one timed token at a time (the generator's own loop).</summary>
    private sealed class DecodeSequence : IDisposable
    {
        private readonly Generator _generator;
        private readonly RunOptions _runOptions = new();
        private readonly Sampler _sampler;

        public DecodeSequence(ModelPackage package, int promptLength)
        {
            _generator = new Generator(package);
            _sampler = new Sampler(new GenerationOptions(), _generator.VocabularySize);
            _generator.Prefill(TextPrompt(promptLength, seed: promptLength), _runOptions);
        }

        public double Step()
        {
            long start = Stopwatch.GetTimestamp();
            int token = _sampler.Sample(_generator.Logits);
            _sampler.Observe(token);
            _generator.Append(token, _runOptions);
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        public void Dispose()
        {
            _generator.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Ordinary BPE ids with text positions (p, p, p): a long prompt without depending on any text.</summary>
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

    /// <summary>Each prefill runs in a fresh child process, so its peak resident set is its own.</summary>
    private static async Task MeasurePrefillMemoryAsync(string directory, CancellationToken cancellationToken)
    {
        const int tokens = 12000;
        foreach (int chunk in new[] { 512, 2048, tokens })
        {
            long available = MemAvailableBytes();
            // Unchunked, the tiny model materialises [12000, 151936] fp32 logits (7.3 GB) plus [4, 12000, 12000] attention.
            if (chunk == tokens && available < 18L << 30)
            {
                Console.WriteLine($"MEMORY unchunked: skipped, only {available / (double)(1L << 30):F1} GiB available (needs ~18)");
                continue;
            }
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            {
                start.ArgumentList.Add(typeof(RuntimeBenchmark).Assembly.Location);
            }
            foreach (var argument in new[] { "runtime", MemoryProbe, directory, chunk.ToString(CultureInfo.InvariantCulture), tokens.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MEMORY {tokens}-token prefill, chunk {chunk}: peak RSS {result.GetProperty("peakMb").GetDouble():F0} MB (after load {result.GetProperty("loadedMb").GetDouble():F0} MB, prefill adds {result.GetProperty("peakMb").GetDouble() - result.GetProperty("loadedMb").GetDouble():F0} MB), {result.GetProperty("seconds").GetDouble():F1} s"));
        }
    }

    private static int ProbePrefillMemory(string directory, int chunk, int tokens)
    {
        using var package = ModelPackage.Open(directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        var prompt = TextPrompt(tokens, seed: 3);
        double loaded = PeakResidentMegabytes();
        var clock = Stopwatch.StartNew();
        using (var generator = new Generator(package, chunk))
        using (var runOptions = new RunOptions())
        {
            generator.Prefill(prompt, runOptions);
            _ = generator.Logits[0];
        }
        Console.WriteLine(JsonSerializer.Serialize(new { loadedMb = loaded, peakMb = PeakResidentMegabytes(), seconds = clock.Elapsed.TotalSeconds }));
        return 0;
    }

    private static double PeakResidentMegabytes() => StatusKilobytes("/proc/self/status", "VmHWM:") / 1024.0;

    private static long MemAvailableBytes() => StatusKilobytes("/proc/meminfo", "MemAvailable:") * 1024;

    private static long StatusKilobytes(string file, string key)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "n/a";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
