using Bunit;
using Narrator.Web.Components.Prompt;
using Narrator.Web.Localization;

namespace Narrator.Web.Tests.Components;

public class TemplatePickerTests : MudTestContext
{
    [Fact]
    public void EachTemplateIsACardWithItsExplanationAndOutputKind()
    {
        var picker = RenderEnglish<TemplatePicker>(p => p.Add(x => x.Templates, SampleData.Templates).Add(x => x.SelectedId, "tags"));

        var cards = picker.FindAll("[data-testid=template-card]");
        Assert.Equal(3, cards.Count);
        Assert.Contains("15 to 20 comma-separated tags.", cards[1].TextContent);
        Assert.Contains("JSON", cards[2].TextContent);
        Assert.Equal("true", cards[1].GetAttribute("aria-checked"));
        Assert.Equal("false", cards[0].GetAttribute("aria-checked"));
    }

    [Fact]
    public void ClickingSelectsAndOnlyTheChosenCardIsATabStop()
    {
        var keys = JSInterop.SetupModule(Narrator.Web.Components.Interop.NarratorScript.ModulePath);
        keys.SetupVoid("radioGroupKeys", _ => true).SetVoidResult();
        var chosen = new List<string>();
        var picker = RenderEnglish<TemplatePicker>(p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.SelectedId, "cinematic-zh")
            .Add(x => x.SelectedIdChanged, (string id) => chosen.Add(id)));

        picker.Find("[data-template=tags]").Click();
        picker.Find("[data-template=structured]").Click();
        picker.Find("[data-template=cinematic-zh]").Click();

        Assert.Equal(["tags", "structured"], chosen);
        // A radio group is one tab stop; the arrow keys (narrator.js) move within it.
        Assert.Equal(["0", "-1", "-1"], picker.FindAll("[role=radio]").Select(card => card.GetAttribute("tabindex")));
        keys.VerifyInvoke("radioGroupKeys");
    }

    [Fact]
    public void DisabledPickerIgnoresClicks()
    {
        var chosen = new List<string>();
        var picker = RenderEnglish<TemplatePicker>(p => p
            .Add(x => x.Templates, SampleData.Templates)
            .Add(x => x.Disabled, true)
            .Add(x => x.SelectedIdChanged, (string id) => chosen.Add(id)));

        picker.Find("[data-template=tags]").Click();

        Assert.Empty(chosen);
    }

    [Fact]
    public void NamesFollowTheLanguage()
    {
        var picker = RenderWith<TemplatePicker>(UiText.Chinese, p => p.Add(x => x.Templates, SampleData.Templates));

        Assert.Contains("影视解说", picker.Markup);
        Assert.Contains("标签", picker.Markup);
        Assert.DoesNotContain("Cinematic (Chinese)", picker.Markup);
    }
}
