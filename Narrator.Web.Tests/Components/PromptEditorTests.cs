using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Narrator.Web.Components.Prompt;

namespace Narrator.Web.Tests.Components;

public class PromptEditorTests : MudTestContext
{
    [Fact]
    public void TheTemplatesOwnTextIsNotMarkedEdited()
    {
        var editor = RenderEnglish<PromptEditor>(p => p.Add(x => x.Prompt, "Describe.\r\n").Add(x => x.TemplatePrompt, "Describe.\n"));

        Assert.Empty(editor.FindAll("[data-testid=prompt-edited]"));
        Assert.True(editor.Find("[data-testid=reset-prompt]").HasAttribute("disabled"));
    }

    [Fact]
    public void EditsAreRaisedAndResetRestoresTheTemplate()
    {
        string prompt = "Describe.";
        var editor = RenderEnglish<PromptEditor>(p => p
            .Add(x => x.Prompt, prompt)
            .Add(x => x.TemplatePrompt, "Describe.")
            .Add(x => x.PromptChanged, (string value) => prompt = value));

        editor.Find("textarea").Input("Describe the lighting.");
        Assert.Equal("Describe the lighting.", prompt);

        editor.Render(p => p.Add(x => x.Prompt, prompt));
        Assert.NotNull(editor.Find("[data-testid=prompt-edited]"));

        editor.Find("[data-testid=reset-prompt]").Click();
        Assert.Equal("Describe.", prompt);
    }

    [Fact]
    public void AnEmptyPromptIsFlagged()
    {
        var editor = RenderEnglish<PromptEditor>(p => p.Add(x => x.Prompt, "   "));

        Assert.Contains("The prompt is empty", editor.Markup);
    }
}
