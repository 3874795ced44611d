using System.ComponentModel.DataAnnotations;

namespace Narrator.Web.Services;

/// <summary>Top-level settings under <c>Narrator</c>: where the app keeps its files and which engine serves narrations.</summary>
public sealed class NarratorOptions
{
    public const string Section = "Narrator";

    /// <summary>Folder for uploads, frame images, previews, the demo model and the SQLite history; relative paths are under the content root.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Narrator:DataPath must name a folder the app can write to.")]
    public string DataPath { get; set; } = "data";

    /// <summary>Which engine sits in the IChatClient seat: "onnx" (in-process model, default) or another registered engine such as "openai".</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Narrator:Engine must name an engine, e.g. \"onnx\".")]
    public string Engine { get; set; } = "onnx";
}
