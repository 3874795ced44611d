namespace Narrator.Model.Translation;

/// <summary>
/// The languages Narrator offers to translate into (Qwen2.5 writes all of these well), looked up by code
/// case-insensitively, with common regional forms (zh-CN, zh-TW, pt-BR...) mapped to the language they mean.
/// </summary>
public static class TranslationLanguages
{
    /// <summary>Most languages one request may ask for; each is a full pass of the model over the narration.</summary>
    public const int MaxPerRequest = 5;

    public static readonly IReadOnlyList<TranslationLanguage> All =
    [
        new("en", "English", "英语", "English"),
        new("zh", "Simplified Chinese", "简体中文", "简体中文"),
        new("zh-Hant", "Traditional Chinese", "繁体中文", "繁體中文"),
        new("ja", "Japanese", "日语", "日本語"),
        new("ko", "Korean", "韩语", "한국어"),
        new("fr", "French", "法语", "français"),
        new("de", "German", "德语", "Deutsch"),
        new("es", "Spanish", "西班牙语", "español"),
        new("pt", "Portuguese", "葡萄牙语", "português"),
        new("it", "Italian", "意大利语", "italiano"),
        new("ru", "Russian", "俄语", "русский"),
        new("ar", "Arabic", "阿拉伯语", "العربية"),
        new("vi", "Vietnamese", "越南语", "Tiếng Việt"),
        new("th", "Thai", "泰语", "ไทย"),
        new("id", "Indonesian", "印度尼西亚语", "Bahasa Indonesia"),
        new("tr", "Turkish", "土耳其语", "Türkçe"),
        new("nl", "Dutch", "荷兰语", "Nederlands"),
        new("pl", "Polish", "波兰语", "polski"),
        new("hi", "Hindi", "印地语", "हिन्दी"),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["zh-cn"] = "zh", ["zh-hans"] = "zh", ["zh-sg"] = "zh", ["cn"] = "zh",
        ["zh-tw"] = "zh-Hant", ["zh-hk"] = "zh-Hant", ["zh-mo"] = "zh-Hant",
        ["en-us"] = "en", ["en-gb"] = "en", ["pt-br"] = "pt", ["pt-pt"] = "pt", ["es-es"] = "es", ["es-mx"] = "es",
        ["fr-fr"] = "fr", ["fr-ca"] = "fr", ["de-de"] = "de", ["jp"] = "ja", ["kr"] = "ko",
    };

    public static TranslationLanguage? Find(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }
        string key = code.Trim();
        if (Aliases.TryGetValue(key, out var canonical))
        {
            key = canonical;
        }
        return All.FirstOrDefault(language => string.Equals(language.Code, key, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The language for <paramref name="code"/>, or a sentence listing the codes there are.</summary>
    public static TranslationLanguage Get(string? code) => Find(code)
        ?? throw new UserInputException($"\"{code}\" is not a language Narrator translates into; use one of {string.Join(", ", All.Select(l => l.Code))}.");

    /// <summary>
    /// A request's languages in the order given, duplicates dropped; codes may also be comma-separated ("fr,es").
    /// Empty, unknown or too many codes are a <see cref="UserInputException"/>.
    /// </summary>
    public static IReadOnlyList<TranslationLanguage> ParseList(IEnumerable<string>? codes)
    {
        var languages = new List<TranslationLanguage>();
        foreach (string code in (codes ?? []).SelectMany(c => (c ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var language = Get(code);
            if (!languages.Contains(language))
            {
                languages.Add(language);
            }
        }
        if (languages.Count == 0)
        {
            throw new UserInputException($"Name at least one language to translate into, e.g. \"fr\"; the codes are {string.Join(", ", All.Select(l => l.Code))}.");
        }
        if (languages.Count > MaxPerRequest)
        {
            throw new UserInputException($"{languages.Count} languages were asked for; one request translates into at most {MaxPerRequest}.");
        }
        return languages;
    }
}
