using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Clips;
using Narrator.Web.Tests.Queue;
using Narrator.Web.Tests.Services;

namespace Narrator.Web.Tests.Api;

/// <summary>The visitor's or the machine's trouble during an upload is a 4xx/5xx sentence, never a 500, and the app keeps serving.</summary>
public sealed class UploadFailureTests
{
    [Fact]
    public async Task A_multipart_body_cut_short_is_a_400_with_a_sentence_and_the_next_upload_works()
    {
        await using var server = new NarratorServer(engine: new ScriptedChatClient());
        using var http = server.Http();
        var bytes = await File.ReadAllBytesAsync(await TestClips.Mp4Async());
        const string boundary = "narrator-cut-short";
        var head = Encoding.ASCII.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.mp4\"\r\nContent-Type: video/mp4\r\n\r\n");
        // Half the file and no closing boundary: the body ends mid-part.
        var body = head.Concat(bytes[..(bytes.Length / 2)]).ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");

        using var response = await http.PostAsync("/api/clips", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("ended before the whole", problem!.Detail);
        Assert.Empty(server.ClipFiles());
        Assert.NotEmpty((await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async())).Frames);
    }

    [Fact]
    public async Task A_full_disk_while_receiving_or_writing_frames_is_a_507_and_the_app_keeps_serving()
    {
        var disk = new FillingDisk();
        await using var server = new NarratorServer(engine: new ScriptedChatClient(),
            configure: services => services.AddSingleton<ClipFiles>(disk));
        using var http = server.Http();
        var mp4 = await File.ReadAllBytesAsync(await TestClips.Mp4Async());

        disk.FailUploadsAfterBytes = 1000;
        using var receiving = await NarratorServer.UploadAsync(http, mp4, "full.mp4");
        disk.FailUploadsAfterBytes = null;
        disk.FailSmallWrites = true;
        using var frames = await NarratorServer.UploadAsync(http, mp4, "full.mp4");
        disk.FailSmallWrites = false;

        foreach (var response in new[] { receiving, frames })
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
            Assert.Contains("disk is full", problem!.Detail);
            Assert.Equal("storage_full", ((JsonElement)problem.Extensions["code"]!).GetString());
        }
        Assert.Empty(server.ClipFiles());
        Assert.NotEmpty((await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async())).Frames);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Ffmpeg_removed_at_run_time_makes_readyz_not_ready_and_uploads_503_until_it_comes_back()
    {
        string tools = Directory.CreateTempSubdirectory("narrator-ffmpeg-").FullName;
        void Install()
        {
            var installed = Narrator.Model.Media.FfmpegTools.Default;
            File.CreateSymbolicLink(Path.Combine(tools, Path.GetFileName(installed.FfmpegPath)), installed.FfmpegPath);
            File.CreateSymbolicLink(Path.Combine(tools, Path.GetFileName(installed.FfprobePath)), installed.FfprobePath);
        }
        void Remove()
        {
            foreach (var file in Directory.GetFiles(tools))
            {
                File.Delete(file);
            }
        }
        Install();
        try
        {
            await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Ffmpeg:Folder"] = tools }, new ScriptedChatClient());
            using var http = server.Http();
            await WaitReadyAsync(http);
            var mp4 = await File.ReadAllBytesAsync(await TestClips.Mp4Async());

            Remove();
            using var readyz = await http.GetAsync("/readyz");
            using var upload = await NarratorServer.UploadAsync(http, mp4, "clip.mp4");
            Install();
            using var recovered = await http.GetAsync("/readyz");
            using var again = await NarratorServer.UploadAsync(http, mp4, "clip.mp4");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
            var report = await readyz.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("ffmpeg_missing", report.GetProperty("status").GetString());
            Assert.Contains("apt-get install ffmpeg", report.GetProperty("error").GetString());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
            Assert.Contains("apt-get install ffmpeg", (await upload.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    [Fact]
    public async Task An_owner_over_their_quota_gets_a_429_and_may_upload_again_after_deleting_or_expiry()
    {
        long clipBytes = new FileInfo(await TestClips.Mp4Async()).Length;
        await using var server = new NarratorServer(new Dictionary<string, string?>
        {
            // Room for one clip with its thumbnails, not two.
            ["Narrator:Uploads:OwnerQuotaBytes"] = (clipBytes * 2 + 4096).ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, new ScriptedChatClient());
        using var http = server.Http();
        var mp4 = await File.ReadAllBytesAsync(await TestClips.Mp4Async());
        var first = await NarratorServer.UploadClipAsync(http, await TestClips.Mp4Async());
        using var second = await NarratorServer.UploadAsync(http, mp4, "second.mp4");

        using var refused = await NarratorServer.UploadAsync(http, mp4, "third.mp4");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("delete some", problem!.Detail);
        Assert.Equal("owner_quota", ((JsonElement)problem.Extensions["code"]!).GetString());

        // The oldest expired clip goes first, making room.
        var store = server.Services.GetRequiredService<ClipStore>();
        foreach (var id in Directory.GetDirectories(server.ClipsFolder).Select(Path.GetFileName))
        {
            store.Expire(id!);
        }
        using var afterExpiry = await NarratorServer.UploadAsync(http, mp4, "fourth.mp4");
        Assert.Equal(HttpStatusCode.Created, afterExpiry.StatusCode);
        Assert.Null(store.Find(first.Id));
    }

    [Fact]
    public async Task Uploads_over_the_total_storage_quota_get_a_507_that_says_to_try_later()
    {
        await using var server = new NarratorServer(new Dictionary<string, string?> { ["Narrator:Uploads:StorageQuotaBytes"] = "20000" },
            new ScriptedChatClient());
        using var http = server.Http();

        using var response = await NarratorServer.UploadAsync(http, TestClips.RandomBytes(30_000), "big.mp4");

        Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("try again later", problem!.Detail);
        Assert.Equal("storage_full", ((JsonElement)problem.Extensions["code"]!).GetString());
        Assert.Empty(server.ClipFiles());
    }

    [Fact]
    public async Task A_subtitle_file_counts_in_the_owner_s_quota_and_on_a_full_disk_is_a_507_leaving_the_clip_as_it_was()
    {
        // Room for the clip (about 12 KB), its thumbnails (about 160 KB) and a short subtitle file.
        const long quota = 1024 * 1024;
        var disk = new FillingDisk();
        await using var server = new NarratorServer(new Dictionary<string, string?>
        {
            ["Narrator:Uploads:OwnerQuotaBytes"] = quota.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, new ScriptedChatClient(), configure: services => services.AddSingleton<ClipFiles>(disk));
        using var visitor = server.Visitor();
        var clip = await NarratorServer.UploadClipAsync(visitor.Http, await TestClips.Mp4Async());
        string url = $"/api/clips/{clip.Id}/subtitles";
        static bool Subtitles(string path) => path.Contains($"{Path.DirectorySeparatorChar}subtitles{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

        disk.FailSmallWrites = true;
        using var whileFull = await visitor.Http.PutAsync(url, VisitorDialogueOwnershipTests.Srt("full.srt", "A line"));
        disk.FailSmallWrites = false;
        var filesAfterFull = server.ClipFiles();
        // More cues than the quota has bytes for (each cue is over 30 bytes), under the 2 MB file limit.
        using var overQuota = await visitor.Http.PutAsync(url, VisitorDialogueOwnershipTests.Srt("long.srt", "A line", cues: (int)(quota / 30) + 100));
        var filesAfterQuota = server.ClipFiles();
        using var fits = await visitor.Http.PutAsync(url, VisitorDialogueOwnershipTests.Srt("short.srt", "A line"));

        Assert.Equal(HttpStatusCode.InsufficientStorage, whileFull.StatusCode);
        var full = await whileFull.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("The server's disk is full, so the file could not be stored; please try again later.", full!.Detail);
        Assert.Equal("storage_full", ((JsonElement)full.Extensions["code"]!).GetString());
        Assert.Equal((HttpStatusCode)429, overQuota.StatusCode);
        var quotaProblem = await overQuota.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("owner_quota", ((JsonElement)quotaProblem!.Extensions["code"]!).GetString());
        Assert.Contains("delete some", quotaProblem.Detail);
        // Neither refusal left a subtitle file (or its temporary) behind.
        Assert.DoesNotContain(filesAfterFull, Subtitles);
        Assert.DoesNotContain(filesAfterQuota, Subtitles);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await visitor.Http.GetAsync($"/api/clips/{clip.Id}")).StatusCode);
    }

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (int i = 0; i < 300; i++)
        {
            using var response = await http.GetAsync("/readyz");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("/readyz never said ready.");
    }

    /// <summary>A disk that fills up on demand: while an upload streams in, or when thumbnails and records are written.</summary>
    private sealed class FillingDisk : ClipFiles
    {
        public volatile bool FailSmallWrites;

        public long? FailUploadsAfterBytes { get; set; }

        public override Stream Create(string path) =>
            FailUploadsAfterBytes is { } limit ? new FillingStream(base.Create(path), limit) : base.Create(path);

        public override Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken) =>
            FailSmallWrites ? Task.FromException(Full()) : base.WriteAllBytesAsync(path, bytes, cancellationToken);

        public override Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken) =>
            FailSmallWrites ? Task.FromException(Full()) : base.WriteAllTextAsync(path, text, cancellationToken);

        public static IOException Full() => new("No space left on device", DiskFullErrno);

        private sealed class FillingStream(Stream inner, long limit) : Stream
        {
            private long written;

            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => written;
            public override long Position { get => written; set => throw new NotSupportedException(); }

            public override void Flush() => inner.Flush();
            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (written + buffer.Length > limit)
                {
                    throw Full();
                }
                written += buffer.Length;
                await inner.WriteAsync(buffer, cancellationToken);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }
                base.Dispose(disposing);
            }

            public override async ValueTask DisposeAsync()
            {
                await inner.DisposeAsync();
                await base.DisposeAsync();
            }
        }
    }
}
