namespace Narrator.Model.Templates;

/// <summary>A short text in 中文 and English.</summary>
public sealed record LocalizedText(string Zh, string En)
{
    /// <summary>The text for a UI culture ("zh", "zh-CN", "en-US", ...); English for anything but Chinese, falling back when empty.</summary>
    public string For(string? culture)
    {
        bool chinese = culture is not null && culture.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        string preferred = chinese ? Zh : En;
        return string.IsNullOrWhiteSpace(preferred) ? (chinese ? En : Zh) : preferred;
    }
}
