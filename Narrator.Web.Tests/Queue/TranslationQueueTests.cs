using Microsoft.Extensions.AI;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Translation;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Queue;

namespace Narrator.Web.Tests.Queue;

/// <summary>Translations go through the same queue as narrations: text only, owner limits, cancel, stored with the narration.</summary>
public sealed class TranslationQueueTests
{
    private static readonly TranslationLanguage French = TranslationLanguages.Get("fr");

    private static NarrationWork TranslationOf(string narrationId, string text, params TranslationLanguage[] languages) =>
        NarrationWork.ForTranslation(narrationId, "clip", "clip.mp4", new FrameOptions(), null, new TimedNarration
        {
            Video = "clip.mp4",
            DurationSeconds = 4,
            Segmentation = "whole",
            Segments = [new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 4, Text = text }],
        }, languages.Length > 0 ? languages : [French], 2048);

    private static async Task<NarrationJob> NarratedAsync(QueueHarness harness, string prompt, string owner = "owner")
    {
        var job = harness.Enqueue(prompt, owner);
        await job.CollectAsync();
        return job;
    }

    [Fact]
    public async Task A_translation_is_a_text_only_request_with_the_instruction_streamed_and_stored_with_its_narration()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 3));
        await harness.StartAsync();
        var narrated = await NarratedAsync(harness, "story");

        var job = harness.Queue.Enqueue(TranslationOf(narrated.Id, narrated.Text), QueueHarness.Caller("owner"));
        var events = await job.CollectAsync();

        var request = harness.Client.Requests[^1];
        Assert.DoesNotContain(request.Contents, content => content is PreparedMediaContent);
        string instruction = TranslationPrompt.Build(French, narrated.Text);
        Assert.Equal(instruction, request.Text);
        Assert.Equal(["translating into fr (1 of 1)", "prefill", "generating"], events.OfType<StageEvent>().Select(e => e.Stage));
        Assert.Equal(["fr", null, null], events.OfType<StageEvent>().Select(e => e.Language));
        string expected = string.Concat(Enumerable.Range(0, 3).Select(i => ScriptedChatClient.TokenText(instruction, i)));
        Assert.Equal(expected, string.Concat(events.OfType<TokenEvent>().Select(e => e.Text)));
        var translated = Assert.Single(events.OfType<TranslationEvent>());
        Assert.Equal(("fr", expected.Trim()), (translated.Language, translated.Text));
        Assert.Equal(expected, Assert.IsType<CompletedEvent>(events[^1]).Text);

        var stored = await harness.History.GetAsync(narrated.Id, CancellationToken.None);
        var french = stored!.Translations!["fr"];
        Assert.Equal((NarrationState.Completed, expected.Trim(), (string?)null), (french.State, french.Text, french.Error));
        // The translation request itself is not a narration of its own.
        Assert.Null(await harness.History.GetAsync(job.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Several_languages_run_one_after_another_in_one_request()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 1));
        await harness.StartAsync();
        var narrated = await NarratedAsync(harness, "story");

        var events = await harness.Queue.Enqueue(TranslationOf(narrated.Id, narrated.Text, French, TranslationLanguages.Get("es")), QueueHarness.Caller("owner"))
            .CollectAsync();

        Assert.Equal(["fr", "es"], events.OfType<TranslationEvent>().Select(e => e.Language));
        string text = Assert.IsType<CompletedEvent>(events[^1]).Text;
        Assert.StartsWith("[fr]\nTranslate the text below into French", text);
        Assert.Contains("\n\n[es]\nTranslate the text below into Spanish (español).", text);
        Assert.Equal(["es", "fr"], (await harness.History.GetAsync(narrated.Id, CancellationToken.None))!.Translations!.Keys.Order());
    }

    [Fact]
    public async Task A_translation_counts_against_its_owners_limit_like_any_request()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 3, gated: true), new QueueOptions { Capacity = 8, PerOwnerLimit = 1 });
        await harness.StartAsync();
        var running = harness.Enqueue("long narration", "owner");
        await harness.Client.FirstTokenRequested.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var refused = Assert.Throws<NarrationRejectedException>(() => harness.Queue.Enqueue(TranslationOf("earlier", "text"), QueueHarness.Caller("owner")));
        var other = harness.Queue.Enqueue(TranslationOf("earlier", "text"), QueueHarness.Caller("someone else"));

        Assert.Equal(FailureCodes.OwnerLimit, refused.Code);
        Assert.Equal(1, other.Position);
        harness.Client.Step(100);
        await running.CollectAsync();
        await other.CollectAsync();
    }

    [Fact]
    public async Task Cancelling_a_running_translation_stops_it_and_stores_what_it_wrote_with_the_reason()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 6, gated: true));
        await harness.StartAsync();
        harness.Client.Step(6);
        var narrated = harness.Enqueue("story");
        await narrated.CollectAsync();
        harness.Client.Step(2);

        var job = harness.Queue.Enqueue(TranslationOf(narrated.Id, narrated.Text), QueueHarness.Caller("owner"));
        for (int i = 0; i < 500 && job.TokenPieces < 2; i++)
        {
            await Task.Delay(10);
        }
        Assert.True(harness.Queue.Cancel(job.Id));
        var events = await job.CollectAsync();

        var failed = Assert.IsType<FailedEvent>(events[^1]);
        Assert.Equal(FailureCodes.Cancelled, failed.Code);
        var french = (await harness.History.GetAsync(narrated.Id, CancellationToken.None))!.Translations!["fr"];
        Assert.Equal((NarrationState.Failed, "The narration was cancelled."), (french.State, french.Error));
        Assert.Equal(failed.PartialText, french.Text);
        Assert.NotEmpty(french.Text);
    }

    [Fact]
    public async Task A_narration_asked_to_be_translated_hands_its_slot_to_the_translation_and_names_it_when_it_completes()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 2), new QueueOptions { Capacity = 8, PerOwnerLimit = 1 });
        await harness.StartAsync();

        var narration = harness.Queue.Enqueue(QueueHarness.Work("story") with { TranslateAfter = [French] }, QueueHarness.Caller("owner"));
        var completed = Assert.IsType<CompletedEvent>((await narration.CollectAsync())[^1]);

        Assert.Null(completed.TranslationError);
        var translation = harness.Queue.Find(completed.TranslationId!);
        Assert.NotNull(translation);
        Assert.Equal(new NarrationOwner("owner"), translation.Owner);
        var events = await translation.CollectAsync();
        Assert.IsType<CompletedEvent>(events[^1]);
        var request = harness.Client.Requests[^1];
        Assert.DoesNotContain(request.Contents, content => content is PreparedMediaContent);
        Assert.Equal(TranslationPrompt.Build(French, completed.Text.Trim()), request.Text);
        Assert.Equal(NarrationState.Completed, (await harness.History.GetAsync(narration.Id, CancellationToken.None))!.Translations!["fr"].State);
    }

    [Fact]
    public async Task A_narration_that_produced_no_text_says_there_is_nothing_to_translate()
    {
        await using var harness = QueueHarness.Create(new ScriptedChatClient(tokens: 0));
        await harness.StartAsync();

        var narration = harness.Queue.Enqueue(QueueHarness.Work("story") with { TranslateAfter = [French] }, QueueHarness.Caller("owner"));
        var completed = Assert.IsType<CompletedEvent>((await narration.CollectAsync())[^1]);

        Assert.Null(completed.TranslationId);
        Assert.Equal("The narration has no text to translate.", completed.TranslationError);
    }
}
