using Narrator.Model;

namespace Narrator.Web.Services.Clips;

/// <summary>The clip id is unknown or the clip has expired.</summary>
public sealed class ClipNotFoundException(string clipId)
    : UserInputException($"No clip with id \"{clipId}\" exists (clips are deleted after they expire); please upload it again.");
