using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Vision;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Components;

/// <summary>Clips, templates and stats shaped like the server's, for rendering components in tests.</summary>
internal static class SampleData
{
    public static ClipInfo Video(int frames = 16)
    {
        var probe = new MediaProbe
        {
            Kind = MediaKind.Video,
            Container = "mov,mp4,m4a,3gp,3g2,mj2",
            VideoCodec = "h264",
            Width = 640,
            Height = 360,
            AverageFps = 25,
            DurationSeconds = 8,
            FrameCount = 200,
        };
        var indices = Enumerable.Range(0, frames).Select(i => (int)Math.Round(i * 199.0 / (frames - 1))).ToArray();
        var plan = new FramePlan
        {
            Kind = MediaKind.Video,
            NFrames = frames,
            Indices = indices,
            SampleFps = frames / 8.0,
            SecondPerGridT = 2 / (frames / 8.0),
            ResizedWidth = 644,
            ResizedHeight = 364,
            Grid = new GridThw(frames / 2, 26, 46),
        };
        var thumbs = indices.Select(i => new FrameThumbnail(i, i / 25.0, $"/clips/abc/frames/{i}.jpg")).ToList();
        return new ClipInfo("abc", "street.mp4", probe, plan, thumbs, "/clips/abc/preview.mp4");
    }

    public static ClipInfo Still()
    {
        var probe = new MediaProbe
        {
            Kind = MediaKind.Image,
            Container = "image2",
            VideoCodec = "mjpeg",
            Width = 640,
            Height = 360,
            FrameCount = 1,
        };
        var plan = new FramePlan
        {
            Kind = MediaKind.Image,
            NFrames = 1,
            Indices = [0],
            ResizedWidth = 644,
            ResizedHeight = 364,
            Grid = new GridThw(1, 26, 46),
        };
        return new ClipInfo("img", "tower.jpg", probe, plan, [new FrameThumbnail(0, 0, "/clips/img/frames/0.jpg")], "/clips/img/preview.jpg");
    }

    public static IReadOnlyList<PromptTemplate> Templates { get; } =
    [
        Template("cinematic-zh", new("影视解说", "Cinematic (Chinese)"), new("模型训练时使用的提示词。", "The prompt the model was trained on."),
            "要求：描述画面。", TemplateOutputKind.Prose),
        Template("tags", new("标签", "Tags"), new("15 到 20 个逗号分隔的标签。", "15 to 20 comma-separated tags."),
            "List 15-20 tags.", TemplateOutputKind.Tags),
        Template("structured", new("结构化 JSON", "Structured JSON"), new("以 JSON 描述主体、镜头与运镜。", "Subjects, shot and camera as one JSON object."),
            "Answer with one JSON object.", TemplateOutputKind.Json),
    ];

    private static PromptTemplate Template(string id, LocalizedText name, LocalizedText description, string prompt, TemplateOutputKind output) =>
        new() { Id = id, Name = name, Description = description, Prompt = prompt, Output = output };

    public static GenerationStats Stats(string finishReason = "eos") => new()
    {
        PromptTokens = 1200,
        VisualTokens = 1196,
        GeneratedTokens = 42,
        Frames = 16,
        VisionMilliseconds = 120,
        PrefillMilliseconds = 80,
        TimeToFirstTokenMilliseconds = 250,
        TokensPerSecond = 31.5,
        TotalMilliseconds = 1600,
        FinishReason = finishReason,
    };

    /// <summary>A completed narration as the history stores it.</summary>
    public static NarrationRecord Record(string id = "n1") => new()
    {
        Id = id,
        State = NarrationState.Completed,
        ClipId = "abc",
        ClipLabel = "street.mp4",
        Template = "cinematic-zh",
        Prompt = "Describe.",
        Options = new(new FrameOptions(), new GenerationOptions()),
        Text = "A street at night.",
        Stats = Stats(),
        CreatedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(2),
    };

    public static NarrationRun Run(string template = "cinematic-zh") =>
        new(new NarrationRequest { ClipId = "abc", Template = template, Prompt = "Describe." }, "street.mp4", DateTimeOffset.UnixEpoch);
}
