namespace Narrator.Model.Text;

/// <summary>
/// GPT-2's byte-level alphabet: each byte is written as one printable character in the vocabulary
/// (printable Latin-1 stays itself, the rest map to U+0100 onwards). Used to turn a token back into its raw bytes.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly short[] ByteOfChar = BuildInverse();

    /// <summary>Writes the bytes a byte-level token stands for; false when the token holds a character outside the alphabet.</summary>
    public static bool TryGetBytes(ReadOnlySpan<char> token, Span<byte> destination, out int written)
    {
        written = 0;
        foreach (char c in token)
        {
            if (c >= ByteOfChar.Length || ByteOfChar[c] < 0 || written >= destination.Length)
            {
                return false;
            }
            destination[written++] = (byte)ByteOfChar[c];
        }
        return true;
    }

    private static short[] BuildInverse()
    {
        var inverse = new short[0x144];
        Array.Fill(inverse, (short)-1);
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            int c = printable ? b : 256 + next++;
            inverse[c] = (short)b;
        }
        return inverse;
    }
}
