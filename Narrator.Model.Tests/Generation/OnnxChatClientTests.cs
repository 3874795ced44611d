using System.Text;
using Microsoft.Extensions.AI;
using Narrator.Model.Generation;
using Narrator.Model.Tests.Segmentation;
using Narrator.Model.Tests.Demo;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Generation;

[Collection(DemoModelCollection.Name)]
public class OnnxChatClientTests(DemoModelFixture demo)
{
    private static ChatMessage Ask(AIContent media, string prompt = "Describe this clip.") => new(ChatRole.User, [media, new TextContent(prompt)]);

    [Fact]
    public async Task Streams_stages_then_one_update_per_text_piece_then_the_completed_stats()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(engine);
        var media = SyntheticMedia.Video();
        var options = new GenerationOptions { MaxNewTokens = 12 }.ToChatOptions();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([Ask(new PreparedMediaContent(media))], options))
        {
            updates.Add(update);
        }

        Assert.Equal([NarrationStage.EncodingVision, NarrationStage.Prefill, NarrationStage.Generating],
            updates.Select(u => u.GetStage()).OfType<NarrationStage>());
        var stats = updates[^1].GetStats();
        Assert.NotNull(stats);
        Assert.Equal(ChatFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal(12, stats.GeneratedTokens);
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(stats.PromptTokens, usage.Details.InputTokenCount);

        // The pieces are the greedy tokens decoded (same prompt, same weights), minus bytes that never form a character.
        var tokens = await NarrationGeneratorTests.Tokens(engine.GenerateAsync("Describe this clip.", media, options.ToGenerationOptions()));
        string text = string.Concat(updates.Where(u => u.GetStage() is null && u.GetStats() is null).Select(u => u.Text));
        Assert.Equal(QwenTokenizer.Bundled.Decode([.. tokens], skipSpecialTokens: true).Replace("\uFFFD", ""), text);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.All(updates.Where(u => u.GetStage() is null && u.GetStats() is null), u => Assert.NotEmpty(u.Text));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
    }

    [Fact]
    public async Task Get_response_aggregates_the_text_and_keeps_the_stats()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(engine);
        var options = new GenerationOptions { MaxNewTokens = 5 }.ToChatOptions();
        var response = await client.GetResponseAsync([Ask(new PreparedMediaContent(SyntheticMedia.Video()))], options);
        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync([Ask(new PreparedMediaContent(SyntheticMedia.Video()))], options))
        {
            streamed.Append(update.Text);
        }
        Assert.Equal(streamed.ToString(), response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        var stats = Assert.IsType<GenerationStats>(response.AdditionalProperties![NarrationUpdates.StatsKey]);
        Assert.Equal(5, stats.GeneratedTokens);
    }

    [Fact]
    public void Answers_engine_info_for_the_demo_package()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        IChatClient client = new OnnxChatClient(engine);
        var info = client.GetService<EngineInfo>();
        Assert.NotNull(info);
        Assert.True(info.IsDemoModel);
        Assert.Equal("CPU", info.ExecutionProvider);
        Assert.Equal(1, info.MaxConcurrency);
        Assert.Equal("narrator-onnx", client.GetService<ChatClientMetadata>()!.ProviderName);
    }

    [Fact]
    public async Task Prepares_a_video_sent_as_data_content_itself()
    {
        string clip = Path.Combine(demo.ScratchDirectory("clip"), "clip.mp4");
        await SceneClip.WriteAsync(clip, [("testsrc", 1.0), ("smptebars", 1.0)]);
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(engine, options: new NarrationEngineOptions
        {
            Frames = new Narrator.Model.Media.FrameOptions { NFrames = 4, MaxPixels = 112 * 112 },
        });
        var stages = new List<NarrationStage>();
        GenerationStats? stats = null;
        await foreach (var update in client.GetStreamingResponseAsync(
            [Ask(new DataContent(await File.ReadAllBytesAsync(clip), "video/mp4"))], new GenerationOptions { MaxNewTokens = 3 }.ToChatOptions()))
        {
            stages.AddRange(update.GetStage() is { } s ? [s] : []);
            stats = update.GetStats() ?? stats;
        }
        Assert.Equal(NarrationStage.PreparingFrames, stages[0]);
        Assert.NotNull(stats);
        Assert.Equal(4, stats.Frames);
        Assert.True(stats.VisualTokens > 0);
    }

    [Fact]
    public async Task Two_media_attachments_in_one_message_are_refused()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(engine);
        var media = new PreparedMediaContent(SyntheticMedia.Video());
        var message = new ChatMessage(ChatRole.User, [media, media, new TextContent("Compare.")]);
        var error = await Assert.ThrowsAsync<UserInputException>(() => client.GetResponseAsync([message]));
        Assert.Contains("One clip or still per request", error.Message);
    }

    [Fact]
    public async Task Concurrent_requests_run_one_after_the_other()
    {
        using var engine = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(engine);
        var log = new List<string>();
        var options = new GenerationOptions { MaxNewTokens = 20 }.ToChatOptions();
        async Task Run(string name)
        {
            await foreach (var update in client.GetStreamingResponseAsync([Ask(new PreparedMediaContent(SyntheticMedia.Video()))], options))
            {
                lock (log)
                {
                    log.Add(name);
                }
            }
        }
        await Task.WhenAll(Task.Run(() => Run("a")), Task.Run(() => Run("b")));
        // Each request's updates form one contiguous run: no interleaving of the two sequences.
        int switches = log.Zip(log.Skip(1)).Count(pair => pair.First != pair.Second);
        Assert.Equal(1, switches);
    }
}
