using Narrator.Model.Templates;

namespace Narrator.Web.Workbench;

/// <summary>
/// What choosing <paramref name="Template"/> changed: the edited prompt it replaced (null when the prompt was the old
/// template's own, so there is nothing to undo) and whether the frame settings changed (the clip is then re-planned).
/// </summary>
public sealed record TemplateSwitch(PromptTemplate Template, (string? TemplateId, string Prompt)? ReplacedPrompt, bool FramesChanged);
