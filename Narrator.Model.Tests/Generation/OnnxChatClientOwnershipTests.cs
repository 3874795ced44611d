using Microsoft.Extensions.AI;
using Narrator.Model.Generation;
using Narrator.Model.Tests.Demo;
using Narrator.Model.Tests.Segmentation;
using Narrator.Model.Text;

namespace Narrator.Model.Tests.Generation;

/// <summary>The generator has one owner: a client told it owns the generator disposes it; any other client leaves it alone.</summary>
[Collection(DemoModelCollection.Name)]
public class OnnxChatClientOwnershipTests(DemoModelFixture demo)
{
    private static readonly ChatOptions FourTokens = new GenerationOptions { MaxNewTokens = 4 }.ToChatOptions();

    [Fact]
    public async Task A_client_that_owns_its_generator_disposes_it_with_itself_and_a_second_dispose_changes_nothing()
    {
        var generator = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        var client = new OnnxChatClient(generator, ownsGenerator: true);
        Assert.NotEmpty((await client.GetResponseAsync([Ask()], FourTokens)).Text);

        client.Dispose();
        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => DemoModel.CountTokensAsync(generator, 4, SyntheticMedia.Video()));
    }

    [Fact]
    public async Task A_client_that_does_not_own_its_generator_leaves_it_working_when_disposed()
    {
        using var generator = new NarrationGenerator(demo.Package, QwenTokenizer.Bundled);
        new OnnxChatClient(generator).Dispose();

        Assert.Equal(4, await DemoModel.CountTokensAsync(generator, 4, SyntheticMedia.Video()));
        using var next = new OnnxChatClient(generator);
        Assert.NotEmpty((await next.GetResponseAsync([Ask()], FourTokens)).Text);
    }

    private static ChatMessage Ask() => new(ChatRole.User, [new PreparedMediaContent(SyntheticMedia.Video()), new TextContent("Describe this clip.")]);
}
