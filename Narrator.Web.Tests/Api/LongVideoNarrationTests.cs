using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Api;
using Narrator.Web.Narrations;
using Narrator.Web.Services.History;
using Narrator.Web.Tests.Hubs;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>
/// A clip over the long-video limit (60 s) through the real server and tiny model: split on its scene cuts, narrated
/// segment by segment with "segment k of n" progress, stored with its segments, and exported in every format.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class LongVideoNarrationTests(TinyModelServerFixture fixture) : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static LongRun? scenesRun;

    private readonly HttpClient http = fixture.Server.Http();

    public void Dispose() => http.Dispose();

    private sealed record LongRun(ClipInfo Clip, string Id, List<SseEvent> Events, NarrationRecord Record);

    /// <summary>Two tiny frames per segment and a few tokens: every segment goes through the whole pipeline, quickly.</summary>
    private static object Body(string clipId, string? split = null, int maxNewTokens = 5, string? template = null) => new
    {
        clipId,
        prompt = template is null ? "Describe this part of the film." : null,
        template,
        split,
        maxNewTokens,
        nFrames = 2,
        minPixels = 3136,
        maxPixels = 3136,
    };

    private async Task<LongRun> NarrateAsync(ClipInfo clip, object body)
    {
        using var started = await http.PostAsJsonAsync("/api/narrations", body);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        var events = await SseReader.ReadAllAsync(http, accepted.EventsUrl);
        var record = (await http.GetFromJsonAsync<NarrationRecord>(accepted.StatusUrl, NarratorServer.Json))!;
        return new LongRun(clip, accepted.Id, events, record);
    }

    /// <summary>The three-shot clip narrated once with scene splitting, shared by the tests that read the result.</summary>
    private async Task<LongRun> ScenesRunAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (scenesRun is null)
            {
                var clip = await NarratorServer.UploadClipAsync(http, await TestClips.ThreeShotsMp4Async());
                scenesRun = await NarrateAsync(clip, Body(clip.Id));
            }
            return scenesRun;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static (double Start, double End) Times(JsonElement segment) =>
        (segment.GetProperty("start").GetDouble(), segment.GetProperty("end").GetDouble());

    [Fact]
    public async Task Segment_stages_carry_their_number_and_count_as_fields_and_other_stages_carry_none()
    {
        var run = await ScenesRunAsync();
        var stages = run.Events.Where(e => e.Name == "stage").Select(e => e.Data).ToList();

        var segmentStages = stages.Where(stage => stage.TryGetProperty("segment", out _)).ToList();
        Assert.Equal([1, 2, 3], segmentStages.Select(stage => stage.GetProperty("segment").GetInt32()));
        Assert.All(segmentStages, stage => Assert.Equal(3, stage.GetProperty("segmentCount").GetInt32()));
        Assert.Equal(["segment 1 of 3", "segment 2 of 3", "segment 3 of 3"], segmentStages.Select(stage => stage.GetProperty("stage").GetString()));
        var engineStages = stages.Except(segmentStages).ToList();
        Assert.NotEmpty(engineStages);
        Assert.All(engineStages, stage => Assert.False(stage.TryGetProperty("segmentCount", out _)));
        Assert.All(stages, stage => Assert.False(stage.TryGetProperty("language", out _)));
    }

    [Fact]
    public async Task A_long_clip_is_split_on_its_scene_cuts_and_streams_the_plan_then_each_segment_k_of_n_then_its_result()
    {
        var run = await ScenesRunAsync();
        var events = run.Events;
        Assert.Equal("completed", events[^1].Name);

        // The plan: every segment announced (not yet narrated) before the first one starts.
        var planned = events.Where(e => e.Name == "segment" && !e.Data.GetProperty("finished").GetBoolean()).ToList();
        Assert.Equal(3, planned.Count);
        Assert.All(planned, e => Assert.Equal(3, e.Data.GetProperty("count").GetInt32()));
        int firstSegmentStage = events.FindIndex(e => e.Name == "stage" && e.Data.GetProperty("stage").GetString() == "segment 1 of 3");
        Assert.True(events.IndexOf(planned[^1]) < firstSegmentStage);
        var bounds = planned.Select(e => Times(e.Data.GetProperty("segment"))).ToList();
        Assert.Equal(0, bounds[0].Start);
        Assert.Equal(25, bounds[1].Start, 0.1);
        Assert.Equal(55, bounds[2].Start, 0.1);
        Assert.Equal(75, bounds[2].End, 0.1);
        for (int k = 1; k < bounds.Count; k++)
        {
            Assert.Equal(bounds[k - 1].End, bounds[k].Start);
        }

        // Then, in order: "segment k of 3", that segment's stages and tokens, its finished result.
        var sequence = events
            .Where(e => (e.Name == "stage" && e.Data.GetProperty("stage").GetString()!.StartsWith("segment", StringComparison.Ordinal))
                || (e.Name == "segment" && e.Data.GetProperty("finished").GetBoolean()))
            .Select(e => e.Name == "stage" ? e.Data.GetProperty("stage").GetString() : $"done {e.Data.GetProperty("segment").GetProperty("index").GetInt32()}")
            .ToList();
        Assert.Equal(["segment 1 of 3", "done 0", "segment 2 of 3", "done 1", "segment 3 of 3", "done 2"], sequence);
        var finished = events.Where(e => e.Name == "segment" && e.Data.GetProperty("finished").GetBoolean())
            .Select(e => e.Data.GetProperty("segment")).ToList();
        Assert.All(finished, segment =>
        {
            Assert.NotEqual("", segment.GetProperty("text").GetString());
            Assert.True(segment.GetProperty("stats").GetProperty("generatedTokens").GetInt32() > 0);
            Assert.Equal(2, segment.GetProperty("stats").GetProperty("frames").GetInt32());
        });

        // The streamed pieces are the final text: each segment's words under its time heading.
        string streamed = string.Concat(events.Where(e => e.Name == "token").Select(e => e.Data.GetProperty("text").GetString()));
        string final = events[^1].Data.GetProperty("text").GetString()!;
        Assert.Equal(streamed, final);
        Assert.StartsWith("[00:00:00.000 - 00:00:25.000]\n", final, StringComparison.Ordinal);
        Assert.Contains("\n\n[00:00:25.000 - 00:00:55.000]\n", final, StringComparison.Ordinal);
        Assert.Contains("\n\n[00:00:55.000 - 00:01:15.000]\n", final, StringComparison.Ordinal);
        foreach (var segment in finished)
        {
            Assert.Contains(segment.GetProperty("text").GetString()!, final, StringComparison.Ordinal);
        }

        // The record totals the segments.
        var stats = events[^1].Data.GetProperty("stats");
        Assert.Equal(finished.Sum(s => s.GetProperty("stats").GetProperty("generatedTokens").GetInt32()), stats.GetProperty("generatedTokens").GetInt32());
        Assert.Equal(6, stats.GetProperty("frames").GetInt32());
    }

    [Fact]
    public async Task The_record_keeps_the_segments_live_and_in_the_stored_history()
    {
        var run = await ScenesRunAsync();

        Assert.Equal(NarrationState.Completed, run.Record.State);
        Assert.Equal("scenes", run.Record.Segmentation);
        Assert.Equal(75, run.Record.DurationSeconds!.Value, 0.1);
        Assert.Equal([0, 1, 2], run.Record.Segments!.Select(s => s.Index));
        Assert.All(run.Record.Segments!, s => Assert.NotEqual("", s.Text));

        var stored = await fixture.Server.Services.GetRequiredService<NarrationHistory>().GetAsync(run.Id, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal("scenes", stored.Segmentation);
        Assert.Equal(run.Record.Segments!.Select(s => (s.StartSeconds, s.EndSeconds, s.Text)), stored.Segments!.Select(s => (s.StartSeconds, s.EndSeconds, s.Text)));
        Assert.Equal(run.Record.Segments![1].Stats, stored.Segments![1].Stats);
    }

    [Fact]
    public async Task The_finished_long_narration_exports_one_entry_per_segment_in_every_format()
    {
        var run = await ScenesRunAsync();
        string url = $"/api/narrations/{run.Id}/export";
        string clipStem = Path.GetFileNameWithoutExtension(run.Clip.Label);

        using var json = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"narration-{clipStem}-custom.json", json.Content.Headers.ContentDisposition?.FileNameStar);
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(run.Clip.Label, document.RootElement.GetProperty("video").GetString());
        Assert.Equal("scenes", document.RootElement.GetProperty("segmentation").GetString());
        var segments = document.RootElement.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(run.Record.Segments!.Select(s => (s.StartSeconds, s.EndSeconds, s.Text)),
            segments.Select(s => (s.GetProperty("start").GetDouble(), s.GetProperty("end").GetDouble(), s.GetProperty("text").GetString()!)));

        string ndjson = await http.GetStringAsync(url + "?format=ndjson");
        var lines = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        foreach (var (line, k) in lines.Select((line, k) => (line, k)))
        {
            using var item = JsonDocument.Parse(line);
            Assert.Equal(run.Clip.Label, item.RootElement.GetProperty("video").GetString());
            Assert.Equal(run.Record.Segments![k].StartSeconds, item.RootElement.GetProperty("start").GetDouble());
            Assert.Equal(run.Record.Segments![k].Text, item.RootElement.GetProperty("text").GetString());
            Assert.True(item.RootElement.TryGetProperty("template", out _));
        }

        string srt = await http.GetStringAsync(url + "?format=srt");
        Assert.StartsWith("1\n00:00:00,000 --> 00:00:", srt, StringComparison.Ordinal);
        Assert.Contains("--> 00:00:25,000", srt, StringComparison.Ordinal);
        Assert.Contains("00:00:55,000 --> ", srt, StringComparison.Ordinal);
        Assert.EndsWith("--> 00:01:15,000", srt.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1].Split('\n')[1], StringComparison.Ordinal);

        using var vtt = await http.GetAsync(url + "?format=vtt");
        Assert.Equal("text/vtt", vtt.Content.Headers.ContentType?.MediaType);
        string vttText = await vtt.Content.ReadAsStringAsync();
        Assert.StartsWith("WEBVTT\n\n", vttText, StringComparison.Ordinal);
        Assert.Contains("00:00:25.000 --> ", vttText, StringComparison.Ordinal);

        string text = await http.GetStringAsync(url + "?format=txt");
        Assert.Equal(3, text.Split('\n').Count(line => line.StartsWith("[00:", StringComparison.Ordinal)));
        Assert.StartsWith("[00:00:00.000 - 00:00:25.000]\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_upload_is_split_in_the_background_and_the_narration_uses_that_split()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.ThreeShotsMp4Async());
        string folder = Path.Combine(fixture.Server.ClipsFolder, clip.Id);
        string? file = null;
        for (int i = 0; i < 600 && file is null; i++)
        {
            file = Directory.GetFiles(folder, "segments-*.json").FirstOrDefault();
            await Task.Delay(100);
        }
        Assert.NotNull(file);
        using (var stored = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
        {
            Assert.Equal([0.0, 25.0, 55.0], stored.RootElement.GetProperty("segments").EnumerateArray()
                .Select(segment => Math.Round(segment.GetProperty("startSeconds").GetDouble(), 1)));
        }

        // Had the narration split the clip again it would find the three shots; it uses the stored split instead.
        await File.WriteAllTextAsync(file, """
            {"method":"Fixed","segments":[
              {"index":0,"startSeconds":0,"endSeconds":40,"startFrame":0,"endFrame":400,"endsAt":"Split"},
              {"index":1,"startSeconds":40,"endSeconds":75,"startFrame":400,"endFrame":750,"endsAt":"End"}]}
            """);
        var run = await NarrateAsync(clip, Body(clip.Id, maxNewTokens: 2));

        Assert.Equal(NarrationState.Completed, run.Record.State);
        Assert.Equal("fixed", run.Record.Segmentation);
        Assert.Equal([(0.0, 40.0), (40.0, 75.0)], run.Record.Segments!.Select(s => (s.StartSeconds, s.EndSeconds)));
    }

    [Fact]
    public async Task Cancelling_a_long_narration_keeps_its_finished_segments_and_exports_them()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.ThreeShotsMp4Async());
        // Paced at 5 ms a token, 400 tokens keep each segment going for about two seconds.
        using var started = await http.PostAsJsonAsync("/api/narrations", Body(clip.Id, maxNewTokens: 400));
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;

        var names = new List<string>();
        JsonElement final = default;
        using (var response = await http.GetAsync(accepted.EventsUrl, HttpCompletionOption.ResponseHeadersRead))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            bool cancelled = false;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }
                using var document = JsonDocument.Parse(line[6..]);
                var data = document.RootElement;
                string type = data.GetProperty("type").GetString()!;
                names.Add(type);
                if (type == "segment" && data.GetProperty("finished").GetBoolean() && !cancelled)
                {
                    cancelled = true;
                    using var cancel = await http.DeleteAsync(accepted.StatusUrl);
                    Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
                }
                if (type is "completed" or "failed")
                {
                    final = data.Clone();
                }
            }
        }

        Assert.Equal("failed", final.GetProperty("type").GetString());
        Assert.Equal("cancelled", final.GetProperty("code").GetString());
        var record = (await http.GetFromJsonAsync<NarrationRecord>(accepted.StatusUrl, NarratorServer.Json))!;
        Assert.Equal(NarrationState.Failed, record.State);
        Assert.InRange(record.Segments!.Count, 1, 2);
        Assert.Equal(0, record.Segments[0].StartSeconds);
        Assert.Equal(record.Text, final.GetProperty("partialText").GetString());
        string srt = await http.GetStringAsync($"/api/narrations/{accepted.Id}/export?format=srt");
        Assert.StartsWith("1\n00:00:00,000 --> ", srt, StringComparison.Ordinal);
        Assert.DoesNotContain("00:01:15,000", srt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_the_hub_a_long_video_streams_the_same_typed_events_and_split_fixed_is_honoured()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.ThreeShotsMp4Async());
        await using var hub = fixture.Server.Hub();
        await hub.StartAsync();

        var events = await NarrationHubTests.CollectAsync(hub, new NarrationRequest
        {
            ClipId = clip.Id,
            Prompt = "Describe this part.",
            Split = "fixed",
            Options = new Narrator.Model.Templates.TemplateOptions { NFrames = 2, MinPixels = 3136, MaxPixels = 3136, MaxNewTokens = 3 },
        });

        var completed = Assert.IsType<CompletedEvent>(events[^1]);
        var segments = events.OfType<SegmentEvent>().ToList();
        Assert.Equal([false, false, false, true, true, true], segments.Select(e => e.Finished));
        Assert.Equal([0.0, 30.0, 60.0, 0.0, 30.0, 60.0], segments.Select(e => Math.Round(e.Segment.StartSeconds, 1)));
        Assert.All(segments, e => Assert.Equal(3, e.Count));
        Assert.Equal(["segment 1 of 3", "segment 2 of 3", "segment 3 of 3"],
            events.OfType<StageEvent>().Select(e => e.Stage).Where(stage => stage.StartsWith("segment", StringComparison.Ordinal)));
        Assert.Equal(string.Concat(events.OfType<TokenEvent>().Select(e => e.Text)), completed.Text);
        Assert.Equal(segments.Where(e => e.Finished).Sum(e => e.Segment.Stats!.GeneratedTokens), completed.Stats.GeneratedTokens);
    }

    [Fact]
    public async Task Split_fixed_cuts_equal_lengths_instead_of_scenes()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.ThreeShotsMp4Async());

        var run = await NarrateAsync(clip, Body(clip.Id, split: "fixed", maxNewTokens: 2));

        Assert.Equal(NarrationState.Completed, run.Record.State);
        Assert.Equal("fixed", run.Record.Segmentation);
        Assert.Equal([0, 30, 60], run.Record.Segments!.Select(s => Math.Round(s.StartSeconds, 1)));
        Assert.Equal(75, run.Record.Segments![^1].EndSeconds, 0.1);
    }

    [Fact]
    public async Task A_short_clip_is_narrated_whole_and_exports_as_one_segment_covering_the_clip()
    {
        var run = await NarrateAsync(fixture.Clip, Body(fixture.Clip.Id, template: "tags"));

        Assert.DoesNotContain(run.Events, e => e.Name == "segment");
        Assert.DoesNotContain(run.Events, e => e.Name == "stage" && e.Data.GetProperty("stage").GetString()!.StartsWith("segment", StringComparison.Ordinal));
        Assert.Null(run.Record.Segments);
        using var document = JsonDocument.Parse(await http.GetStringAsync($"/api/narrations/{run.Id}/export?format=json"));
        var segment = Assert.Single(document.RootElement.GetProperty("segments").EnumerateArray());
        Assert.Equal(0, segment.GetProperty("start").GetDouble());
        Assert.Equal(fixture.Clip.Probe.DurationSeconds, segment.GetProperty("end").GetDouble(), 0.01);
        Assert.Equal(run.Record.Text, segment.GetProperty("text").GetString());
        Assert.Equal("whole", document.RootElement.GetProperty("segmentation").GetString());
        Assert.Equal("tags", document.RootElement.GetProperty("template").GetString());
        string srt = await http.GetStringAsync($"/api/narrations/{run.Id}/export?format=srt");
        Assert.StartsWith("1\n00:00:00,000 --> 00:00:02,000\n", srt, StringComparison.Ordinal);
        Assert.DoesNotContain("\n2\n", srt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_refuses_an_unknown_format_an_unknown_id_and_an_unfinished_narration()
    {
        var done = await NarrateAsync(fixture.Clip, Body(fixture.Clip.Id, maxNewTokens: 2));
        using var badFormat = await http.GetAsync($"/api/narrations/{done.Id}/export?format=docx");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        var problem = (await badFormat.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Contains("'docx'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("json, ndjson, srt, vtt, txt", problem.Detail, StringComparison.Ordinal);

        using var unknown = await http.GetAsync("/api/narrations/no-such-narration/export?format=srt");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A long narration that is still running (paced tokens) cannot be exported yet.
        using var started = await http.PostAsJsonAsync("/api/narrations", Body(fixture.Clip.Id, maxNewTokens: 2000));
        var accepted = (await started.Content.ReadFromJsonAsync<NarrationAccepted>(NarratorServer.Json))!;
        try
        {
            using var early = await http.GetAsync($"/api/narrations/{accepted.Id}/export?format=srt");
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            var conflict = (await early.Content.ReadFromJsonAsync<ProblemDetails>())!;
            Assert.Equal("not_finished", conflict.Extensions["code"]?.ToString());
        }
        finally
        {
            using var cancel = await http.DeleteAsync(accepted.StatusUrl);
            await SseReader.ReadAllAsync(http, accepted.EventsUrl);
        }
    }

    [Fact]
    public async Task An_unknown_split_is_refused_naming_the_choices()
    {
        using var response = await http.PostAsJsonAsync("/api/narrations", Body(fixture.Clip.Id, split: "chapters"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Contains("\"chapters\"", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("\"scenes\"", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("\"fixed\"", problem.Detail, StringComparison.Ordinal);
    }
}
