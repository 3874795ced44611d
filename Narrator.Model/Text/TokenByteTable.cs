using System.Text;

namespace Narrator.Model.Text;

/// <summary>Every id's raw bytes in one flat array, so decoding a token is a slice, not a string conversion.</summary>
internal sealed class TokenByteTable
{
    private readonly byte[] _bytes;
    private readonly int[] _offsets;

    private TokenByteTable(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
    }

    public ReadOnlySpan<byte> BytesOf(int id) =>
        (uint)id < (uint)(_offsets.Length - 1) ? _bytes.AsSpan(_offsets[id], _offsets[id + 1] - _offsets[id]) : [];

    public static TokenByteTable Build(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyDictionary<int, AddedToken> added, int size)
    {
        var texts = new string?[size];
        foreach (var (text, id) in vocabulary)
        {
            if ((uint)id < (uint)size)
            {
                texts[id] = text;
            }
        }

        var offsets = new int[size + 1];
        var bytes = new byte[size * 8];
        int length = 0;
        var scratch = new byte[1024];
        for (int id = 0; id < size; id++)
        {
            offsets[id] = length;
            int written;
            if (added.TryGetValue(id, out var token))
            {
                written = Encoding.UTF8.GetByteCount(token.Content);
                EnsureCapacity(ref bytes, length + written);
                Encoding.UTF8.GetBytes(token.Content, bytes.AsSpan(length));
            }
            else if (texts[id] is { } text && ByteLevelAlphabet.TryGetBytes(text, scratch, out written))
            {
                EnsureCapacity(ref bytes, length + written);
                scratch.AsSpan(0, written).CopyTo(bytes.AsSpan(length));
            }
            else
            {
                continue;
            }
            length += written;
        }
        offsets[size] = length;
        return new TokenByteTable(bytes, offsets);
    }

    private static void EnsureCapacity(ref byte[] bytes, int needed)
    {
        if (needed > bytes.Length)
        {
            Array.Resize(ref bytes, Math.Max(bytes.Length * 2, needed));
        }
    }
}
