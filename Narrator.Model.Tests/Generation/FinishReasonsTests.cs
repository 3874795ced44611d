using Microsoft.Extensions.AI;
using Narrator.Model.Generation;

namespace Narrator.Model.Tests.Generation;

public class FinishReasonsTests
{
    [Fact]
    public void Eos_and_the_token_limit_map_to_stop_and_length_and_back()
    {
        Assert.Equal(ChatFinishReason.Stop, FinishReasons.ToChatFinishReason(FinishReasons.Eos));
        Assert.Equal(ChatFinishReason.Length, FinishReasons.ToChatFinishReason(FinishReasons.MaxNewTokens));
        Assert.Equal(FinishReasons.Eos, FinishReasons.FromChatFinishReason(ChatFinishReason.Stop));
        Assert.Equal(FinishReasons.MaxNewTokens, FinishReasons.FromChatFinishReason(ChatFinishReason.Length));
    }

    [Fact]
    public void A_cancelled_run_has_no_chat_reason_and_a_stream_that_ended_without_one_finished_on_its_own()
    {
        Assert.Null(FinishReasons.ToChatFinishReason(FinishReasons.Cancelled));
        Assert.Equal(FinishReasons.Eos, FinishReasons.FromChatFinishReason(null));
    }

    [Fact]
    public void A_reason_narrator_has_no_word_for_passes_through() =>
        Assert.Equal("content_filter", FinishReasons.FromChatFinishReason(ChatFinishReason.ContentFilter));
}
