using Microsoft.Extensions.AI;
using Narrator.Model.Media;

namespace Narrator.Model.Generation;

/// <summary>
/// A clip or still already probed, planned and patched on the CPU, carried inside a chat message
/// so the serving layer can hand preprocessed work to whichever engine sits in the IChatClient seat.
/// </summary>
public sealed class PreparedMediaContent(PreparedMedia media) : AIContent
{
    public PreparedMedia Media { get; } = media;
}
