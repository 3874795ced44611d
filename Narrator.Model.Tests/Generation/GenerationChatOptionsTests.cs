using Microsoft.Extensions.AI;
using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Generation;

/// <summary>A request's generation options cross the Microsoft.Extensions.AI boundary in one place, and come back whole.</summary>
public class GenerationChatOptionsTests
{
    private static readonly GenerationOptions Unusual = new()
    {
        MaxNewTokens = 321, Temperature = 0.7f, TopP = 0.9f, TopK = 40, RepetitionPenalty = 1.2f, Seed = 123456789,
    };

    [Fact]
    public void The_record_sent_is_the_record_the_engine_reads()
    {
        Assert.Equal(Unusual, Unusual.ToChatOptions().ToGenerationOptions());
    }

    [Fact]
    public void Any_other_chat_client_sees_the_standard_properties_and_the_repetition_penalty_by_its_server_name()
    {
        var chat = Unusual.ToChatOptions();

        Assert.Equal(321, chat.MaxOutputTokens);
        Assert.Equal(0.7f, chat.Temperature);
        Assert.Equal(0.9f, chat.TopP);
        Assert.Equal(40, chat.TopK);
        Assert.Equal(123456789L, chat.Seed);
        Assert.Equal(1.2f, chat.AdditionalProperties![GenerationChatOptions.RepetitionPenaltyKey]);
    }

    [Fact]
    public void Options_from_a_caller_that_knows_no_record_fill_in_narrator_defaults()
    {
        var chat = new ChatOptions { Temperature = 0.4f, Seed = 9, AdditionalProperties = new() { ["repetition_penalty"] = 1.1 } };

        var read = chat.ToGenerationOptions();

        Assert.Equal(new GenerationOptions { Temperature = 0.4f, Seed = 9, RepetitionPenalty = 1.1f }, read);
        Assert.Equal(new GenerationOptions(), ((ChatOptions?)null).ToGenerationOptions());
    }

    [Fact]
    public void A_middleware_that_changes_a_standard_property_on_the_way_is_honoured()
    {
        var chat = Unusual.ToChatOptions();
        chat.Temperature = 0;
        chat.MaxOutputTokens = 16;

        Assert.Equal(Unusual with { Temperature = 0, MaxNewTokens = 16 }, chat.ToGenerationOptions());
    }
}
