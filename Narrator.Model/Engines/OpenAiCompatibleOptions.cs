using System.ComponentModel.DataAnnotations;

namespace Narrator.Model.Engines;

/// <summary>
/// Settings under <c>Narrator:OpenAI</c> for the scale-out engine: any OpenAI-compatible chat completions server
/// (vLLM, SGLang, ...) serving a Qwen2.5-VL model such as Qwen-VL-Narrator.
/// </summary>
public sealed class OpenAiCompatibleOptions
{
    public const string Section = "Narrator:OpenAI";

    /// <summary>Base URL of the API, up to and including <c>/v1</c> (e.g. <c>http://gpu-box:8000/v1</c>).</summary>
    [Required(ErrorMessage = "Narrator:OpenAI:Endpoint must be the server's base URL, e.g. http://localhost:8000/v1.")]
    public Uri? Endpoint { get; set; }

    /// <summary>Model name as the server knows it (vLLM: the <c>--served-model-name</c>, else the path it was started with).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Narrator:OpenAI:Model must name the model the server serves.")]
    public string Model { get; set; } = "";

    /// <summary>Sent as a bearer token when set; vLLM and SGLang only check it when started with <c>--api-key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How many narrations the queue runs at once against the server (it batches them on the GPU).</summary>
    [Range(1, 1024, ErrorMessage = "Narrator:OpenAI:MaxConcurrency must be between 1 and 1024.")]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How the sampled frames travel: one image part per frame, or one vLLM-style video part made of the JPEG frames.</summary>
    public FrameTransport FrameTransport { get; set; } = FrameTransport.Images;

    /// <summary>Frames wider than this are scaled down (keeping the aspect ratio) before JPEG encoding; 0 sends them at the planned size.</summary>
    [Range(0, 16384, ErrorMessage = "Narrator:OpenAI:FrameMaxWidth must be 0 (planned size) or a width up to 16384 pixels.")]
    public int FrameMaxWidth { get; set; }

    [Range(1, 100, ErrorMessage = "Narrator:OpenAI:JpegQuality must be between 1 and 100.")]
    public int JpegQuality { get; set; } = 90;

    /// <summary>Send <c>top_k</c> and <c>repetition_penalty</c> (vLLM and SGLang accept them; api.openai.com rejects them).</summary>
    public bool SendExtendedSampling { get; set; } = true;

    /// <summary>Retries of a request the server answered 408/429/5xx before any token arrived.</summary>
    [Range(0, 10, ErrorMessage = "Narrator:OpenAI:MaxRetries must be between 0 and 10.")]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Longest silence on the connection, including the wait for the first token while the server runs the vision encoder and prefill.</summary>
    [Range(1, 3600, ErrorMessage = "Narrator:OpenAI:NetworkTimeoutSeconds must be between 1 and 3600.")]
    public int NetworkTimeoutSeconds { get; set; } = 300;
}
