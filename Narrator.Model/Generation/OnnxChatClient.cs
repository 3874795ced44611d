using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Narrator.Model.Media;

namespace Narrator.Model.Generation;

/// <summary>
/// The in-process ONNX engine in the <see cref="IChatClient"/> seat. The last user message carries the clip or still
/// (a <see cref="PreparedMediaContent"/>, or a video/image <see cref="DataContent"/> or file <see cref="UriContent"/>
/// that is prepared here) and the prompt text; the reply streams stage updates, one update per text piece and a final
/// <see cref="NarrationUpdates.Completed"/>. Calls run one at a time (the generator serialises them).
/// With <paramref name="ownsGenerator"/> the client is the generator's one owner and disposing it disposes the generator
/// (and the model sessions the generator owns); without, whoever created the generator disposes it.
/// </summary>
public sealed class OnnxChatClient(NarrationGenerator generator, MediaPreparer? mediaPreparer = null, NarrationEngineOptions? options = null,
    bool ownsGenerator = false)
    : IChatClient
{
    private readonly MediaPreparer _mediaPreparer = mediaPreparer ?? new MediaPreparer();
    private readonly NarrationEngineOptions _options = options ?? new NarrationEngineOptions();
    private NarrationGenerator? _owned = ownsGenerator ? generator : null;

    public NarrationGenerator Generator => generator;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }
        var response = updates.ToChatResponse();
        if (updates.LastOrDefault(u => u.GetStats() is not null)?.GetStats() is { } stats)
        {
            (response.AdditionalProperties ??= [])[NarrationUpdates.StatsKey] = stats;
        }
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = NarrationRequestMessage.Read(messages, options);
        string responseId = Guid.NewGuid().ToString("N");
        string modelId = generator.EngineInfo.ModelName;
        PreparedMedia? media = request.Media;
        string? temporaryFile = null;
        try
        {
            if (media is null && request.MediaSource is { } source)
            {
                yield return Tag(NarrationUpdates.Stage(NarrationStage.PreparingFrames));
                temporaryFile = source.TemporaryFile;
                media = await _mediaPreparer.PrepareAsync(source.Path, _options.Frames, cancellationToken).ConfigureAwait(false);
            }

            var detokenizer = generator.Tokenizer.CreateStream();
            await foreach (var update in generator.GenerateAsync(request.Prompt, media, options.ToGenerationOptions(), request.SystemPrompt,
                cancellationToken).ConfigureAwait(false))
            {
                switch (update.Kind)
                {
                    case GenerationUpdateKind.Stage:
                        yield return Tag(NarrationUpdates.Stage(update.Stage));
                        break;
                    case GenerationUpdateKind.Token:
                        string piece = detokenizer.Decode(update.TokenId);
                        if (piece.Length > 0)
                        {
                            yield return Tag(new ChatResponseUpdate(ChatRole.Assistant, piece));
                        }
                        break;
                    case GenerationUpdateKind.Completed:
                        string rest = detokenizer.Flush();
                        if (rest.Length > 0)
                        {
                            yield return Tag(new ChatResponseUpdate(ChatRole.Assistant, rest));
                        }
                        var stats = update.Stats!;
                        yield return Tag(NarrationUpdates.Completed(stats, FinishReasons.ToChatFinishReason(stats.FinishReason)));
                        break;
                }
            }
        }
        finally
        {
            if (temporaryFile is not null)
            {
                File.Delete(temporaryFile);
            }
        }

        ChatResponseUpdate Tag(ChatResponseUpdate update)
        {
            update.ResponseId = responseId;
            update.MessageId = responseId;
            update.ModelId = modelId;
            update.CreatedAt ??= DateTimeOffset.UtcNow;
            return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }
        if (serviceType == typeof(EngineInfo))
        {
            return generator.EngineInfo;
        }
        if (serviceType == typeof(ChatClientMetadata))
        {
            return new ChatClientMetadata("narrator-onnx", new Uri(Path.GetFullPath(generator.Package.Directory)), generator.EngineInfo.ModelName);
        }
        return serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(generator) ? generator
            : serviceType.IsInstanceOfType(generator.Package) ? generator.Package
            : null;
    }

    /// <summary>Disposes the generator if this client owns it, once however often it is called.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owned, null)?.Dispose();
}
