using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Narrator.Model.Media;
using Narrator.Web.Services.Clips;

namespace Narrator.Web.Tests.Clips;

/// <summary>The admission decisions on their own: probe limits, frame options and quotas, each refusal with its status and sentence.</summary>
public sealed class ClipAdmissionTests
{
    private const long Megabyte = 1024 * 1024;

    private static readonly UploadOptions Limits = new()
    {
        MaxBytes = 10 * Megabyte, MaxDurationSeconds = 600, MaxWidth = 1920, MaxHeight = 1080, MaxFrameCount = 20_000,
        OwnerQuotaBytes = 50 * Megabyte, ClipLifetimeMinutes = 90,
    };

    private static ClipAdmission Admission(long totalQuota = 200 * Megabyte) => new(Limits, totalQuota, NullLogger.Instance);

    private static MediaProbe Probe(double seconds = 10, int width = 640, int height = 360, int frames = 250) => new()
    {
        Kind = MediaKind.Video, Container = "mov,mp4,m4a,3gp,3g2,mj2", VideoCodec = "h264", Width = width, Height = height,
        AverageFps = 25, DurationSeconds = seconds, FrameCount = frames,
    };

    [Fact]
    public void A_clip_a_few_hundredths_over_the_duration_limit_is_admitted_as_the_sentence_would_round_it()
    {
        Admission().CheckProbe("film.mp4", Probe(seconds: 600.04));
    }

    [Fact]
    public void A_clip_longer_than_the_limit_is_a_422_naming_the_file_and_both_durations()
    {
        var refusal = Assert.Throws<ClipRejectedException>(() => Admission().CheckProbe("film.mp4", Probe(seconds: 601)));

        Assert.Equal(StatusCodes.Status422UnprocessableEntity, refusal.StatusCode);
        Assert.Equal("film.mp4 is 601 seconds long; clips may be at most 600 seconds.", refusal.Message);
    }

    [Fact]
    public void A_picture_larger_than_the_limit_in_either_direction_is_a_422_with_the_largest_size()
    {
        var wide = Assert.Throws<ClipRejectedException>(() => Admission().CheckProbe("wide.mkv", Probe(width: 1921)));
        var tall = Assert.Throws<ClipRejectedException>(() => Admission().CheckProbe("tall.mkv", Probe(height: 1081)));

        Assert.All([wide, tall], refusal => Assert.Equal(StatusCodes.Status422UnprocessableEntity, refusal.StatusCode));
        Assert.Equal("wide.mkv is 1921x360; the largest accepted size is 1920x1080.", wide.Message);
        Assert.Contains("the largest accepted size is 1920x1080", tall.Message);
    }

    [Fact]
    public void Too_many_frames_is_a_422_and_no_usable_picture_is_a_415()
    {
        var frames = Assert.Throws<ClipRejectedException>(() => Admission().CheckProbe("long.avi", Probe(frames: 20_001)));
        var empty = Assert.Throws<ClipRejectedException>(() => Admission().CheckProbe("audio.mp4", Probe(width: 0, height: 0)));

        Assert.Equal(StatusCodes.Status422UnprocessableEntity, frames.StatusCode);
        Assert.Equal("long.avi has 20001 frames; clips may have at most 20000.", frames.Message);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, empty.StatusCode);
        Assert.Equal("audio.mp4 has no picture of a usable size.", empty.Message);
    }

    [Fact]
    public void Frame_options_the_planner_refuses_are_a_400_with_the_planner_sentence()
    {
        var refusal = Assert.Throws<ClipRejectedException>(() => ClipAdmission.CheckFrameOptions(new FrameOptions { Fps = 0 }));

        Assert.Equal(StatusCodes.Status400BadRequest, refusal.StatusCode);
        Assert.Contains("fps must be a positive number", refusal.Message);
        ClipAdmission.CheckFrameOptions(new FrameOptions());
    }

    [Fact]
    public void The_room_left_is_the_upload_limit_and_what_both_quotas_still_allow()
    {
        var room = Admission().Room(ownerUsed: 30 * Megabyte, totalUsed: 150 * Megabyte);

        Assert.Equal(new UploadRoom(10 * Megabyte, 20 * Megabyte, 50 * Megabyte), room);
    }

    [Fact]
    public void A_visitor_at_their_quota_is_a_429_that_says_how_to_make_room_before_any_byte_is_read()
    {
        var refusal = Assert.Throws<ClipRejectedException>(() => Admission().Room(ownerUsed: 50 * Megabyte, totalUsed: 60 * Megabyte));

        Assert.Equal(StatusCodes.Status429TooManyRequests, refusal.StatusCode);
        Assert.Contains("the 50 MB each visitor may keep", refusal.Message);
        Assert.Contains("DELETE /api/clips/{id}", refusal.Message);
        Assert.Contains("90 minutes after their last use", refusal.Message);
    }

    [Fact]
    public void A_full_server_is_a_507_even_for_a_visitor_with_room_of_their_own()
    {
        var refusal = Assert.Throws<ClipRejectedException>(() => Admission(totalQuota: 100 * Megabyte).Room(ownerUsed: 0, totalUsed: 100 * Megabyte));

        Assert.Equal(StatusCodes.Status507InsufficientStorage, refusal.StatusCode);
        Assert.Contains("clip storage is full (100 MB)", refusal.Message);
    }

    [Fact]
    public void Bytes_received_are_refused_by_the_upload_limit_first_then_the_owner_quota_then_the_total()
    {
        var admission = Admission();
        var room = new UploadRoom(MaxBytes: 10 * Megabyte, Owner: 4 * Megabyte, Total: 2 * Megabyte);

        admission.CheckReceived(2 * Megabyte, room);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, Assert.Throws<ClipRejectedException>(() => admission.CheckReceived(10 * Megabyte + 1, room)).StatusCode);
        Assert.Equal(StatusCodes.Status507InsufficientStorage, Assert.Throws<ClipRejectedException>(() => admission.CheckReceived(3 * Megabyte, room)).StatusCode);
        var ownerFirst = room with { Owner = 1 * Megabyte };
        Assert.Equal(StatusCodes.Status429TooManyRequests, Assert.Throws<ClipRejectedException>(() => admission.CheckReceived(3 * Megabyte, ownerFirst)).StatusCode);
        Assert.Equal("The file is larger than the 10 MB upload limit.", admission.TooLarge().Message);
    }

    [Fact]
    public void Expired_clips_are_worth_sweeping_only_when_a_quota_is_reached()
    {
        var admission = Admission(totalQuota: 100 * Megabyte);

        Assert.False(admission.IsFull(ownerUsed: 49 * Megabyte, totalUsed: 99 * Megabyte));
        Assert.True(admission.IsFull(ownerUsed: 50 * Megabyte, totalUsed: 0));
        Assert.True(admission.IsFull(ownerUsed: 0, totalUsed: 100 * Megabyte));
    }
}
