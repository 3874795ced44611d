using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Vision;
using OpenAI;
using ChatCompletionOptions = OpenAI.Chat.ChatCompletionOptions;

namespace Narrator.Model.Engines;

/// <summary>
/// The scale-out engine: sends each narration to an OpenAI-compatible server (vLLM, SGLang, ...) through Microsoft.Extensions.AI's
/// OpenAI client and streams the answer back in the same shape as the in-process engine: stage updates, one text update per
/// streamed piece, then <see cref="NarrationUpdates.Completed"/>. The seat message's <see cref="PreparedMediaContent"/> becomes the
/// sampled frames as JPEGs, so the server sees exactly the frames the page shows.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly OpenAiCompatibleOptions _options;
    private readonly ILogger _logger;
    private readonly IChatClient _inner;
    private readonly EngineInfo _info;

    public OpenAiCompatibleChatClient(OpenAiCompatibleOptions options, ILogger<OpenAiCompatibleChatClient>? logger = null, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is not { IsAbsoluteUri: true } endpoint || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new UserInputException($"Narrator:OpenAI:Endpoint must be an http(s) URL such as http://localhost:8000/v1, not '{options.Endpoint}'.");
        }
        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new UserInputException("Narrator:OpenAI:Model must name the model the server serves.");
        }
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = TimeSpan.FromSeconds(options.NetworkTimeoutSeconds),
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        };
        if (httpClient is not null)
        {
            clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        }
        if (options.FrameTransport == FrameTransport.Video)
        {
            clientOptions.AddPolicy(new VideoPartPolicy(), PipelinePosition.PerCall);
        }
        // The SDK insists on a key; servers started without --api-key ignore the header.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "unused" : options.ApiKey);
        _inner = new OpenAIClient(credential, clientOptions).GetChatClient(options.Model).AsIChatClient();

        _info = new EngineInfo
        {
            ModelName = options.Model,
            ExecutionProvider = "OpenAI-compatible server",
            ProviderReason = $"Narrator:Engine is openai: narrations run on {endpoint} ({options.FrameTransport.ToString().ToLowerInvariant()} transport).",
            MaxConcurrency = options.MaxConcurrency,
        };
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var media = messages.SelectMany(m => m.Contents).OfType<PreparedMediaContent>().Select(c => c.Media).FirstOrDefault();

        yield return NarrationUpdates.Stage(NarrationStage.EncodingVision);
        var request = ToWireMessages(messages, cancellationToken);
        var generation = options.ToGenerationOptions();
        var wireOptions = ToWireOptions(generation);
        wireOptions.Instructions = options?.Instructions;
        _logger.LogInformation(
            "Sending narration to {Endpoint} (model {Model}, {Frames} frames as {Transport}, {EncodeMs:F0} ms to encode)",
            _options.Endpoint, _options.Model, media?.Frames.Count ?? 0, _options.FrameTransport, clock.Elapsed.TotalMilliseconds);

        yield return NarrationUpdates.Stage(NarrationStage.Prefill);
        double sentAtMs = clock.Elapsed.TotalMilliseconds;
        double firstTokenAtMs = 0;
        int pieces = 0;
        UsageDetails? usage = null;
        ChatFinishReason? finishReason = null;

        await using var updates = _inner.GetStreamingResponseAsync(request, wireOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ToReadableFailure(ex) is { } failure)
            {
                _logger.LogWarning(ex, "Remote engine failed: {Reason}", failure.Message);
                throw failure;
            }
            if (!more)
            {
                break;
            }

            var update = updates.Current;
            finishReason = update.FinishReason ?? finishReason;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent usageContent)
                {
                    usage = usageContent.Details;
                }
            }
            string text = update.Text;
            if (text.Length == 0)
            {
                continue;
            }
            if (pieces == 0)
            {
                firstTokenAtMs = clock.Elapsed.TotalMilliseconds;
                yield return NarrationUpdates.Stage(NarrationStage.Generating);
            }
            pieces++;
            yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ResponseId = update.ResponseId, ModelId = update.ModelId };
        }

        var stats = BuildStats(media, usage, pieces, sentAtMs, firstTokenAtMs, clock.Elapsed.TotalMilliseconds, finishReason);
        _logger.LogInformation(
            "Remote narration finished: {Tokens} tokens, TTFT {Ttft:F0} ms, {Rate:F1} tokens/s, reason {Reason}",
            stats.GeneratedTokens, stats.TimeToFirstTokenMilliseconds, stats.TokensPerSecond, stats.FinishReason);
        yield return NarrationUpdates.Completed(stats, finishReason);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return _inner.GetService(serviceType, serviceKey);
        }
        if (serviceType == typeof(EngineInfo))
        {
            return _info;
        }
        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }
        return _inner.GetService(serviceType);
    }

    public void Dispose() => _inner.Dispose();

    /// <summary>Replaces each <see cref="PreparedMediaContent"/> with the frames as JPEG parts; everything else is sent as it is.</summary>
    private List<ChatMessage> ToWireMessages(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var wire = new List<ChatMessage>();
        foreach (var message in messages)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (var content in message.Contents)
            {
                if (content is PreparedMediaContent prepared)
                {
                    contents.AddRange(FrameParts(prepared.Media.Frames, cancellationToken));
                }
                else
                {
                    contents.Add(content);
                }
            }
            wire.Add(new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName });
        }
        return wire;
    }

    private IEnumerable<AIContent> FrameParts(DecodedFrames frames, CancellationToken cancellationToken)
    {
        var jpegs = new byte[frames.Count][];
        int? maxWidth = _options.FrameMaxWidth > 0 ? _options.FrameMaxWidth : null;
        // Frames encode independently; on a many-core server this is most of the engine's own latency.
        Parallel.For(0, frames.Count, new ParallelOptions { CancellationToken = cancellationToken },
            i => jpegs[i] = FrameImageEncoder.Encode(frames, i, FrameImageFormat.Jpeg, _options.JpegQuality, maxWidth));
        if (_options.FrameTransport == FrameTransport.Images)
        {
            return jpegs.Select(jpeg => (AIContent)new DataContent(jpeg, "image/jpeg"));
        }

        // vLLM reads data:video/jpeg;base64,<frame>,<frame>,... as the frames of one video.
        var url = new StringBuilder("data:video/jpeg;base64,");
        for (int i = 0; i < jpegs.Length; i++)
        {
            url.Append(i == 0 ? "" : ",").Append(Convert.ToBase64String(jpegs[i]));
        }
        return [new TextContent(VideoPartPolicy.MarkedText(url.ToString()))];
    }

    private ChatOptions ToWireOptions(GenerationOptions generation)
    {
        var wire = new ChatOptions
        {
            MaxOutputTokens = generation.MaxNewTokens,
            Temperature = generation.Temperature,
            TopP = generation.TopP,
            Seed = generation.Seed,
        };
        if (_options.SendExtendedSampling)
        {
            // Not in the OpenAI schema, so the SDK has no property for them; vLLM and SGLang read them from the body.
            wire.RawRepresentationFactory = _ =>
            {
                var raw = new ChatCompletionOptions();
#pragma warning disable SCME0001 // JsonPatch is marked experimental; it is the SDK's way to add body fields.
                if (generation.TopK > 0)
                {
                    raw.Patch.Set("$.top_k"u8, generation.TopK);
                }
                raw.Patch.Set("$.repetition_penalty"u8, generation.RepetitionPenalty);
#pragma warning restore SCME0001
                return raw;
            };
        }
        return wire;
    }

    private GenerationStats BuildStats(
        PreparedMedia? media, UsageDetails? usage, int pieces, double sentAtMs, double firstTokenAtMs, double totalMs, ChatFinishReason? reason)
    {
        int generated = usage?.OutputTokenCount is long output ? (int)output : pieces;
        double decodeSeconds = pieces > 0 ? (totalMs - firstTokenAtMs) / 1000 : 0;
        return new GenerationStats
        {
            PromptTokens = usage?.InputTokenCount is long input ? (int)input : 0,
            VisualTokens = media is null ? 0 : VisualTokensOnServer(media),
            GeneratedTokens = generated,
            Frames = media?.Frames.Count ?? 0,
            PrefillMilliseconds = pieces > 0 ? firstTokenAtMs - sentAtMs : 0,
            TimeToFirstTokenMilliseconds = firstTokenAtMs,
            TokensPerSecond = decodeSeconds > 0 && generated > 1 ? (generated - 1) / decodeSeconds : 0,
            TotalMilliseconds = totalMs,
            FinishReason = FinishReasons.FromChatFinishReason(reason),
        };
    }

    /// <summary>Qwen2.5-VL's count for what was sent: a video keeps the temporal merge; separate images are each doubled in time.</summary>
    private int VisualTokensOnServer(PreparedMedia media)
    {
        int width = media.Frames.Width, height = media.Frames.Height;
        if (_options.FrameMaxWidth > 0 && _options.FrameMaxWidth < width)
        {
            height = Math.Max(1, (int)Math.Round(height * (double)_options.FrameMaxWidth / width));
            width = _options.FrameMaxWidth;
        }
        // The server's processor snaps each frame to multiples of 28 within Qwen's pixel bounds for the kind it was sent as.
        var (snappedHeight, snappedWidth) = _options.FrameTransport == FrameTransport.Video
            ? SmartResize.Compute(height, width, 128 * 28 * 28, 768 * 28 * 28)
            : SmartResize.Compute(height, width, 4 * 28 * 28, 16384 * 28 * 28);
        int mergedPatchesPerFrame = snappedHeight / SmartResize.Factor * (snappedWidth / SmartResize.Factor);
        return _options.FrameTransport == FrameTransport.Video
            ? (media.Frames.Count + 1) / 2 * mergedPatchesPerFrame
            : media.Frames.Count * mergedPatchesPerFrame;
    }

    /// <summary>Turns what the SDK throws into one sentence naming the server; null for exceptions that are not about the server.</summary>
    private RemoteEngineException? ToReadableFailure(Exception ex)
    {
        string server = $"The OpenAI-compatible server at {_options.Endpoint}";
        switch (ex)
        {
            case ClientResultException { Status: > 0 } http:
                string detail = ServerMessage(http.GetRawResponse()) ?? http.Message;
                string hint = http.Status switch
                {
                    401 or 403 => " Check Narrator:OpenAI:ApiKey.",
                    404 => " Check Narrator:OpenAI:Model and that Narrator:OpenAI:Endpoint ends in /v1.",
                    _ => "",
                };
                string visitor = http.Status is 401 or 403 or 404
                    ? $"The narration server is misconfigured (HTTP {http.Status}); the error has been logged."
                    : $"The narration server could not narrate this clip (HTTP {http.Status}: {detail}).";
                return new RemoteEngineException($"{server} answered HTTP {http.Status}: {detail}{hint}", visitor, http.Status, ex);
            case ClientResultException or HttpRequestException or IOException:
                return new RemoteEngineException(
                    $"{server} could not be reached: {Innermost(ex).Message}",
                    "The narration server cannot be reached right now; please try again later.", null, ex);
            case OperationCanceledException:
                return new RemoteEngineException(
                    $"{server} sent nothing for {_options.NetworkTimeoutSeconds} s (Narrator:OpenAI:NetworkTimeoutSeconds).",
                    "The narration server stopped answering; please try again later.", null, ex);
            default:
                return null;
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }

    /// <summary>The human part of an error body: OpenAI's <c>error.message</c>, vLLM's <c>message</c>, FastAPI's <c>detail</c>, or the text itself.</summary>
    private static string? ServerMessage(PipelineResponse? response)
    {
        string body;
        try
        {
            body = response?.Content?.ToString().Trim() ?? "";
        }
        catch (InvalidOperationException)
        {
            return null; // a streamed body that was not buffered
        }
        if (body.Length == 0)
        {
            return response?.ReasonPhrase;
        }
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return error.GetString();
                    }
                    if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var nested) && nested.ValueKind == JsonValueKind.String)
                    {
                        return nested.GetString();
                    }
                }
                if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return message.GetString();
                }
                if (root.TryGetProperty("detail", out var fastApi))
                {
                    return fastApi.ValueKind == JsonValueKind.String ? fastApi.GetString() : fastApi.GetRawText();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the best we have.
        }
        return body.Length <= 300 ? body : body[..300] + "...";
    }
}
