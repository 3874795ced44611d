using Narrator.Model.Conversion.Checkpoint;

namespace Narrator.Model.Tests.Conversion;

/// <summary>The C# reference vision tower earns its place as a judge by reproducing transformers on hf-tiny.</summary>
public sealed class VisionTowerReferenceTests
{
    [Theory]
    [MemberData(nameof(HfTinyVisionCase.All), MemberType = typeof(HfTinyVisionCase))]
    public void Reference_reproduces_transformers_patch_embedding_every_block_and_the_output(string name)
    {
        var reference = HfTinyVisionCase.Load(name);
        using var checkpoint = HfCheckpoint.Open(HfTiny.Checkpoint);
        var tower = new VisionTowerReference(checkpoint);

        var output = tower.Forward(reference.PixelValues, reference.Grids);

        VisionGraphWriterTests.AssertClose(reference.PatchEmbedOut, tower.PatchEmbedOut!, 1e-5f, $"{name} patch_embed");
        var blocks = reference.BlockOutputs;
        int size = blocks.Length / tower.BlockOutputs.Count;
        for (int block = 0; block < tower.BlockOutputs.Count; block++)
        {
            VisionGraphWriterTests.AssertClose(blocks[(block * size)..((block + 1) * size)], tower.BlockOutputs[block], 1e-4f, $"{name} block {block}");
        }
        VisionGraphWriterTests.AssertClose(reference.Output, output, 1e-4f, name);
    }
}
