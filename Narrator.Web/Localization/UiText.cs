using System.Globalization;

namespace Narrator.Web.Localization;

/// <summary>
/// Every label on the page in one language. Each entry holds its English and Chinese wording side by side,
/// so a label cannot exist in one language only. Components receive the current instance as a cascading value.
/// </summary>
public sealed class UiText
{
    public static readonly UiText English = new(UiLanguage.English);
    public static readonly UiText Chinese = new(UiLanguage.Chinese);

    private UiText(UiLanguage language) => Language = language;

    public UiLanguage Language { get; }

    public static UiText For(UiLanguage language) => language == UiLanguage.Chinese ? Chinese : English;

    /// <summary>The BCP 47 tag for the html lang attribute, so the browser picks CJK fonts and line breaking.</summary>
    public string LanguageTag => Pick("en", "zh-CN");

    // Header
    public string AppTitle => "Narrator";
    public string Tagline => Pick(
        "Upload a short clip, see exactly which frames the model looks at, and watch a film-literate narration stream in.",
        "上传一段短视频，查看模型实际看到的每一帧，实时观看专业的影视化解说逐字生成。");
    public string ModelLabel => Pick("Model", "模型");
    public string ProviderLabel => Pick("Runs on", "运行于");
    public string PrecisionLabel => Pick("Precision", "精度");
    public string Precision(string decoder, string vision) => Pick($"decoder {decoder}, vision {vision}", $"解码器 {decoder}，视觉 {vision}");
    public string PrecisionDetail(string kvCache, int? contextTokens) => Pick(
        $"KV cache {kvCache}" + (contextTokens is { } t ? $" · {t.ToString("N0", CultureInfo.InvariantCulture)} tokens per request" : ""),
        $"KV 缓存 {kvCache}" + (contextTokens is { } c ? $" · 每个请求最多 {c.ToString("N0", CultureInfo.InvariantCulture)} 个 token" : ""));
    public string ModelUnavailable => Pick("Model not loaded", "模型未加载");
    public string DemoBanner => Pick(
        "This is the tiny demo model with random weights: the pipeline is real, but its words are meaningless until a real model is configured.",
        "当前为随机权重的微型演示模型：流程真实，但在配置真实模型之前，输出文字没有意义。");
    public string DemoBannerLink => Pick("How to set up a real model", "如何配置真实模型");
    public string CpuFallbackBanner(string reason) => Pick(
        $"Running on the CPU although CUDA was asked for: {reason}. Narrations will be many times slower.",
        $"虽然请求了 CUDA，但当前在 CPU 上运行：{reason}。解说速度会慢很多倍。");
    public string SwitchLanguage => Pick("切换到中文", "Switch to English");
    public string LanguageButton => Pick("中文", "English");
    public string SwitchToDark => Pick("Dark theme", "深色主题");
    public string SwitchToLight => Pick("Light theme", "浅色主题");

    public string ModelGuideTitle => Pick("Setting up a real model", "配置真实模型");
    public string ModelGuideMissing => Pick("This build does not include docs/MODEL.md; see the repository's docs folder.", "此版本未包含 docs/MODEL.md，请查看代码仓库的 docs 目录。");
    public string BackToPage => Pick("Back to the narrator", "返回解说页面");

    // Upload
    public string UploadTitle => Pick("Clip", "视频");
    public string DropHere => Pick("Drop a video or an image here", "将视频或图片拖放到此处");
    public string ChooseFile => Pick("Choose a file", "选择文件");
    public string ReplaceFile => Pick("Choose another file", "更换文件");
    public string UploadLimit(long maxBytes) => Pick($"Up to {FormatBytes(maxBytes)}", $"不超过 {FormatBytes(maxBytes)}");
    public string Uploading(string name) => Pick($"Uploading {name}…", $"正在上传 {name}…");
    public string UploadProgress(long done, long total) => $"{FormatBytes(done)} / {FormatBytes(total)}";
    public string FileTooLarge(string name, long size, long maxBytes) => Pick(
        $"{name} is {FormatBytes(size)}, larger than the {FormatBytes(maxBytes)} limit; trim or compress it first.",
        $"{name} 大小为 {FormatBytes(size)}，超过 {FormatBytes(maxBytes)} 的上限，请先剪短或压缩。");
    public string EmptyFile(string name) => Pick($"{name} is empty.", $"{name} 是空文件。");
    public string CancelUpload => Pick("Cancel upload", "取消上传");
    public string PreparingClip => Pick("Checking the clip and planning frames…", "正在检查视频并规划帧…");

    // Preview
    public string PreviewTitle => Pick("Preview", "预览");
    public string ClipFacts(int width, int height, double seconds, double fps) => Pick(
        $"{width}×{height} · {FormatSeconds(seconds)} · {fps.ToString("0.##", CultureInfo.InvariantCulture)} fps",
        $"{width}×{height} · {FormatSeconds(seconds)} · {fps.ToString("0.##", CultureInfo.InvariantCulture)} 帧/秒");
    public string StillFacts(int width, int height) => Pick($"Still image · {width}×{height}", $"静态图片 · {width}×{height}");
    public string PreviewMaking => Pick("The browser preview is still being made; the clip can already be narrated.", "浏览器预览仍在生成中；现在已可以为该视频生成解说。");
    public string PreviewFailed => Pick("No browser preview could be made; the clip can still be narrated.", "无法生成浏览器预览；仍可为该视频生成解说。");
    public string FramesApproximate => Pick("These are keyframes near the planned times; the exact frames are still being made (or, for a long video, each segment is sampled on its own).",
        "这些是计划时间附近的关键帧；精确帧仍在生成中（长视频则按片段分别采样）。");
    public string NoClip => Pick("No clip yet: upload one or pick an example below.", "尚未选择视频：请上传，或从下方示例中选择。");

    // Frame strip
    public string FramesTitle => Pick("What the model sees", "模型看到的画面");
    public string FrameCount(int frames) => frames == 1 ? Pick("1 frame", "1 帧") : Pick($"{frames} frames", $"{frames} 帧");
    public string GridLabel(int time, int height, int width) => Pick(
        $"{time}×{height}×{width} patches", $"{time}×{height}×{width} 个图块");
    public string GridHint(int time, int height, int width) => Pick(
        $"The model cuts the frames into 14-pixel patches: {time} time steps (two frames each) × {height} rows × {width} columns; every 4 patches become one visual token.",
        $"模型把画面切成 14 像素的图块：{time} 个时间步（每步两帧）× {height} 行 × {width} 列；每 4 个图块合成一个视觉 token。");
    public string VisualTokenCount(int tokens) => Pick($"{tokens.ToString("N0", CultureInfo.InvariantCulture)} visual tokens", $"{tokens.ToString("N0", CultureInfo.InvariantCulture)} 个视觉 token");
    public string FrameSize(int width, int height) => Pick($"{width}×{height} px per frame", $"每帧 {width}×{height} 像素");
    public string SampleRate(double fps) => Pick(
        $"{fps.ToString("0.##", CultureInfo.InvariantCulture)} frames/s sampled",
        $"采样 {fps.ToString("0.##", CultureInfo.InvariantCulture)} 帧/秒");
    public string FrameAt(int index, double seconds) => Pick(
        $"Frame {index} at {FormatTimestamp(seconds)}", $"第 {index} 帧，{FormatTimestamp(seconds)}");
    public string Replanning => Pick("Re-planning frames…", "正在重新规划帧…");
    public string StillRepeated => Pick("A still is shown to the model twice, as a two-frame clip.", "静态图片会以两帧的形式输入模型。");

    // Template and prompt
    public string TemplateTitle => Pick("Template", "模板");
    public string PromptTitle => Pick("Prompt", "提示词");
    public string PromptHelp => Pick("Starts from the template; edit freely. Ctrl+Enter describes.", "以模板为起点，可自由修改。按 Ctrl+Enter 开始描述。");
    public string PromptEdited => Pick("edited", "已修改");
    public string ResetPrompt => Pick("Reset to template", "恢复模板");
    public string PromptEmpty => Pick("The prompt is empty; write one or reset to the template.", "提示词为空，请填写或恢复模板。");

    // Advanced settings
    public string AdvancedTitle => Pick("Advanced settings", "高级设置");
    public string FrameSettings => Pick("Frames", "帧采样");
    public string GenerationSettings => Pick("Generation", "生成");
    public string Fps => Pick("Frames per second", "每秒帧数");
    public string MinFrames => Pick("Min frames", "最少帧数");
    public string MaxFrames => Pick("Max frames", "最多帧数");
    public string MaxPixels => Pick("Max pixels per frame", "每帧最大像素");
    public string ModelDefaultPixels => Pick("Model default", "模型默认");
    public string QwenMaxPixels => Pick("768 patches (Qwen max)", "768 个 patch（Qwen 上限）");
    public string MaxNewTokens => Pick("Max new tokens", "最大生成 token 数");
    public string Temperature => Pick("Temperature (0 = greedy)", "温度（0 为贪心）");
    public string TopP => Pick("Top-p (1 = off)", "Top-p（1 为关闭）");
    public string TopK => Pick("Top-k (0 = off)", "Top-k（0 为关闭）");
    public string RepetitionPenalty => Pick("Repetition penalty", "重复惩罚");
    public string Seed => Pick("Seed (empty = random)", "随机种子（留空为随机）");
    public string ResetToTemplate(string template) => string.IsNullOrEmpty(template)
        ? Pick("Reset to the template's values", "恢复模板的设置")
        : Pick($"Reset to {template}'s values", $"恢复为“{template}”的设置");
    public string MinAboveMax => Pick("Min frames cannot be more than max frames.", "最少帧数不能大于最多帧数。");
    public string SettingsToFix(int count) => count == 1
        ? Pick("One setting needs fixing before Describe.", "有 1 项设置需要修改后才能开始描述。")
        : Pick($"{count} settings need fixing before Describe.", $"有 {count} 项设置需要修改后才能开始描述。");
    /// <summary>A setting out of range, in the page's language (the server's sentence in English).</summary>
    public string SettingProblem(Narrator.Model.Templates.SettingError problem) => Language == UiLanguage.English ? problem.Message : problem.Setting switch
    {
        "fps" => $"每秒帧数须大于 0 且不超过 {Narrator.Model.Templates.NarrationOptionsResolver.MaxFps}。",
        "minFrames" when problem.Message.Contains("exceed", StringComparison.Ordinal) => "最少帧数不能大于最多帧数。",
        "minFrames" or "maxFrames" or "nFrames" => $"帧数须在 {Narrator.Model.Templates.NarrationOptionsResolver.MinFrameCount} 到 {Narrator.Model.Templates.NarrationOptionsResolver.MaxFrameCount} 之间。",
        "maxNewTokens" => "最大生成 token 数超出本服务器允许的范围：" + problem.Message,
        "temperature" => $"温度须在 0 到 {Narrator.Model.Templates.NarrationOptionsResolver.MaxTemperature} 之间。",
        "topP" => "Top-p 须大于 0 且不超过 1。",
        "topK" => "Top-k 须为 0（关闭）或更大。",
        "repetitionPenalty" => $"重复惩罚须在 {Narrator.Model.Templates.NarrationOptionsResolver.MinRepetitionPenalty} 到 {Narrator.Model.Templates.NarrationOptionsResolver.MaxRepetitionPenalty} 之间。",
        "seed" => "随机种子须为 0 或更大（留空为随机）。",
        _ => problem.Message,
    };
    public string FrameSettingsHelp => Pick("Changing these re-plans the frame strip.", "修改后会重新规划帧。");

    // Actions and output
    public string Describe => Pick("Describe", "开始描述");
    public string Stop => Pick("Stop", "停止");
    public string DescribeHint => Pick("Ctrl+Enter", "Ctrl+Enter");
    public string NeedClip => Pick("Upload a clip or choose an example first.", "请先上传视频或选择示例。");
    public string NeedPrompt => Pick("Write a prompt (or reset it to the template's) first.", "请先填写提示词（或恢复模板的提示词）。");
    public string FixSettingsFirst => Pick("Fix the advanced settings marked in red first.", "请先修改标红的高级设置。");
    public string WaitForUpload => Pick("Wait for the upload to finish.", "请等待上传完成。");
    public string Clear => Pick("Clear", "清空");
    public string ClearHint => Pick("Remove the clip and the narration from the page (your history keeps it)", "从页面移除视频和解说（历史记录中仍保留）");
    public string UseApi => Pick("Use via API", "通过 API 使用");
    public string ApiTitle => Pick("Use this narration from code", "在代码中使用");
    public string ApiIntro => Pick(
        "The same request as Describe with this clip, template and settings. Keep the cookie jar: the clip is yours, and the narration will be too.",
        "与“开始描述”相同的请求（当前视频、模板和设置）。请保留 cookie 文件：视频属于您，解说也会属于您。");
    public string ApiNeedsClip => Pick("Load a clip first: the commands name its id.", "请先载入视频：命令中需要它的 id。");
    public string ApiReference => Pick("Every endpoint, interactively (OpenAPI)", "全部接口的交互式文档（OpenAPI）");
    public string CopyCommand => Pick("Copy", "复制");
    public string Close => Pick("Close", "关闭");
    public string NewClipTitle => Pick("A narration is running", "正在生成解说");
    public string NewClipQuestion(string name) => Pick(
        $"Loading {name} stops the narration that is running now (its text so far is kept in your history). Go on?",
        $"载入 {name} 会停止正在进行的解说（已生成的文字会保留在历史记录中）。是否继续？");
    public string StopAndLoad => Pick("Stop it and load", "停止并载入");
    public string KeepNarrating => Pick("Keep narrating", "继续解说");
    public string PromptReplaced(string template) => Pick($"Your edited prompt was replaced by {template}'s.", $"您修改的提示词已替换为“{template}”的提示词。");
    public string Undo => Pick("Undo", "撤销");
    public string OutputTitle => Pick("Narration", "解说");
    public string OutputPlaceholder => Pick("The narration will appear here as the model writes it.", "模型生成的解说会实时显示在这里。");
    public string Copy => Pick("Copy", "复制");
    public string Copied => Pick("Copied to the clipboard.", "已复制到剪贴板。");
    public string Download => Pick("Download", "下载");
    public string DownloadSettings => Pick("Text with prompt and settings (.json)", "文本及提示词和设置 (.json)");
    public string ShowRawText => Pick("Raw text", "原始文本");
    public string ShowParsed => Pick("Parsed", "解析结果");
    public string Field => Pick("Field", "字段");
    public string Value => Pick("Value", "值");
    public string Failed => Pick("The narration failed", "生成失败");
    public string Stopped => Pick("Stopped. The text so far is kept.", "已停止，保留已生成的内容。");
    public string Finished => Pick("Done", "完成");
    public string Share => Pick("Share", "分享");
    public string SharedTagline => Pick("A narration shared with you (read-only).", "与您分享的一段解说（只读）。");
    public string PageMissingTitle => Pick("Page not found", "页面不存在");
    public string PageMissing => Pick("There is no page at this address. The narrator is on the home page.", "此地址没有页面。解说页面在首页。");
    public string ShareMissingTitle => Pick("Not shared", "未分享");
    public string ShareMissing => Pick("This link does not lead to a shared narration: it is mistyped, or its owner stopped sharing it.", "此链接没有对应的分享：链接有误，或分享者已取消分享。");
    public string SharedNoFrames => Pick("The clip had expired when this was shared, so its frames are not included.", "分享时视频已过期，因此不含画面。");
    public string SettingsSummary(Narrator.Model.Templates.NarrationOptions options) => SettingsSummary(options.Frames, options.Generation);

    private string SettingsSummary(Narrator.Model.Media.FrameOptions frames, Narrator.Model.Generation.GenerationOptions generation) => Pick(
        $"{frames.Fps.ToString("0.##", CultureInfo.InvariantCulture)} frames/s, {frames.MinFrames}–{frames.MaxFrames} frames, up to {generation.MaxNewTokens} new tokens, temperature {generation.Temperature.ToString("0.##", CultureInfo.InvariantCulture)}, repetition penalty {generation.RepetitionPenalty.ToString("0.##", CultureInfo.InvariantCulture)}{(generation.Seed is int seed ? $", seed {seed}" : "")}",
        $"每秒 {frames.Fps.ToString("0.##", CultureInfo.InvariantCulture)} 帧，{frames.MinFrames}–{frames.MaxFrames} 帧，最多 {generation.MaxNewTokens} 个新 token，温度 {generation.Temperature.ToString("0.##", CultureInfo.InvariantCulture)}，重复惩罚 {generation.RepetitionPenalty.ToString("0.##", CultureInfo.InvariantCulture)}{(generation.Seed is int s ? $"，随机种子 {s}" : "")}");
    public string Unshare => Pick("Stop sharing", "取消分享");
    public string SharedAt => Pick("Anyone with this link can read it (read-only):", "任何拿到此链接的人都可以查看（只读）：");
    public string ShareRevoked => Pick("The link no longer works.", "该链接已失效。");
    public string NotParsed => Pick("The output could not be read as this template's format; showing the raw text.", "输出无法按该模板的格式解析，以下为原始文本。");

    // Queue and stage
    public string QueuePosition(int position) => position <= 1
        ? Pick("You are next in the queue", "排队中：下一个就是您")
        : Pick($"Position {position} in the queue", $"排队中：第 {position} 位");
    public string Eta(double seconds) => Pick($"about {FormatSeconds(seconds)} to wait", $"预计等待约 {FormatSeconds(seconds)}");
    public string Waiting => Pick("Sending the request…", "正在提交请求…");
    public string WaitingForSideA => Pick("Starts when A has finished.", "等 A 完成后开始。");
    public string AnyMoment => Pick("any moment now", "马上开始");
    public string QueueProgressLabel => Pick("Waiting in the queue", "排队等待进度");
    public string SegmentsDone(int done, int total) => Pick($"{done} of {total} segments narrated", $"已解说 {done} / {total} 段");
    public string ReattachedNote => Pick("Picked up again after the page was reloaded.", "页面重新载入后已继续显示。");
    public string SegmentStage(int number, int count) => Pick($"Segment {number} of {count}", $"第 {number} / {count} 段");

    /// <summary>A stage as the person reads it, from its typed facts; null (nothing reported yet) reads as preparing frames, which comes first.</summary>
    public string StageName(Narrations.StageEvent? stage) => stage switch
    {
        null => StageName(Narrations.StageNames.PreparingFrames),
        { Segment: int number, SegmentCount: int count } => SegmentStage(number, count),
        { Language: { } code } => Translating(Narrator.Model.Translation.TranslationLanguages.Find(code)?.NameFor(LanguageTag) ?? code),
        _ => StageName(stage.Stage),
    };

    /// <summary>An engine stage's name; names this page does not know yet pass through as sent.</summary>
    public string StageName(string stage) => stage.Trim().ToLowerInvariant() switch
    {
        Narrations.StageNames.PreparingFrames or "preparingframes" => Pick("Preparing frames", "准备帧"),
        Narrations.StageNames.EncodingVision or "encodingvision" => Pick("Encoding the frames", "视觉编码"),
        Narrations.StageNames.Prefill => Pick("Reading the prompt", "预填充"),
        Narrations.StageNames.Generating => Pick("Writing", "生成中"),
        _ => stage,
    };

    // Stats
    public string StatsTitle => Pick("Stats", "统计");
    public string TimeToFirstToken => Pick("Time to first token (model)", "首 token 时间（模型）");
    public string TimeToFirstTokenHint => Pick("From the moment the model got the frames to its first token.", "从模型拿到画面到输出第一个 token。");
    public string ClickToFirstWords => Pick("Click to first words", "点击到首字");
    public string ClickToFirstWordsHint => Pick("What you waited: from the click on Describe to the first words on screen, with the queue and frame preparation.",
        "您实际等待的时间：从点击“开始描述”到第一个字出现，包括排队和准备帧。");
    public string TokensPerSecond => Pick("Tokens/s", "token/秒");
    public string Tokens => Pick("Tokens", "token 数");
    public string Frames => Pick("Frames", "帧数");
    public string VisualTokens => Pick("Visual tokens", "视觉 token");
    public string TotalTime => Pick("Total time", "总耗时");
    public string StatsBreakdown(double visionMilliseconds, double prefillMilliseconds, int promptTokens) => Pick(
        $"vision {FormatMilliseconds(visionMilliseconds)} · prefill {FormatMilliseconds(prefillMilliseconds)} for {promptTokens.ToString(CultureInfo.InvariantCulture)} prompt tokens",
        $"视觉编码 {FormatMilliseconds(visionMilliseconds)} · 预填充 {FormatMilliseconds(prefillMilliseconds)}（{promptTokens.ToString(CultureInfo.InvariantCulture)} 个提示 token）");
    public string FinishReason(string reason) => reason switch
    {
        Narrator.Model.Generation.FinishReasons.Eos => Pick("finished naturally", "自然结束"),
        Narrator.Model.Generation.FinishReasons.MaxNewTokens => Pick("stopped at the token limit", "达到 token 上限"),
        Narrator.Model.Generation.FinishReasons.Cancelled => Pick("stopped by you", "已手动停止"),
        _ => reason,
    };

    // Tabs, examples, history, compare
    public string DescribeTab => Pick("Describe", "描述");
    public string CompareTab => Pick("Compare", "对比");
    public string HistoryTab => Pick("History", "历史");
    public string ExamplesTitle => Pick("Examples", "示例");
    public string ExamplesHelp => Pick("One click loads the clip and its suggested template.", "点击即可载入视频及推荐模板。");
    public string TryExample => Pick("Try it", "试一试");
    public string ExampleTooLarge(long maxBytes) => Pick($"Larger than this server's {FormatBytes(maxBytes)} upload limit.", $"超过本服务器 {FormatBytes(maxBytes)} 的上传上限。");
    public string MainLabel => Pick("Narrator workbench", "解说工作台");
    public string UploadRegion => Pick("Your clip", "您的视频");
    public string Opened => Pick("Opened from your history.", "已从历史记录打开。");
    public string SuggestedTemplate(string name) => Pick($"Suggested: {name}", $"推荐模板：{name}");
    public string HistoryEmpty => Pick("Your narrations will be listed here.", "您的解说记录会显示在这里。");
    public string HistoryInterrupted => Pick("Interrupted by a server restart; the text so far is kept.", "服务器重启中断了这次解说；已保留当时的文字。");
    public string HistoryWhen => Pick("When", "时间");
    public string HistoryClip => Pick("Clip", "视频");
    public string HistoryActions => Pick("Actions", "操作");
    public string HistoryClipGone(string label) => Pick(
        $"{label} is no longer on the server, so the text is shown without its clip.", $"{label} 已不在服务器上，因此只显示文字。");
    public string CustomPrompt => Pick("Custom prompt", "自定义提示词");
    public string ClipGone => Pick("That clip is no longer on the server; upload it again to re-run.", "该视频已从服务器清除，请重新上传后再运行。");
    public string UploadInterrupted => Pick("The upload was interrupted; please try again.", "上传中断，请重试。");
    public string UnexpectedError => Pick("Something went wrong on the server; the details are in its log.", "服务器出错，详情见服务器日志。");
    public string StreamEnded => Pick("The connection to the narration ended before it finished.", "解说尚未完成，连接已中断。");
    public string Open => Pick("Open", "查看");
    public string RunAgain => Pick("Run again", "再次运行");
    public string Delete => Pick("Delete", "删除");
    public string DeleteNarrationTitle => Pick("Delete this narration?", "删除这条解说？");
    public string DeleteNarrationQuestion(string label) => Pick(
        $"The narration of {label} is removed for good: its text, prompt, translations, search entries and share link. This cannot be undone.",
        $"{label} 的解说将被永久删除：文字、提示词、翻译、搜索记录和分享链接都会一并删除，且无法恢复。");
    public string KeepIt => Pick("Keep it", "保留");
    public string NarrationDeleted => Pick("The narration was deleted.", "解说已删除。");
    public string DeleteStillRunning => Pick(
        "A translation of this narration is still running; stop it first, then delete the narration.",
        "这条解说的翻译仍在进行；请先停止翻译，再删除解说。");
    public string CompareHelp => Pick(
        "Run two templates or two prompts on the same clip and read the outputs side by side.",
        "对同一段视频运行两个模板或两个提示词，并排比较输出。");
    public string CompareLeft => Pick("A", "A");
    public string CompareRight => Pick("B", "B");
    public string CompareRun => Pick("Run both", "同时运行");
    public string CompareSettingsNote => Pick("Each side uses its own template's settings; B starts when A has finished.", "每一侧使用各自模板的设置；A 完成后 B 才开始。");

    // Segments (long videos)
    public string SegmentsTitle => Pick("Segments", "分段");
    /// <summary>Under the frame strip of a clip over the long-video limit; <paramref name="fixedSeconds"/> when splitting in fixed lengths.</summary>
    public string LongVideoNote(double limit, double min, double max, double? fixedSeconds) => fixedSeconds is { } length
        ? Pick($"Longer than {FormatSeconds(limit)}: it will be narrated in {FormatSeconds(length)} segments, each sampled on its own like these frames (which cover the whole clip).",
            $"时长超过 {FormatSeconds(limit)}：将按每段 {FormatSeconds(length)} 分段解说，每段像这些帧一样单独取帧（这些帧覆盖整段视频）。")
        : Pick($"Longer than {FormatSeconds(limit)}: it will be cut at scene changes into segments of {FormatSeconds(min)}–{FormatSeconds(max)} and narrated segment by segment, each sampled on its own like these frames (which cover the whole clip).",
            $"时长超过 {FormatSeconds(limit)}：将在镜头切换处切分为 {FormatSeconds(min)}–{FormatSeconds(max)} 的片段逐段解说，每段像这些帧一样单独取帧（这些帧覆盖整段视频）。");
    public string SplitLabel => Pick("Split into segments", "分段方式");
    public string SplitAtScenes => Pick("At scene changes", "在镜头切换处");
    public string SplitEvery(double seconds) => Pick($"Every {FormatSeconds(seconds)}", $"每 {FormatSeconds(seconds)}");
    public string SegmentPlan(int count) => Pick($"{count} segments, each narrated on its own; click one to watch it.", $"共 {count} 段，逐段解说；点击某段可观看。");
    public string SegmentWaiting => Pick("Not narrated yet", "尚未解说");
    public string SegmentInProgress => Pick("Being narrated…", "正在解说…");
    public string SegmentLabel(int number) => Pick($"Segment {number}", $"第 {number} 段");
    public static string SegmentRange(double start, double end) => $"{FormatTimestamp(start)} – {FormatTimestamp(end)}";

    // Subtitles (the dialogue in the prompt)
    public string SubtitlesTitle => Pick("Dialogue (subtitles)", "对白（字幕）");
    public string SubtitlesHelp => Pick(
        "The model cannot hear: the lines on screen during the clip (during each segment, for a long video) go into the prompt with their times.",
        "模型听不到声音：片段内（长视频为每段内）出现的字幕会连同时间一起写入提示词。");
    public string SubtitlesUse => Pick("Put these lines into the prompt", "将这些字幕写入提示词");
    public string SubtitlesSource => Pick("Subtitles from", "字幕来源");
    public string SubtitlesFile(string name) => Pick($"Your file: {name}", $"您的文件：{name}");
    public string SubtitlesNone => Pick(
        "This clip has no text subtitles; add an .srt or .vtt file to give the model the dialogue.",
        "该视频没有文字字幕；可添加 .srt 或 .vtt 文件，把对白提供给模型。");
    public string SubtitlesAttach => Pick("Add .srt / .vtt", "添加 .srt / .vtt");
    public string SubtitlesRemove => Pick("Remove the file", "移除文件");
    public string SubtitlesUnusable => Pick("Not usable", "无法使用");
    public string SubtitlesLineCount(int lines) => Pick($"{lines} line(s) inside the clip", $"片段内共 {lines} 行");
    public string SubtitlesNoLines => Pick("No subtitle line falls inside the clip.", "片段内没有字幕。");
    public string SubtitlesLoading => Pick("Reading the subtitles…", "正在读取字幕…");
    public string SubtitlesOff => Pick("Off: the prompt holds no dialogue.", "已关闭：提示词中不含对白。");
    public string SubtitlesTooLarge(string name, long maxBytes) => Pick(
        $"{name} is larger than the {FormatBytes(maxBytes)} limit for subtitle files.", $"{name} 超过字幕文件 {FormatBytes(maxBytes)} 的上限。");

    // Translation
    public string TranslateTo => Pick("Translate to…", "翻译为…");
    public string TranslationsTitle => Pick("Translations", "译文");
    public string TranslationHelp => Pick("Translated by the same model from the narration's text; stored with the narration.", "由同一模型根据解说文本翻译，并与解说一同保存。");
    public string TranslationFailed => Pick("The translation failed", "翻译失败");
    public string Translating(string language) => Pick($"Translating into {language}…", $"正在翻译为{language}…");
    public string TranslationDownload => Pick("Download this translation", "下载此译文");

    // Search (history)
    public string SearchPlaceholder => Pick("Search your narrations (English or 中文)", "搜索您的解说（中文或英文）");
    public string SearchButton => Pick("Search", "搜索");
    public string SearchNoHits(string query) => Pick($"Nothing found for “{query}”.", $"没有找到“{query}”。");
    public string SearchHitCount(int hits) => Pick($"{hits} found", $"找到 {hits} 条");
    public string SearchKind(string kind, string? language) => kind switch
    {
        Narrator.Model.Search.SearchKinds.Segment => Pick("segment", "分段"),
        Narrator.Model.Search.SearchKinds.Translation => Pick($"translation ({language})", $"译文（{language}）"),
        _ => Pick("narration", "解说"),
    };

    public string Pick(string english, string chinese) => Language == UiLanguage.Chinese ? chinese : english;

    public string FormatSeconds(double seconds) => seconds switch
    {
        < 1 => Pick($"{seconds * 1000:0} ms", $"{seconds * 1000:0} 毫秒"),
        < 60 => Pick($"{seconds.ToString("0.#", CultureInfo.InvariantCulture)} s", $"{seconds.ToString("0.#", CultureInfo.InvariantCulture)} 秒"),
        _ when Math.Round(seconds) % 60 == 0 => Pick($"{Math.Round(seconds) / 60:0} min", $"{Math.Round(seconds) / 60:0} 分钟"),
        _ => Pick($"{(int)(seconds / 60)} min {seconds % 60:0} s", $"{(int)(seconds / 60)} 分 {seconds % 60:0} 秒"),
    };

    /// <summary>A position in a clip as m:ss.s, e.g. 0:03.5.</summary>
    public static string FormatTimestamp(double seconds)
    {
        double clamped = Math.Max(0, seconds);
        int minutes = (int)(clamped / 60);
        return minutes.ToString(CultureInfo.InvariantCulture) + ":" + (clamped - minutes * 60).ToString("00.0", CultureInfo.InvariantCulture);
    }

    public string FormatMilliseconds(double milliseconds) => FormatSeconds(milliseconds / 1000);

    public static string FormatBytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (bytes / (1024d * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        _ => (bytes / (1024d * 1024 * 1024)).ToString("0.##", CultureInfo.InvariantCulture) + " GB",
    };
}
