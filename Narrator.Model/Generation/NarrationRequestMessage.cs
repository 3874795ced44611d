using Microsoft.Extensions.AI;
using Narrator.Model.Media;

namespace Narrator.Model.Generation;

/// <summary>
/// What a chat request asks the local engine to narrate: the last user message's media (prepared, or a file to prepare)
/// and its text, plus the system prompt from system messages or <see cref="ChatOptions.Instructions"/>.
/// </summary>
internal sealed record NarrationRequestMessage(string Prompt, PreparedMedia? Media, RequestMediaFile? MediaSource, string? SystemPrompt)
{
    public static NarrationRequestMessage Read(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var user = list.LastOrDefault(m => m.Role == ChatRole.User)
            ?? throw new UserInputException("The request has no user message to narrate.");

        PreparedMedia? prepared = null;
        RequestMediaFile? file = null;
        var text = new List<string>();
        int mediaCount = 0;
        foreach (var content in user.Contents)
        {
            switch (content)
            {
                case PreparedMediaContent p:
                    prepared = p.Media;
                    mediaCount++;
                    break;
                case DataContent data when data.HasTopLevelMediaType("video") || data.HasTopLevelMediaType("image"):
                    file = WriteTemporary(data);
                    mediaCount++;
                    break;
                case DataContent data:
                    throw new UserInputException($"Only video and image attachments can be narrated, not {data.MediaType}.");
                case UriContent uri when uri.Uri.IsFile:
                    file = new RequestMediaFile(uri.Uri.LocalPath, null);
                    mediaCount++;
                    break;
                case UriContent uri:
                    throw new UserInputException($"Only local files can be narrated by the in-process engine, not {uri.Uri}.");
                case TextContent t when !string.IsNullOrWhiteSpace(t.Text):
                    text.Add(t.Text);
                    break;
            }
        }
        if (mediaCount > 1)
        {
            DeleteTemporary(file);
            throw new UserInputException("One clip or still per request: the message holds several.");
        }

        string? system = options?.Instructions;
        var systemTexts = list.Where(m => m.Role == ChatRole.System).Select(m => m.Text).Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        if (systemTexts.Count > 0)
        {
            system = string.Join("\n", systemTexts);
        }
        return new NarrationRequestMessage(string.Join("\n", text), prepared, prepared is null ? file : null, system);
    }

    private static RequestMediaFile WriteTemporary(DataContent data)
    {
        string extension = data.MediaType switch
        {
            "video/mp4" => ".mp4",
            "video/webm" => ".webm",
            "video/quicktime" => ".mov",
            "video/x-msvideo" => ".avi",
            "video/x-matroska" => ".mkv",
            "video/mpeg" => ".mpg",
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            "image/webp" => ".webp",
            "image/gif" => ".gif",
            _ => ".bin",
        };
        string path = Path.Combine(Path.GetTempPath(), "narrator-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllBytes(path, data.Data.Span);
        return new RequestMediaFile(path, path);
    }

    private static void DeleteTemporary(RequestMediaFile? file)
    {
        if (file?.TemporaryFile is { } path)
        {
            File.Delete(path);
        }
    }
}

/// <summary>A clip or still on disk; <see cref="TemporaryFile"/> is set when it was written from a DataContent and must be deleted.</summary>
internal sealed record RequestMediaFile(string Path, string? TemporaryFile);
