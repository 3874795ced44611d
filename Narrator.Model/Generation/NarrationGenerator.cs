using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Media;
using Narrator.Model.Onnx;
using Narrator.Model.Positions;
using Narrator.Model.Text;

namespace Narrator.Model.Generation;

/// <summary>
/// The in-process engine: a prompt and an optional prepared clip or still become a stream of token ids with stage
/// changes and final stats. One model, one sequence at a time: concurrent calls wait their turn.
/// </summary>
public sealed class NarrationGenerator : IContextGate, IDisposable
{
    private readonly ModelPackage _package;
    private readonly bool _ownsPackage;
    private readonly NarrationEngineOptions _options;
    private readonly ILogger _logger;
    private readonly ChatPrompt _chatPrompt;
    private readonly RopeIndex _ropeIndex;
    private readonly HashSet<int> _eos;
    private readonly SemaphoreSlim _turn = new(1, 1);

    public NarrationGenerator(ModelPackage package, QwenTokenizer tokenizer, NarrationEngineOptions? options = null, ILogger? logger = null,
        bool ownsPackage = false)
    {
        _package = package;
        _ownsPackage = ownsPackage;
        _options = options ?? new NarrationEngineOptions();
        _logger = logger ?? NullLogger.Instance;
        Tokenizer = tokenizer;
        var model = package.Config.Model;
        _chatPrompt = new ChatPrompt(tokenizer, model.Vision.SpatialMergeSize);
        _ropeIndex = new RopeIndex(RopeIndexOptions.From(model));
        _eos = [.. model.EosTokenId.Select(id => (int)id)];
    }

    public ModelPackage Package => _package;

    public QwenTokenizer Tokenizer { get; }

    public EngineInfo EngineInfo => _package.EngineInfo;

    public int ContextTokens => _package.Context.Tokens;

    public int EnsureFits(string prompt, FramePlan? plan, int maxNewTokens, string? systemPrompt = null)
    {
        VisualBlock? block = plan is null ? null : VisualBlock.From(plan);
        var tokens = _chatPrompt.Build(prompt, block, systemPrompt ?? _options.SystemPrompt);
        _package.Context.Check(tokens.Ids.Length, block?.TokenCount(_package.Config.Model.Vision.SpatialMergeSize) ?? 0, maxNewTokens);
        return tokens.Ids.Length;
    }

    /// <summary>Opens a model folder with its own tokenizer.json (the bundled Qwen tokenizer when the folder has none).</summary>
    public static NarrationGenerator Open(string modelDirectory, ExecutionProviderOptions? executionProvider = null,
        NarrationEngineOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var package = ModelPackage.Open(modelDirectory, executionProvider, loggerFactory.CreateLogger<ModelPackage>());
        try
        {
            string tokenizerPath = Path.Combine(package.Directory, BundledTokenizer.TokenizerJsonFileName);
            // The tiny package carries a copy of the bundled tokenizer: reuse the already-loaded one.
            var tokenizer = package.IsDemoModel || !File.Exists(tokenizerPath) ? QwenTokenizer.Bundled : QwenTokenizer.FromFile(tokenizerPath);
            return new NarrationGenerator(package, tokenizer, options, loggerFactory.CreateLogger<NarrationGenerator>(), ownsPackage: true);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    /// <summary>The chat prompt ids, M-RoPE positions and vision tensor for <paramref name="prompt"/> about <paramref name="media"/>.</summary>
    public GeneratorPrompt BuildPrompt(string prompt, PreparedMedia? media, string? systemPrompt = null)
    {
        // The tensor's grid is the truth: the plan may promise frames that could not be decoded.
        VisualBlock? block = media is null ? null : VisualBlock.From(media.Plan with { Grid = media.Grid });
        var tokens = _chatPrompt.Build(prompt, block, systemPrompt ?? _options.SystemPrompt);
        var positions = _ropeIndex.Compute(tokens.Ids, block is { } b ? [b] : []);
        return new GeneratorPrompt
        {
            Ids = tokens.Ids,
            PositionIds = positions.Values,
            RopeDelta = positions.RopeDelta,
            PixelValues = media?.PixelValues,
            Grid = media?.Grid,
        };
    }

    /// <summary>
    /// Generates for one prompt. Stops on an eos id, at <see cref="GenerationOptions.MaxNewTokens"/>, or within one token
    /// of cancellation; then yields the stats, and on cancellation throws afterwards. A prompt plus new tokens that cannot
    /// fit the context is refused with <see cref="ContextOverflowException"/> before it waits for the model.
    /// </summary>
    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(string prompt, PreparedMedia? media, GenerationOptions options,
        string? systemPrompt = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxNewTokens, 1, nameof(options));
        var input = BuildPrompt(prompt, media, systemPrompt);
        int visualTokens = input.Grid is { } grid ? grid.VisualTokens : 0;
        _package.Context.Check(input.Ids.Length, visualTokens, options.MaxNewTokens);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var update in RunAsync(input, media, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async IAsyncEnumerable<GenerationUpdate> RunAsync(GeneratorPrompt input, PreparedMedia? media, GenerationOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        using var runOptions = new RunOptions();
        // A long prefill is interrupted inside ONNX Runtime; decode steps are checked between tokens.
        using var terminate = cancellationToken.Register(() => runOptions.Terminate = true);
        // The KV cache is taken once for the whole request: the prompt and every token it may generate.
        using var generator = new ModelSequence(_package, input.Ids.Length + options.MaxNewTokens, _options.PrefillChunkSize);
        var sampler = new Sampler(options, generator.VocabularySize);
        sampler.Observe(input.Ids);

        if (input.PixelValues is not null)
        {
            yield return GenerationUpdate.Staged(NarrationStage.EncodingVision);
            await RunModelAsync(() => generator.EncodeVision(input, runOptions), cancellationToken).ConfigureAwait(false);
        }
        yield return GenerationUpdate.Staged(NarrationStage.Prefill);
        await RunModelAsync(() => generator.Prefill(input, runOptions), cancellationToken).ConfigureAwait(false);
        yield return GenerationUpdate.Staged(NarrationStage.Generating);

        int maxNew = options.MaxNewTokens;
        int generated = 0;
        double firstTokenMs = 0;
        string finish = FinishReasons.MaxNewTokens;
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                finish = FinishReasons.Cancelled;
                break;
            }
            int token = sampler.Sample(generator.Logits);
            if (generated++ == 0)
            {
                firstTokenMs = total.Elapsed.TotalMilliseconds;
            }
            if (_eos.Contains(token))
            {
                finish = FinishReasons.Eos;
                break;
            }
            yield return GenerationUpdate.Token(token);
            if (generated >= maxNew)
            {
                break;
            }
            sampler.Observe(token);
            if (cancellationToken.IsCancellationRequested)
            {
                finish = FinishReasons.Cancelled;
                break;
            }
            try
            {
                generator.Append(token, runOptions);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                // The stop landed while the decoder ran and ORT honoured the terminate flag: a stop, not an engine failure.
                finish = FinishReasons.Cancelled;
                break;
            }
        }

        double totalMs = total.Elapsed.TotalMilliseconds;
        var stats = new GenerationStats
        {
            PromptTokens = input.Ids.Length,
            VisualTokens = generator.VisualTokens,
            GeneratedTokens = generated,
            Frames = media?.Frames.Count ?? 0,
            VisionMilliseconds = generator.VisionTime.TotalMilliseconds,
            PrefillMilliseconds = generator.PrefillTime.TotalMilliseconds,
            TimeToFirstTokenMilliseconds = firstTokenMs,
            TokensPerSecond = generated > 1 ? (generated - 1) / Math.Max(1e-9, (totalMs - firstTokenMs) / 1000) : 0,
            TotalMilliseconds = totalMs,
            FinishReason = finish,
        };
        _logger.LogInformation(
            "Generated {Generated} tokens ({Finish}) from {Prompt} prompt tokens ({Visual} visual): vision {VisionMs:F0} ms, prefill {PrefillMs:F0} ms, TTFT {TtftMs:F0} ms, {TokensPerSecond:F1} tokens/s",
            generated, finish, stats.PromptTokens, stats.VisualTokens, stats.VisionMilliseconds, stats.PrefillMilliseconds,
            stats.TimeToFirstTokenMilliseconds, stats.TokensPerSecond);
        yield return GenerationUpdate.Completed(stats);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs a long model call off the caller's thread and turns ORT's terminate into a cancellation.</summary>
    private static async Task RunModelAsync(Action call, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(call, cancellationToken).ConfigureAwait(false);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public void Dispose()
    {
        _turn.Dispose();
        if (_ownsPackage)
        {
            _package.Dispose();
        }
    }
}
