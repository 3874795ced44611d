using System.Text.Json.Serialization;

namespace Narrator.Model.Templates;

/// <summary>What a template's answer is, and so which post-processor and view it gets (see <see cref="TemplateOutputKinds"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TemplateOutputKind>))]
public enum TemplateOutputKind
{
    /// <summary>Free text, shown as written.</summary>
    [JsonStringEnumMemberName("prose")]
    Prose,

    /// <summary>A comma-separated tag list, cleaned up and shown as chips.</summary>
    [JsonStringEnumMemberName("tags")]
    Tags,

    /// <summary>One JSON object, extracted, repaired, validated and shown as a table.</summary>
    [JsonStringEnumMemberName("json")]
    Json,
}
