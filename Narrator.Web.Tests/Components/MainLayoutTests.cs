using Bunit;
using Microsoft.AspNetCore.Components;
using Narrator.Web.Components.Interop;
using Narrator.Web.Components.Layout;
using Narrator.Web.Localization;

namespace Narrator.Web.Tests.Components;

/// <summary>The layout restores the saved language and theme once the browser answers, without undoing a choice made meanwhile.</summary>
public class MainLayoutTests : MudTestContext
{
    [Fact]
    public async Task AChoiceMadeWhileTheSavedPreferencesLoadIsKeptAndSaved()
    {
        var module = JSInterop.SetupModule(NarratorScript.ModulePath);
        var load = module.Setup<SavedPreferences>("loadPreferences");
        var save = module.SetupVoid("savePreferences", _ => true);
        save.SetVoidResult();
        module.SetupVoid("setDocumentLanguage", _ => true).SetVoidResult();
        UiPreferences? preferences = null;
        var layout = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(builder =>
        {
            builder.OpenComponent<PreferencesProbe>(0);
            builder.AddAttribute(1, nameof(PreferencesProbe.Found), (Action<UiPreferences>)(found => preferences = found));
            builder.CloseComponent();
        })));

        preferences!.SetLanguage(UiLanguage.Chinese);
        load.SetResult(new SavedPreferences(Chinese: false, Dark: false));

        await layout.WaitForAssertionAsync(() => Assert.Single(save.Invocations), TimeSpan.FromSeconds(30));
        Assert.Equal(UiLanguage.Chinese, preferences.Language);
        Assert.Equal(true, save.Invocations.Single().Arguments[0]);
    }

    [Fact]
    public async Task WithoutAChoiceTheSavedPreferencesApply()
    {
        var module = JSInterop.SetupModule(NarratorScript.ModulePath);
        var load = module.Setup<SavedPreferences>("loadPreferences");
        module.SetupVoid("savePreferences", _ => true).SetVoidResult();
        module.SetupVoid("setDocumentLanguage", _ => true).SetVoidResult();
        UiPreferences? preferences = null;
        var layout = Render<MainLayout>(p => p.Add(x => x.Body, (RenderFragment)(builder =>
        {
            builder.OpenComponent<PreferencesProbe>(0);
            builder.AddAttribute(1, nameof(PreferencesProbe.Found), (Action<UiPreferences>)(found => preferences = found));
            builder.CloseComponent();
        })));

        load.SetResult(new SavedPreferences(Chinese: true, Dark: true));

        await layout.WaitForAssertionAsync(() => Assert.Equal(UiLanguage.Chinese, preferences!.Language), TimeSpan.FromSeconds(30));
        Assert.True(preferences!.IsDarkMode);
    }

    /// <summary>Hands the cascaded preferences to the test, as the page receives them.</summary>
    private sealed class PreferencesProbe : ComponentBase
    {
        [CascadingParameter] public UiPreferences Preferences { get; set; } = null!;

        [Parameter] public Action<UiPreferences> Found { get; set; } = null!;

        protected override void OnParametersSet() => Found(Preferences);
    }
}
