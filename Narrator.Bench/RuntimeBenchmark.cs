using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Conversion.Demo;
using Narrator.Model.Text;

namespace Narrator.Bench;

/// <summary>
/// The ONNX generator on the demo package (the real Qwen2.5-VL graphs at tiny widths): per-token overhead against a bare
/// loop of decoder Run calls with the same shapes, decode speed near position 1,000 against near position 10, prefill
/// time, and peak memory of a 12,000-token prefill.
/// </summary>
internal sealed class RuntimeBenchmark : IBenchmark
{
    private const string MemoryProbe = "--memory-probe";
    private const int Steps = 200;

    /// <summary>The web demo's 16-frame page clip (~1,260 prompt tokens) and the Megamind clip at default settings (4,628).</summary>
    private static readonly int[] PrefillLengths = [1260, 4628];

    public string Name => "runtime";

    public string Description => "generator overhead vs bare decoder loop, flat decode cost, prefill time, 12k-token prefill peak memory [runs] [--skip-memory|--only-memory|--only-prefill]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length >= 4 && args[0] == MemoryProbe)
        {
            return ProbePrefillMemory(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
                arena: !args.Contains("--no-arena"));
        }
        int runs = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
        bool onlyMemory = args.Contains("--only-memory");
        bool onlyPrefill = args.Contains("--only-prefill");
        bool skipMemory = args.Contains("--skip-memory") || onlyPrefill;

        string root = Path.Combine(Path.GetTempPath(), "narrator-bench-runtime-" + Environment.ProcessId);
        string directory = Path.Combine(root, "demo");
        var writeClock = Stopwatch.StartNew();
        var written = await new DemoModelWriter().WriteAsync(directory, 0, cancellationToken: cancellationToken);
        Console.WriteLine($"demo package written in {writeClock.ElapsedMilliseconds} ms ({written.TotalBytes / 1048576.0:F1} MB)");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load {BenchProcess.LoadAverage()}");
        var cpu = new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu };
        try
        {
            if (!onlyMemory && !onlyPrefill)
            {
                using var package = ModelPackage.Open(directory, cpu);
                await MeasureOverheadAsync(package, runs, cancellationToken);
                MeasureFlatCost(package, runs);
            }
            if (!onlyMemory)
            {
                using var package = ModelPackage.Open(directory, cpu);
                MeasurePrefill(package, runs);
            }
            if (!skipMemory)
            {
                await MeasurePrefillMemoryAsync(directory, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    /// <summary>Prefill time (embedding + chunked decoder runs, default chunk) of a text prompt; the LM head sees the last position only.</summary>
    private static void MeasurePrefill(ModelPackage package, int runs)
    {
        foreach (int tokens in PrefillLengths)
        {
            var prompt = TextPrompt(tokens, seed: tokens);
            var times = new List<double>();
            for (int run = 0; run <= runs; run++)
            {
                double milliseconds = PrefillMilliseconds(package, prompt);
                Console.WriteLine($"prefill run {run}{(run == 0 ? " (warm-up)" : "")}: {tokens} tokens, {milliseconds:F0} ms");
                if (run > 0)
                {
                    times.Add(milliseconds);
                }
            }
            Console.WriteLine($"PREFILL {tokens} tokens, median of {runs}: {BenchProcess.Median(times):F0} ms (load {BenchProcess.LoadAverage()})");
        }
    }

    private static double PrefillMilliseconds(ModelPackage package, GeneratorPrompt prompt)
    {
        using var generator = new ModelSequence(package, prompt.Ids.Length + 1);
        using var runOptions = new RunOptions();
        generator.Prefill(prompt, runOptions);
        return generator.PrefillTime.TotalMilliseconds;
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
        var modelMedians = new List<double>();
        for (int run = 0; run <= runs; run++)
        {
            using var bare = new BareDecoderLoop(package, promptLength, withEmbedding: false);
            using var model = new BareDecoderLoop(package, promptLength, withEmbedding: true);
            var generatorSteps = new List<double>(Steps);
            var bareSteps = new List<double>(Steps);
            var modelSteps = new List<double>(Steps);
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
                model.Step();
                long t3 = Stopwatch.GetTimestamp();
                generatorSteps.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                bareSteps.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
                modelSteps.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
            }
            double generator = BenchProcess.Median(generatorSteps), baseline = BenchProcess.Median(bareSteps), modelOnly = BenchProcess.Median(modelSteps);
            Console.WriteLine($"overhead run {run}{(run == 0 ? " (warm-up)" : "")}: generator {generator:F3} ms/token, bare decoder Run {baseline:F3} (ratio {generator / baseline:F3}), bare embedding+decoder Run {modelOnly:F3} (ratio {generator / modelOnly:F3})");
            if (run > 0)
            {
                generatorMedians.Add(generator);
                bareMedians.Add(baseline);
                modelMedians.Add(modelOnly);
            }
        }
        Console.WriteLine($"OVERHEAD median of {runs}: generator {BenchProcess.Median(generatorMedians):F3} ms/token, bare decoder {BenchProcess.Median(bareMedians):F3} ms/token, ratio {BenchProcess.Median(generatorMedians) / BenchProcess.Median(bareMedians):F3} (target <= 1.10)");
        Console.WriteLine($"  against bare embedding+decoder Run calls (the model's own per-token work) {BenchProcess.Median(modelMedians):F3} ms/token: ratio {BenchProcess.Median(generatorMedians) / BenchProcess.Median(modelMedians):F3}");
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
        return BenchProcess.Median(times);
    }

    /// <summary>
    /// The baseline: decoder Run with the generator's shapes (past of the prompt length, one new token), presents fed
    /// back as past, nothing else: no sampling, no logits read, and no embedding run unless <c>withEmbedding</c>
    /// (then a plain embedding Run of a fixed token feeds inputs_embeds, as the model needs per token).
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
        private readonly ModelPackage _package;
        private readonly bool _withEmbedding;
        private readonly OrtValue _tokenId;
        private readonly OrtValue _noFeatures;
        private readonly OrtValue[] _past;
        private int _total;

        public BareDecoderLoop(ModelPackage package, int promptLength, bool withEmbedding)
        {
            _package = package;
            _withEmbedding = withEmbedding;
            _tokenId = OrtValue.CreateTensorValueFromMemory(new long[] { 1000 }, [1, 1]);
            _noFeatures = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float,
                [0, package.Config.Model.Decoder.HiddenSize]);
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
            if (!_withEmbedding)
            {
                Run(_embeds, _positionsValue, 1);
                return;
            }
            var names = _package.Config.Model.Embedding;
            using var embedded = _package.Embedding.Run(_runOptions, [names.Inputs.InputIds, names.Inputs.ImageFeatures], [_tokenId, _noFeatures],
                [names.Outputs.InputsEmbeds]);
            Run(embedded[0], _positionsValue, 1);
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
            _tokenId.Dispose();
            _noFeatures.Dispose();
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
            double shortRate = 1000 / BenchProcess.Median(shortSteps), longRate = 1000 / BenchProcess.Median(longSteps);
            Console.WriteLine($"flat run {run}{(run == 0 ? " (warm-up)" : "")}: {shortRate:F1} tokens/s near position 10, {longRate:F1} near position 1000, ratio {longRate / shortRate:F3}");
            if (run > 0)
            {
                near10.Add(shortRate);
                near1000.Add(longRate);
            }
        }
        Console.WriteLine($"FLAT median of {runs}: {BenchProcess.Median(near10):F1} tokens/s near 10, {BenchProcess.Median(near1000):F1} near 1000, ratio {BenchProcess.Median(near1000) / BenchProcess.Median(near10):F3} (target >= 0.8)");
    }

    /// <summary>A prefilled sequence decoded greedily one timed token at a time (the generator's own loop).</summary>
    private sealed class DecodeSequence : IDisposable
    {
        private readonly ModelSequence _generator;
        private readonly RunOptions _runOptions = new();
        private readonly Sampler _sampler;

        public DecodeSequence(ModelPackage package, int promptLength)
        {
            _generator = new ModelSequence(package, promptLength + 128);
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

    /// <summary>
    /// Each prefill runs in a fresh child process, so its peak resident set is its own. The demo model heads the last
    /// position only, so what grows with a chunk is GroupQueryAttention's [heads, chunk, past + chunk] scores per layer.
    /// </summary>
    private static async Task MeasurePrefillMemoryAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var (tokens, chunk) in new[] { (12000, 512), (12000, 2048), (12000, 12000), (3000, 512), (3000, 3000) })
        {
            long available = BenchProcess.MemAvailableBytes();
            // Four [heads, chunk, total] fp32 score tensors alive at once is the worst case guarded against.
            long needed = DemoModelWriter.Spec.AttentionHeads * (long)chunk * tokens * sizeof(float) * 4L;
            if (chunk == tokens && available < needed)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"MEMORY {tokens}-token prefill unchunked: skipped, {available / (double)(1L << 30):F1} GiB available, about {needed / (double)(1L << 30):F0} GiB could be needed"));
                continue;
            }
            var result = await BenchProcess.RunChildAsync(
                ["runtime", MemoryProbe, directory, chunk.ToString(CultureInfo.InvariantCulture), tokens.ToString(CultureInfo.InvariantCulture)], cancellationToken);
            double peak = result.GetProperty("peakMb").GetDouble(), loaded = result.GetProperty("loadedMb").GetDouble();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"MEMORY {tokens}-token prefill, chunk {chunk}: peak RSS {peak:F0} MB (after load {loaded:F0} MB, prefill adds {peak - loaded:F0} MB), {result.GetProperty("seconds").GetDouble():F1} s"));
        }
    }

    private static int ProbePrefillMemory(string directory, int chunk, int tokens, bool arena)
    {
        using var package = ModelPackage.Open(directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu, CpuMemoryArena = arena });
        var prompt = TextPrompt(tokens, seed: 3);
        double loaded = BenchProcess.PeakResidentMegabytes();
        var clock = Stopwatch.StartNew();
        using (var generator = new ModelSequence(package, tokens + 1, chunk))
        using (var runOptions = new RunOptions())
        {
            generator.Prefill(prompt, runOptions);
            _ = generator.Logits[0];
        }
        Console.WriteLine(JsonSerializer.Serialize(new { loadedMb = loaded, peakMb = BenchProcess.PeakResidentMegabytes(), seconds = clock.Elapsed.TotalSeconds }));
        return 0;
    }
}
