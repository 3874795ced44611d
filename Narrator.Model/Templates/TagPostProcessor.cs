using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Narrator.Model.Templates;

/// <summary>
/// Turns a tags answer into clean tags: splits on commas (also "，", "、", ";", "；" and new lines), strips numbering,
/// bullets, quotes, hashtags and end punctuation, lower-cases all but proper nouns and acronyms, drops empty and
/// over-long items (sentences, not tags), removes case-insensitive duplicates (first kept) and orders them.
/// </summary>
public static partial class TagPostProcessor
{
    private static readonly char[] Separators = [',', '，', '、', ';', '；', '\n'];

    public static TagList Process(string answer, TagOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        options ??= TagOptions.Default;
        var dropped = new List<DroppedTag>();
        var items = new List<string>();
        foreach (var rawLine in answer.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
        {
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }
            line = LeadingLabel().Replace(line, "");
            if (line.EndsWith(':') || line.EndsWith('：'))
            {
                dropped.Add(new DroppedTag(line, "heading"));
                continue;
            }
            foreach (var part in line.Split(Separators))
            {
                string item = Clean(part);
                if (item.Length == 0)
                {
                    continue;
                }
                if (WordCount(item) > options.MaxWords || DisplayWidth(item) > options.MaxLength)
                {
                    dropped.Add(new DroppedTag(item, "too long"));
                    continue;
                }
                items.Add(item);
            }
        }

        var casing = CasingEvidence.From(items);
        var tags = new List<string>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < items.Count; k++)
        {
            string tag = casing.Apply(items[k], answerInitial: k == 0);
            if (!seen.Add(DuplicateKey(tag)))
            {
                dropped.Add(new DroppedTag(tag, "duplicate"));
                continue;
            }
            tags.Add(tag);
        }
        if (options.Order == TagOrder.Alphabetical)
        {
            tags.Sort(StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase));
        }
        if (options.MaxCount is int max && tags.Count > max)
        {
            foreach (var extra in tags.Skip(max))
            {
                dropped.Add(new DroppedTag(extra, "over the limit"));
            }
            tags.RemoveRange(max, tags.Count - max);
        }
        return new TagList(tags, dropped);
    }

    private static string Clean(string part)
    {
        string item = Whitespace().Replace(part, " ").Trim();
        string previous;
        do
        {
            previous = item;
            item = Numbering().Replace(item, "");
            item = Unbracket(item.Trim().Trim(WrappingCharacters).Trim()).Trim();
            item = item.TrimEnd(EndPunctuation).Trim();
            item = Conjunction().Replace(item, "");
        }
        while (item != previous);
        return item;
    }

    private static readonly char[] WrappingCharacters =
        ['"', '\'', '“', '”', '‘', '’', '「', '」', '『', '』', '《', '》', '`', '*', '_', '#'];

    private static string Unbracket(string item) =>
        item.Length >= 2 && ((item[0] == '(' && item[^1] == ')') || (item[0] == '[' && item[^1] == ']')
            || (item[0] == '（' && item[^1] == '）') || (item[0] == '【' && item[^1] == '】'))
            ? item[1..^1]
            : item;

    private static readonly char[] EndPunctuation = ['.', '。', '!', '！', '?', '？', '…'];

    private static int WordCount(string item)
    {
        int words = 0;
        bool inWord = false;
        foreach (char c in item)
        {
            bool space = c == ' ';
            if (!space && !inWord)
            {
                words++;
            }
            inWord = !space;
        }
        return words;
    }

    // A CJK character takes about two Latin characters' room, and says as much.
    private static int DisplayWidth(string item)
    {
        int width = 0;
        foreach (char c in item)
        {
            width += c >= '\u2E80' && !char.IsSurrogate(c) ? 2 : 1;
        }
        return width;
    }

    // "slow-motion", "Slow Motion" and "slow motion" are the same tag.
    private static string DuplicateKey(string tag)
    {
        var key = new StringBuilder(tag.Length);
        foreach (char c in tag)
        {
            if (char.IsLetterOrDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }
        return key.Length > 0 ? key.ToString() : tag;
    }

    /// <summary>
    /// What the whole answer says about capitals. Kept: acronyms ("CGI", "4K"), inner capitals ("iPhone"), capitalised
    /// words inside a tag ("streets of Paris"), a tag-initial capital when the model does not capitalise tag starts
    /// in general, or when the same word is capitalised inside another tag, or when it begins a capitalised run
    /// ("Eiffel Tower"). The answer's first word and title-cased answers carry no evidence and are lower-cased.
    /// </summary>
    private sealed class CasingEvidence
    {
        private readonly bool _titleCase;
        private readonly bool _startsCapitalised;
        private readonly HashSet<string> _capitalisedInside;

        private CasingEvidence(bool titleCase, bool startsCapitalised, HashSet<string> capitalisedInside)
        {
            _titleCase = titleCase;
            _startsCapitalised = startsCapitalised;
            _capitalisedInside = capitalisedInside;
        }

        public static CasingEvidence From(List<string> items)
        {
            int starts = 0, capitalisedStarts = 0, inside = 0, capitalisedInsideCount = 0;
            var capitalisedInside = new HashSet<string>(StringComparer.Ordinal);
            for (int k = 0; k < items.Count; k++)
            {
                var words = items[k].Split(' ');
                for (int w = 0; w < words.Length; w++)
                {
                    var shape = ShapeOf(words[w]);
                    if (shape == WordShape.Uncased || shape == WordShape.Acronym)
                    {
                        continue;
                    }
                    bool capitalised = shape is WordShape.Capitalised or WordShape.InnerCapitals;
                    if (w == 0)
                    {
                        // The answer's first word is capitalised as the start of a sentence; it says nothing about style.
                        if (k > 0)
                        {
                            starts++;
                            capitalisedStarts += capitalised ? 1 : 0;
                        }
                    }
                    else
                    {
                        inside++;
                        if (capitalised)
                        {
                            capitalisedInsideCount++;
                            capitalisedInside.Add(words[w]);
                        }
                    }
                }
            }
            bool titleCase = inside >= 3 && capitalisedInsideCount * 2 > inside;
            bool startsCapitalised = starts == 0 || capitalisedStarts * 2 > starts;
            return new CasingEvidence(titleCase, startsCapitalised, capitalisedInside);
        }

        public string Apply(string item, bool answerInitial)
        {
            var words = item.Split(' ');
            var keep = new bool[words.Length];
            for (int w = words.Length - 1; w >= 0; w--)
            {
                var shape = ShapeOf(words[w]);
                keep[w] = shape switch
                {
                    WordShape.Acronym or WordShape.InnerCapitals => true,
                    WordShape.Capitalised when _titleCase => false,
                    WordShape.Capitalised when w > 0 => true,
                    WordShape.Capitalised => (!_startsCapitalised && !answerInitial)
                        || _capitalisedInside.Contains(words[w])
                        || (w + 1 < words.Length && keep[w + 1] && ShapeOf(words[w + 1]) == WordShape.Capitalised),
                    _ => false,
                };
            }
            for (int w = 0; w < words.Length; w++)
            {
                if (!keep[w])
                {
                    words[w] = words[w].ToLowerInvariant();
                }
            }
            return string.Join(' ', words);
        }
    }

    private enum WordShape
    {
        Uncased,
        Lower,
        Capitalised,
        Acronym,
        InnerCapitals,
    }

    private static WordShape ShapeOf(string word)
    {
        int upper = 0, lower = 0;
        bool firstLetterUpper = false, seenLetter = false, upperAfterFirst = false;
        foreach (char c in word)
        {
            if (char.IsUpper(c))
            {
                upper++;
                if (!seenLetter)
                {
                    firstLetterUpper = true;
                }
                else
                {
                    upperAfterFirst = true;
                }
                seenLetter = true;
            }
            else if (char.IsLower(c))
            {
                lower++;
                seenLetter = true;
            }
        }
        if (upper == 0)
        {
            return lower == 0 ? WordShape.Uncased : WordShape.Lower;
        }
        if (lower == 0)
        {
            // "CGI", "4K", "TV"; a lone capital letter ("A") is just a capitalised word.
            return word.Length >= 2 ? WordShape.Acronym : WordShape.Capitalised;
        }
        if (upperAfterFirst && !word.Contains('-'))
        {
            // "iPhone", "YouTube", "McDonald's": written that way on purpose.
            return WordShape.InnerCapitals;
        }
        return firstLetterUpper ? WordShape.Capitalised : WordShape.Lower;
    }

    [GeneratedRegex(@"^(?:here (?:are|is) (?:the |some )?|the )?(?:tags?|tag list|keywords?|标签|关键词)\s*[:：]\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingLabel();

    [GeneratedRegex(@"^(?:[-*•·●▪–—+]+\s*|\(?\d{1,3}[.)](?=\s|$)\s*|\d{1,3}[、：:]\s*|[（(]\d{1,3}[)）]\s*|#\d{1,3}\s+)", RegexOptions.CultureInvariant)]
    private static partial Regex Numbering();

    [GeneratedRegex(@"^(?:and|or|&)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Conjunction();

    [GeneratedRegex(@"[\s\u3000]+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
