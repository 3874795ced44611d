using Bunit;
using MudBlazor;
using Narrator.Model.Media;
using Narrator.Model.Generation;
using Narrator.Web.Components.Output;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;

namespace Narrator.Web.Tests.Components;

public class HistoryPanelTests : MudTestContext
{
    private static NarrationRecord Record(string id, NarrationState state, string text, string? template = "tags", string? error = null) => new()
    {
        Id = id,
        State = state,
        ClipId = "abc",
        ClipLabel = "street.mp4",
        Template = template,
        Prompt = "List tags.",
        Options = new(new FrameOptions(), new GenerationOptions()),
        Text = text,
        Error = error,
        CreatedAt = new DateTimeOffset(2026, 11, 22, 12, 30, 5, TimeSpan.Zero),
    };

    [Fact]
    public void EmptyHistorySaysWhatWillAppear()
    {
        var panel = RenderEnglish<HistoryPanel>(p => p.Add(x => x.Items, []));

        Assert.Contains("Your narrations will be listed here.", panel.Find("[data-testid=history-empty]").TextContent);
    }

    [Fact]
    public void RowsShowClipTemplateAndTextOrTheError()
    {
        var panel = RenderWith<HistoryPanel>(UiText.Chinese, p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.Items, [Record("a", NarrationState.Completed, "night, city"), Record("b", NarrationState.Failed, "", null, "The queue is full.")]));

        var rows = panel.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("标签", rows[0].TextContent);
        Assert.Contains("night, city", rows[0].TextContent);
        Assert.Contains("自定义提示词", rows[1].TextContent);
        Assert.Contains("The queue is full.", rows[1].TextContent);
    }

    [Fact]
    public void OpenAndRunAgainRaiseTheRecord()
    {
        var opened = new List<string>();
        var rerun = new List<string>();
        var panel = RenderEnglish<HistoryPanel>(p => p
            .Add(x => x.Items, [Record("a", NarrationState.Completed, "x"), Record("b", NarrationState.Completed, "y")])
            .Add(x => x.OnOpen, (NarrationRecord record) => opened.Add(record.Id))
            .Add(x => x.OnRerun, (NarrationRecord record) => rerun.Add(record.Id)));

        panel.FindAll("[data-testid=history-open]")[1].Click();
        panel.FindAll("[data-testid=history-rerun]")[0].Click();

        Assert.Equal(["b"], opened);
        Assert.Equal(["a"], rerun);
    }

    [Fact]
    public void RunAgainIsDisabledWhileANarrationRuns()
    {
        var panel = RenderEnglish<HistoryPanel>(p => p.Add(x => x.Items, [Record("a", NarrationState.Completed, "x")]).Add(x => x.Disabled, true));

        Assert.True(panel.Find("[data-testid=history-rerun]").HasAttribute("disabled"));
    }

    [Fact]
    public void AnInterruptedNarrationSaysARestartCutItShortAndShowsTheTextItHad()
    {
        var panel = RenderEnglish<HistoryPanel>(p => p.Add(x => x.Items,
            [Record("a", NarrationState.Interrupted, "The camera pans", error: "The server stopped while this narration was being written.")]));

        var row = panel.Find("tbody tr");
        Assert.Contains("Interrupted by a server restart", panel.Find("[data-testid=history-interrupted]").TextContent);
        Assert.Equal("The camera pans", panel.Find("[data-testid=history-text]").TextContent);
        Assert.DoesNotContain("The server stopped", row.TextContent);
    }

    [Fact]
    public async Task DeleteAsksFirstNamingTheClipAndRaisesTheRecordOnlyWhenConfirmed()
    {
        var deleted = new List<string>();
        var dialogs = Render<MudDialogProvider>();
        var panel = RenderEnglish<HistoryPanel>(p => p
            .Add(x => x.Items, [Record("a", NarrationState.Completed, "x"), Record("b", NarrationState.Completed, "y")])
            .Add(x => x.OnDelete, (NarrationRecord record) => deleted.Add(record.Id)));

        // The click's handler waits for the dialog's answer: answer it before awaiting the click.
        Task kept = panel.FindAll("[data-testid=history-delete]")[1].ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("The narration of street.mp4 is removed for good", dialogs.Markup));
        Assert.Empty(deleted);
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").ClickAsync(new());
        await kept.WaitAsync(TimeSpan.FromSeconds(30));
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("removed for good", dialogs.Markup));
        Assert.Empty(deleted);

        Task confirmed = panel.FindAll("[data-testid=history-delete]")[1].ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.Contains("Delete this narration?", dialogs.Markup));
        await dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").ClickAsync(new());
        await confirmed.WaitAsync(TimeSpan.FromSeconds(30));
        panel.WaitForAssertion(() => Assert.Equal(["b"], deleted));
    }

    [Fact]
    public void TheDeleteButtonIsLabelledInTheVisitorsLanguage()
    {
        var panel = RenderWith<HistoryPanel>(UiText.Chinese, p => p.Add(x => x.Items, [Record("a", NarrationState.Failed, "", error: "x")]));

        Assert.Equal("删除", panel.Find("[data-testid=history-delete]").GetAttribute("aria-label"));
    }
}
