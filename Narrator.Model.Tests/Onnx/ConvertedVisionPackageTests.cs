using Microsoft.ML.OnnxRuntime;
using Narrator.Model.Conversion;
using Narrator.Model.Conversion.Checkpoint;
using Narrator.Model.Conversion.Vision;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Tests.Conversion;
using Narrator.Model.Tests.Generation;
using Narrator.Model.Tests.Demo;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Onnx;

/// <summary>
/// The demo package with its vision graph replaced by hf-tiny's converted tower (both 64 wide), so the runtime path
/// (ModelPackage, the vision contract, VisionEncoder, the generator) runs the real vision architecture.
/// </summary>
[Collection(DemoModelCollection.Name)]
public sealed class ConvertedVisionPackageTests(DemoModelFixture demo)
{
    private static readonly ExecutionProviderOptions Cpu = new() { Provider = ExecutionProviderKind.Cpu };

    [Fact]
    public void A_package_with_the_converted_vision_graph_opens_and_encodes_like_transformers()
    {
        string directory = PackageWith(VisionPrecision.Fp32);
        var video = HfTinyVisionCase.Load("video_t2_h8_w12");
        using var package = ModelPackage.Open(directory, Cpu);
        using var runOptions = new RunOptions();

        using var features = VisionEncoder.Encode(package, video.PixelValues, video.Grids, runOptions);

        Assert.True(package.Config.Model.Vision.TakesGridTables);
        Assert.Equal(ExecutionProviderOptions.DefaultVisionMemoryBudgetBytes, package.VisionMemoryBudgetBytes);
        VisionGraphWriterTests.AssertClose(video.Output, features.GetTensorDataAsSpan<float>().ToArray(), 1e-4f, video.Name);
    }

    [Fact]
    public void The_vision_memory_budget_setting_reaches_the_package_and_splits_a_clip_without_changing_its_features()
    {
        string directory = PackageWith(VisionPrecision.Fp32);
        var video = HfTinyVisionCase.Load("video_t2_h8_w12");
        using var whole = ModelPackage.Open(directory, Cpu);
        long oneGroup = VisionRunPlan.BytesPerPatch(whole.Config.Model.Vision) * 96;
        using var split = ModelPackage.Open(directory, Cpu with { VisionMemoryBudgetBytes = oneGroup });
        using var runOptions = new RunOptions();

        using var grouped = VisionEncoder.Encode(split, video.PixelValues, video.Grids, runOptions);
        using var once = VisionEncoder.Encode(whole, video.PixelValues, video.Grids, runOptions);

        Assert.Equal(oneGroup, split.VisionMemoryBudgetBytes);
        Assert.Equal(2, VisionEncoder.PlanRuns(split.Config.Model.Vision, split.VisionMemoryBudgetBytes, video.Grids).Count);
        Assert.Single(VisionEncoder.PlanRuns(whole.Config.Model.Vision, whole.VisionMemoryBudgetBytes, video.Grids));
        Assert.Equal(once.GetTensorDataAsSpan<float>().ToArray(), grouped.GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void A_video_prompt_prefills_through_the_converted_vision_graph()
    {
        string directory = PackageWith(VisionPrecision.Fp32);
        using var package = ModelPackage.Open(directory, Cpu);
        var media = SyntheticMedia.Video(frames: 4, width: 112, height: 84);
        var prompt = new NarrationGenerator(package, QwenTokenizer.Bundled).BuildPrompt("Describe this clip.", media);
        using var generator = new ModelSequence(package, prompt.Ids.Length);
        using var runOptions = new RunOptions();

        generator.Prefill(prompt, runOptions);

        Assert.Equal(media.Grid.VisualTokens, generator.VisualTokens);
        Assert.All(generator.Logits.ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void A_bf16_vision_graph_is_refused_on_the_cpu_with_a_sentence_saying_what_to_do()
    {
        string directory = PackageWith(VisionPrecision.Bf16);

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));

        Assert.Contains("vision.onnx computes in bf16", error.Message);
        Assert.Contains("--vision-precision fp32", error.Message);
    }

    [Fact]
    public void A_budget_that_is_not_positive_is_refused()
    {
        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(demo.Directory, Cpu with { VisionMemoryBudgetBytes = 0 }));

        Assert.Contains("vision memory budget", error.Message);
    }

    [Fact]
    public void A_config_naming_only_some_grid_tables_is_refused_naming_them()
    {
        string directory = PackageWith(VisionPrecision.Fp32);
        string path = Path.Combine(directory, GenAiConfig.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"rotary_sin\": \"rotary_sin\"", "\"rotary_sin\": null"));

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));

        Assert.Contains("must name every grid table", error.Message);
    }

    [Fact]
    public void A_grid_table_name_the_graph_lacks_is_reported_with_the_graph_inputs()
    {
        string directory = PackageWith(VisionPrecision.Fp32);
        string path = Path.Combine(directory, GenAiConfig.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"window_lengths\": \"window_lengths\"", "\"window_lengths\": \"window_sizes\""));

        var error = Assert.Throws<ModelPackageException>(() => ModelPackage.Open(directory, Cpu));

        Assert.Contains("vision.onnx has no input named 'window_sizes'", error.Message);
        Assert.Contains("window_lengths", error.Message);
    }

    /// <summary>A copy of the demo package whose vision graph and genai_config vision section come from the converter.</summary>
    private string PackageWith(VisionPrecision precision)
    {
        string directory = demo.CopyPackage("converted-vision");
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var vision = VisionGraphWriter.Write(checkpoint, directory, precision, CancellationToken.None);
        string path = Path.Combine(directory, GenAiConfig.FileName);
        var config = GenAiConfig.Parse(File.ReadAllText(path), path);
        File.WriteAllText(path, (config with { Model = config.Model with { Vision = vision } }).ToJson());
        return directory;
    }
}
