using Bunit;
using Narrator.Model.Generation;
using Narrator.Web.Components.Layout;
using Narrator.Web.Localization;

namespace Narrator.Web.Tests.Components;

public class AppHeaderTests : MudTestContext
{
    private static readonly EngineInfo Demo = new() { ModelName = "narrator-tiny-demo", ExecutionProvider = "CPU", IsDemoModel = true };
    private static readonly EngineInfo Real = new() { ModelName = "Qwen-VL-Narrator", ExecutionProvider = "CUDA" };
    private static readonly EngineInfo FellBack = new()
    {
        ModelName = "Qwen-VL-Narrator",
        ExecutionProvider = "CPU",
        ProviderReason = "CUDA requested but CUDA is not available (libcudart.so.13: cannot open shared object file); running on the CPU",
        CudaFallbackReason = "libcudart.so.13: cannot open shared object file",
    };
    private static readonly EngineInfo AutoOnCpu = new()
    {
        ModelName = "Qwen-VL-Narrator",
        ExecutionProvider = "CPU",
        ProviderReason = "Auto but CUDA is not available (this ONNX Runtime build has no CUDA provider); running on the CPU",
    };

    [Fact]
    public void ShowsTheLiveModelAndProvider()
    {
        var header = RenderEnglish<AppHeader>(p => p.Add(x => x.Engine, Real));

        Assert.Contains("Qwen-VL-Narrator", header.Find("[data-testid=model-name]").TextContent);
        Assert.Contains("CUDA", header.Find("[data-testid=execution-provider]").TextContent);
        Assert.Empty(header.FindAll("[data-testid=demo-banner]"));
    }

    [Fact]
    public void DemoModelGetsABannerLinkingToTheModelDocs()
    {
        var header = RenderEnglish<AppHeader>(p => p
            .Add(x => x.Engine, Demo)
            .Add(x => x.ModelDocsUrl, "/model"));

        var banner = header.Find("[data-testid=demo-banner]");
        Assert.Contains("meaningless", banner.TextContent);
        Assert.Equal("/model", banner.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void ShowsTheLivePrecisionsWhenTheEngineReportsThem()
    {
        var header = RenderEnglish<AppHeader>(p => p.Add(x => x.Engine,
            Real with { Precision = new ModelPrecision("fp32", "int4", "fp16"), ContextTokens = 32768 }));

        Assert.Contains("Precision: decoder int4, vision fp32", header.Find("[data-testid=precision]").TextContent);
        Assert.Empty(RenderEnglish<AppHeader>(p => p.Add(x => x.Engine, Real)).FindAll("[data-testid=precision]"));
    }

    [Fact]
    public void CudaRequestThatEndedOnTheCpuGetsABannerWithTheReason()
    {
        var header = RenderEnglish<AppHeader>(p => p.Add(x => x.Engine, FellBack));

        string banner = header.Find("[data-testid=cpu-fallback-banner]").TextContent;
        Assert.Contains("Running on the CPU although CUDA was asked for: libcudart.so.13: cannot open shared object file", banner);
        Assert.Contains("mud-chip-color-error", header.Find("[data-testid=execution-provider]").ClassName);
    }

    [Fact]
    public void CpuFallbackBannerIsTranslated()
    {
        var header = RenderWith<AppHeader>(UiText.Chinese, p => p.Add(x => x.Engine, FellBack));

        string banner = header.Find("[data-testid=cpu-fallback-banner]").TextContent;
        Assert.Contains("虽然请求了 CUDA，但当前在 CPU 上运行", banner);
        Assert.Contains("libcudart.so.13", banner);
    }

    [Fact]
    public void CpuChosenByAutoOrCudaThatRunsShowNoFallbackBanner()
    {
        foreach (var engine in new[] { AutoOnCpu, Real, Demo })
        {
            var header = RenderEnglish<AppHeader>(p => p.Add(x => x.Engine, engine));

            Assert.Empty(header.FindAll("[data-testid=cpu-fallback-banner]"));
            Assert.DoesNotContain("mud-chip-color-error", header.Find("[data-testid=execution-provider]").ClassName);
        }
    }

    [Fact]
    public void MissingEngineSaysTheModelIsNotLoaded()
    {
        var header = RenderEnglish<AppHeader>(p => p.Add(x => x.Engine, null));

        Assert.Contains("Model not loaded", header.Markup);
    }

    [Fact]
    public void LanguageButtonAsksForTheOtherLanguage()
    {
        UiLanguage? asked = null;
        var header = RenderEnglish<AppHeader>(p => p
            .Add(x => x.Engine, Real)
            .Add(x => x.Language, UiLanguage.English)
            .Add(x => x.LanguageChanged, (UiLanguage language) => asked = language));

        header.Find("[data-testid=language-toggle]").Click();

        Assert.Equal(UiLanguage.Chinese, asked);
    }

    [Fact]
    public void ThemeButtonTogglesDarkMode()
    {
        bool? asked = null;
        var header = RenderEnglish<AppHeader>(p => p
            .Add(x => x.IsDarkMode, true)
            .Add(x => x.IsDarkModeChanged, (bool dark) => asked = dark));

        Assert.Equal("Light theme", header.Find("[data-testid=theme-toggle]").GetAttribute("aria-label"));
        header.Find("[data-testid=theme-toggle]").Click();

        Assert.False(asked);
    }

    [Fact]
    public void ChineseLabelsRenderWhenChineseIsCascaded()
    {
        var header = RenderWith<AppHeader>(UiText.Chinese, p => p.Add(x => x.Engine, Demo));

        Assert.Contains("模型", header.Find("[data-testid=model-name]").TextContent);
        Assert.Contains("随机权重", header.Find("[data-testid=demo-banner]").TextContent);
        Assert.Contains("English", header.Find("[data-testid=language-toggle]").TextContent);
    }
}
