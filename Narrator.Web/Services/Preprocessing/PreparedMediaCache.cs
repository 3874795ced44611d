using Narrator.Model.Media;

namespace Narrator.Web.Services.Preprocessing;

/// <summary>
/// The most recently prepared clips (frames + patches), so describing the same clip with the same frame settings again
/// (another template, another prompt, Compare) skips ffmpeg and patching. Bounded by bytes, least recently used out first;
/// entries are immutable and shared by every narration that uses them.
/// </summary>
public sealed class PreparedMediaCache(long budgetBytes)
{
    private readonly Lock gate = new();
    private readonly LinkedList<(Key Key, PreparedMedia Media, long Bytes)> entries = new();
    private long usedBytes;

    /// <summary>What makes two preparations the same: the clip's file (a re-upload is another clip) and the frame settings.</summary>
    public readonly record struct Key(string ClipId, string SourcePath, FrameOptions Frames);

    public int Count
    {
        get { lock (gate) { return entries.Count; } }
    }

    public bool TryGet(Key key, out PreparedMedia media)
    {
        lock (gate)
        {
            for (var node = entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    entries.Remove(node);
                    entries.AddFirst(node);
                    media = node.Value.Media;
                    return true;
                }
            }
        }
        media = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="media"/> unless it alone is over the budget; older entries make room.</summary>
    public void Add(Key key, PreparedMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        long bytes = SizeOf(media);
        if (bytes > budgetBytes)
        {
            return;
        }
        lock (gate)
        {
            for (var node = entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    usedBytes -= node.Value.Bytes;
                    entries.Remove(node);
                    break;
                }
            }
            entries.AddFirst((key, media, bytes));
            usedBytes += bytes;
            while (usedBytes > budgetBytes && entries.Last is { } oldest)
            {
                usedBytes -= oldest.Value.Bytes;
                entries.RemoveLast();
            }
        }
    }

    /// <summary>Forgets a clip's preparations (it was deleted or expired).</summary>
    public void Forget(string clipId)
    {
        lock (gate)
        {
            for (var node = entries.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Key.ClipId == clipId)
                {
                    usedBytes -= node.Value.Bytes;
                    entries.Remove(node);
                }
                node = next;
            }
        }
    }

    private static long SizeOf(PreparedMedia media) => (long)media.PixelValues.Length * sizeof(float) + media.Frames.Rgb24.LongLength;
}
