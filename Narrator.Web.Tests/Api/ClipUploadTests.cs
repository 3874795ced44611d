using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Model.Media;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Visitors;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>One server with small upload limits for all upload tests (they run one after another).</summary>
public sealed class UploadServerFixture() : ScriptedServerFixture(() => new ScriptedChatClient(), new Dictionary<string, string?>
{
    ["Narrator:Uploads:MaxBytes"] = MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Narrator:Uploads:MaxDurationSeconds"] = "5",
})
{
    public const long MaxBytes = 300_000;
}

/// <summary>POST /api/clips and the frame/preview/delete routes, good and hostile uploads.</summary>
public sealed class ClipUploadTests(UploadServerFixture fixture) : IClassFixture<UploadServerFixture>, IDisposable
{
    private const long MaxBytes = UploadServerFixture.MaxBytes;
    private readonly NarratorServer server = fixture.Server;
    private readonly HttpClient http = fixture.Server.Http();

    public void Dispose() => http.Dispose();

    [Fact]
    public async Task A_valid_mp4_is_accepted_with_its_probe_plan_frame_images_and_the_original_as_preview()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async(seconds: 2));

        Assert.Equal("clip-2-64x48.mp4", clip.Label);
        Assert.Equal(MediaKind.Video, clip.Probe.Kind);
        Assert.Equal(64, clip.Probe.Width);
        Assert.Equal(clip.Plan.NFrames, clip.Frames.Count);
        Assert.Equal(clip.Plan.Indices, clip.Frames.Select(f => f.Index));
        using var frame = await http.GetAsync(clip.Frames[^1].Url);
        Assert.Equal("image/jpeg", frame.Content.Headers.ContentType?.MediaType);
        var jpeg = await frame.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
        using var preview = await http.GetAsync(clip.PreviewUrl);
        Assert.Equal("video/mp4", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(await TestClips.Mp4Async(seconds: 2)), await preview.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_damaged_file_that_decodes_only_partly_is_accepted_with_a_warning_saying_how_many_frames_decoded()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.DamagedAviAsync());

        Assert.Equal(200, clip.Probe.FrameCount);
        Assert.NotNull(clip.DecodeWarning);
        Assert.Matches(@"^Only \d+ of the 16 planned frames could be decoded \(decoding stopped around frame \d+ of the 200 the file claims\)", clip.DecodeWarning);
        // The strip and the plan are what the model will really see: only the frames that decoded.
        Assert.InRange(clip.Plan.NFrames, 1, 15);
        Assert.Equal(clip.Plan.NFrames, clip.Frames.Count);
        Assert.Contains($"so the model will see those {clip.Plan.NFrames} frame", clip.DecodeWarning);
    }

    [Fact]
    public async Task An_avi_gets_an_h264_mp4_preview_a_browser_can_play_made_in_the_background()
    {
        var uploaded = await NarratorServer.UploadClipAsync(http, await TestClips.AviAsync());
        var clip = await NarratorServer.WaitForPreviewAsync(http, uploaded.Id);

        Assert.Equal("ready", clip.PreviewStatus);
        using var preview = await http.GetAsync(clip.PreviewUrl);
        Assert.Equal("video/mp4", preview.Content.Headers.ContentType?.MediaType);
        var bytes = await preview.Content.ReadAsByteArrayAsync();
        string path = Path.Combine(Path.GetTempPath(), $"narrator-preview-check-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, bytes);
        var probe = await new MediaProber().ProbeAsync(path, CancellationToken.None);
        File.Delete(path);
        Assert.Equal("h264", probe.VideoCodec);
    }

    [Fact]
    public async Task A_png_still_is_accepted_as_an_image()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.PngAsync());

        Assert.Equal(MediaKind.Image, clip.Probe.Kind);
        Assert.Single(clip.Frames);
        using var preview = await http.GetAsync(clip.PreviewUrl);
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string> BadUploads() => new()
    {
        "empty", "random bytes as .mp4", "truncated mp4", "text file", "over the byte limit", "over the duration limit", "../ in the name",
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task A_bad_upload_gets_a_4xx_problem_leaves_no_file_and_the_next_upload_works(string kind)
    {
        var (bytes, name, expected) = kind switch
        {
            "empty" => ([], "empty.mp4", HttpStatusCode.BadRequest),
            "random bytes as .mp4" => (TestClips.RandomBytes(50_000), "random.mp4", HttpStatusCode.UnsupportedMediaType),
            "truncated mp4" => (await TestClips.TruncatedMp4Async(), "truncated.mp4", HttpStatusCode.UnsupportedMediaType),
            "text file" => ("This is not a video, just some words.\n"u8.ToArray(), "notes.txt", HttpStatusCode.UnsupportedMediaType),
            "over the byte limit" => (TestClips.RandomBytes((int)MaxBytes * 3), "huge.mp4", HttpStatusCode.RequestEntityTooLarge),
            "over the duration limit" => (await File.ReadAllBytesAsync(await TestClips.Mp4Async(seconds: 8)), "long.mp4", HttpStatusCode.UnprocessableEntity),
            "../ in the name" => (await File.ReadAllBytesAsync(await TestClips.Mp4Async()), "../../etc/evil.mp4", HttpStatusCode.BadRequest),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var filesBefore = server.ClipFiles();

        using var response = await NarratorServer.UploadAsync(http, bytes, name);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.False(string.IsNullOrWhiteSpace(problem!.Detail));
        Assert.DoesNotContain("   at ", problem.Detail);
        Assert.EndsWith(".", problem.Detail.TrimEnd(')'));
        Assert.Equal(filesBefore, server.ClipFiles());
        var next = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        Assert.NotEmpty(next.Frames);
    }

    [Fact]
    public async Task A_form_without_a_file_field_is_a_400_problem()
    {
        using var form = new MultipartFormDataContent { { new StringContent("hello"), "comment" } };
        using var response = await http.PostAsync("/api/clips", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"file\"", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
    }

    [Fact]
    public async Task Deleting_a_clip_removes_its_files_and_its_routes()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());

        using var deleted = await http.DeleteAsync($"/api/clips/{clip.Id}");
        using var frame = await http.GetAsync(clip.Frames[0].Url);
        using var info = await http.GetAsync($"/api/clips/{clip.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, frame.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(server.ClipsFolder, clip.Id)));
    }

    [Fact]
    public async Task Replanning_changes_the_frames_the_model_will_see()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async(seconds: 2));

        using var response = await http.PostAsJsonAsync($"/api/clips/{clip.Id}/plan", new FrameOptions { NFrames = 4 }, NarratorServer.Json);
        var replanned = await response.Content.ReadFromJsonAsync<ClipInfo>(NarratorServer.Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(4, replanned!.Plan.NFrames);
        Assert.Equal(4, replanned.Frames.Count);
        using var frame = await http.GetAsync(replanned.Frames[3].Url);
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
    }

    [Fact]
    public async Task Replanning_with_impossible_options_is_a_400_naming_the_option()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());

        using var response = await http.PostAsJsonAsync($"/api/clips/{clip.Id}/plan", new FrameOptions { MinFrames = 50, MaxFrames = 10 }, NarratorServer.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("min-frames", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
    }

    [Fact]
    public async Task An_expired_clip_is_deleted_by_the_sweep()
    {
        var clip = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        var store = server.Services.GetRequiredService<ClipStore>();
        var stored = store.Find(clip.Id)!;

        int deletedBefore = store.DeleteExpired();
        ExpireNow(store, stored);
        int deleted = store.DeleteExpired();

        Assert.Equal(0, deletedBefore);
        Assert.Equal(1, deleted);
        Assert.Null(store.Find(clip.Id));
        Assert.False(Directory.Exists(stored.Folder));
    }

    [Fact]
    public async Task The_sweep_leaves_an_upload_that_is_still_arriving_alone()
    {
        var store = server.Services.GetRequiredService<ClipStore>();
        var bytes = await File.ReadAllBytesAsync(await TestClips.Mp4Async());
        var body = new HeldStream(bytes);
        var filesBefore = Directory.GetDirectories(server.ClipsFolder);

        var saving = store.SaveAsync(body, "slow.mp4", NarrationOwner.ForVisitor(VisitorCookie.NewId()), null, CancellationToken.None);
        await body.FirstReadDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
        store.DeleteExpired();
        var arrivingFolder = Assert.Single(Directory.GetDirectories(server.ClipsFolder).Except(filesBefore));
        body.Release.SetResult();
        var clip = await saving;

        Assert.Equal(Path.GetFileName(arrivingFolder), clip.Id);
        Assert.NotNull(store.Find(clip.Id));
    }

    /// <summary>A request body that delivers its first chunk, then waits until the test lets the rest through.</summary>
    private sealed class HeldStream(byte[] bytes) : MemoryStream(bytes)
    {
        public TaskCompletionSource FirstReadDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position > 0)
            {
                FirstReadDone.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }
            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 1024)], cancellationToken);
        }
    }

    [Fact]
    public async Task Unknown_clip_routes_answer_404_problems()
    {
        using var frame = await http.GetAsync("/api/clips/000000000000000000000000/frames/0");
        using var info = await http.GetAsync("/api/clips/../../etc/passwd");

        Assert.Equal(HttpStatusCode.NotFound, frame.StatusCode);
        Assert.Equal("application/problem+json", frame.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, info.StatusCode);
    }

    private static void ExpireNow(ClipStore store, StoredClip clip) => store.Expire(clip.Id);
}
