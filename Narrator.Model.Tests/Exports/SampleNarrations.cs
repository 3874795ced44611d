using System.Text.Json;
using Narrator.Model.Exports;
using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Exports;

/// <summary>Narrations shaped like real long-video results: Chinese prose, English prose, tags, a JSON object, a failed segment.</summary>
internal static class SampleNarrations
{
    public const string ChineseText =
        "画面开始于一间昏暗的客厅，一位身穿深蓝色西装的中年男子坐在沙发上，神情凝重地看着手中的信件。镜头缓慢推近，" +
        "焦点从信纸转移到他的脸上，窗外的霓虹灯在他脸上投下红蓝交替的光影。随后他起身走向窗边，拉开窗帘，俯视楼下的街道。";

    public const string EnglishText =
        "A wide establishing shot shows a rain-soaked city street at night, neon signs reflecting in puddles. " +
        "A woman in a red coat crosses the frame from left to right while the camera tracks her at eye level.";

    public static TimedNarration Mixed() => new()
    {
        Video = "trailer.mp4",
        DurationSeconds = 95.04,
        Template = "cinematic-zh",
        Model = "Qwen-VL-Narrator",
        Segmentation = "scenes",
        Segments =
        [
            new NarrationSegment
            {
                Index = 0, StartSeconds = 0, EndSeconds = 12.48, StartFrame = 0, EndFrame = 312, Text = ChineseText,
                Stats = new GenerationStats { GeneratedTokens = 120, PromptTokens = 900, Frames = 24, TotalMilliseconds = 5100, FinishReason = "eos" },
            },
            new NarrationSegment
            {
                Index = 1, StartSeconds = 12.48, StartFrame = 312, EndSeconds = 40.2, EndFrame = 1005, Text = EnglishText,
            },
            new NarrationSegment
            {
                Index = 2, StartSeconds = 40.2, StartFrame = 1005, EndSeconds = 61, EndFrame = 1525,
                Text = "city, night, rain, neon", Tags = ["city", "night", "rain", "neon"],
            },
            new NarrationSegment
            {
                Index = 3, StartSeconds = 61, StartFrame = 1525, EndSeconds = 80, EndFrame = 2000,
                Text = "```json\n{\"shot_type\": \"close-up\", \"lighting\": \"低调照明\"}\n```",
                Json = JsonDocument.Parse("{\"shot_type\":\"close-up\",\"lighting\":\"低调照明\"}").RootElement.Clone(),
            },
            new NarrationSegment
            {
                Index = 4, StartSeconds = 80, StartFrame = 2000, EndSeconds = 95.04, EndFrame = 2376, Error = "The decoder ran out of memory.",
            },
        ],
    };
}
