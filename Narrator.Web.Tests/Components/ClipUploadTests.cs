using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Narrator.Web.Components.Clip;
using Narrator.Web.Localization;

namespace Narrator.Web.Tests.Components;

public class ClipUploadTests : MudTestContext
{
    [Fact]
    public void AFileWithinTheLimitIsHandedToThePage()
    {
        IBrowserFile? selected = null;
        var upload = RenderEnglish<ClipUpload>(p => p
            .Add(x => x.MaxBytes, 1024)
            .Add(x => x.OnFileSelected, (IBrowserFile file) => selected = file));

        upload.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[100], "clip.mp4", contentType: "video/mp4"));

        Assert.NotNull(selected);
        Assert.Equal("clip.mp4", selected.Name);
        Assert.Empty(upload.FindAll("[data-testid=upload-error]"));
    }

    [Fact]
    public void AFileOverTheLimitIsRefusedBeforeUploadWithASentence()
    {
        IBrowserFile? selected = null;
        var upload = RenderEnglish<ClipUpload>(p => p
            .Add(x => x.MaxBytes, 1024)
            .Add(x => x.OnFileSelected, (IBrowserFile file) => selected = file));

        upload.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[4096], "big.mp4", contentType: "video/mp4"));

        Assert.Null(selected);
        Assert.Equal("big.mp4 is 4 KB, larger than the 1 KB limit; trim or compress it first.",
            upload.Find("[data-testid=upload-error]").TextContent.Trim());
    }

    [Fact]
    public void AnEmptyFileIsRefused()
    {
        IBrowserFile? selected = null;
        var upload = RenderEnglish<ClipUpload>(p => p.Add(x => x.OnFileSelected, (IBrowserFile file) => selected = file));

        upload.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([], "empty.mp4"));

        Assert.Null(selected);
        Assert.Contains("empty.mp4 is empty.", upload.Find("[data-testid=upload-error]").TextContent);
    }

    [Fact]
    public void TheServersRefusalIsShownAsSent()
    {
        var upload = RenderEnglish<ClipUpload>(p => p.Add(x => x.Error, "notes.txt is not a video or an image ffprobe can read."));

        Assert.Equal("notes.txt is not a video or an image ffprobe can read.", upload.Find("[data-testid=upload-error]").TextContent.Trim());
        Assert.Equal("alert", upload.Find("[data-testid=upload-error]").GetAttribute("role"));
    }

    [Fact]
    public void ProgressShowsBytesThenTheCheckingStep()
    {
        var upload = RenderEnglish<ClipUpload>(p => p
            .Add(x => x.UploadingName, "clip.mp4")
            .Add(x => x.UploadedBytes, 512 * 1024)
            .Add(x => x.TotalBytes, 2 * 1024 * 1024)
            .Add(x => x.IsBusy, true));

        string progress = upload.Find("[data-testid=upload-progress]").TextContent;
        Assert.Contains("Uploading clip.mp4", progress);
        Assert.Contains("512 KB / 2 MB", progress);
        Assert.Contains("25", upload.Find("[data-testid=upload-progress] .mud-progress-linear").GetAttribute("aria-valuenow") ?? "");

        upload.Render(p => p.Add(x => x.UploadedBytes, 2 * 1024 * 1024));

        Assert.Contains("Checking the clip", upload.Find("[data-testid=upload-progress]").TextContent);
    }

    [Fact]
    public void LimitIsStatedInTheChosenLanguage()
    {
        var upload = RenderWith<ClipUpload>(UiText.Chinese, p => p.Add(x => x.MaxBytes, 50L * 1024 * 1024));

        Assert.Contains("不超过 50 MB", upload.Markup);
        Assert.Contains("将视频或图片拖放到此处", upload.Markup);
    }
}
