using Narrator.Model.Templates;

namespace Narrator.Web.Workbench;

/// <summary>A sample clip shipped under wwwroot/examples, with the template that suits it.</summary>
public sealed record ExampleClip(
    string Id,
    string File,
    string Poster,
    LocalizedText Title,
    LocalizedText Description,
    string TemplateId,
    string Credit)
{
    /// <summary>Where the browser fetches the clip.</summary>
    public string Url => "examples/" + File;

    public string PosterUrl => "examples/" + Poster;

    /// <summary>The clip file's size, filled in by the catalogue (an example over the upload limit cannot be tried).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long SizeBytes { get; init; }
}
