namespace Narrator.Model.Engines;

/// <summary>How a remote engine receives the frames Narrator sampled.</summary>
public enum FrameTransport
{
    /// <summary>One <c>image_url</c> JPEG data URL per frame: understood by every vision-capable OpenAI-compatible server.</summary>
    Images,

    /// <summary>
    /// One <c>video_url</c> part <c>data:video/jpeg;base64,&lt;frame&gt;,&lt;frame&gt;,...</c> (vLLM): the model takes its video path
    /// (temporal patches, half the visual tokens), as the in-process engine does.
    /// </summary>
    Video,
}
