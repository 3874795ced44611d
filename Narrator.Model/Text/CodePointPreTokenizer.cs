using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Narrator.Model.Text;

/// <summary>
/// Runs a <see cref="RegexPreTokenizer"/> as if .NET regexes walked code points, like the engines that produced the
/// reference ids: .NET sees a character outside the BMP (emoji, 𝐁, 𠮷) as two surrogates that are neither letter nor
/// number, so such a character is matched as one stand-in BMP character of its class and the splits are mapped back.
/// </summary>
public sealed class CodePointPreTokenizer(PreTokenizer inner) : PreTokenizer
{
    private const char LetterStandIn = '\u4E00'; // 一, Lo
    private const char NumberStandIn = '0';
    private const char OtherStandIn = '\u00A9'; // ©, So

    public PreTokenizer Inner { get; } = inner;

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return Inner.PreTokenize(text);
        }
        return Remap(text);
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return Inner.PreTokenize(text);
        }
        return Remap(text.ToString());
    }

    private IEnumerable<(int Offset, int Length)> Remap(string text)
    {
        var mapped = new StringBuilder(text.Length);
        // originalStart[k] = offset in text of mapped character k; one extra entry for the end.
        var originalStart = new int[text.Length + 1];
        int count = 0;
        for (int i = 0; i < text.Length;)
        {
            originalStart[count++] = i;
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int consumed) == System.Buffers.OperationStatus.Done && consumed == 2)
            {
                mapped.Append(StandIn(rune));
                i += 2;
            }
            else
            {
                mapped.Append(text[i]);
                i++;
            }
        }
        originalStart[count] = text.Length;

        var splits = new List<(int Offset, int Length)>();
        foreach (var (offset, length) in Inner.PreTokenize(mapped.ToString()))
        {
            int start = originalStart[offset];
            splits.Add((start, originalStart[offset + length] - start));
        }
        return splits;
    }

    private static char StandIn(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => LetterStandIn,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => NumberStandIn,
        _ => OtherStandIn,
    };
}
