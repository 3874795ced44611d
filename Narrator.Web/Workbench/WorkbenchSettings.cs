using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Templates;
using Narrator.Web.Narrations;
using Narrator.Web.Services.Workspaces;

namespace Narrator.Web.Workbench;

/// <summary>
/// What the visitor has chosen for the next narration: template, prompt, frame and generation settings, how a long clip
/// is split and which dialogue goes into the prompt. A template brings its own settings until the visitor edits them by
/// hand; from then on switching templates keeps the edits (Reset goes back to following the template).
/// </summary>
public sealed class WorkbenchSettings(SegmentationMode defaultSplitMode, int maxNewTokensLimit)
{
    public IReadOnlyList<PromptTemplate> Templates { get; private set; } = [];

    public string? TemplateId { get; private set; }

    public string Prompt { get; private set; } = "";

    /// <summary>The frame and generation settings the next narration asks for: a template's own until edited by hand.</summary>
    public NarrationOptions Options { get; private set; } = new(new FrameOptions(), new GenerationOptions());

    public FrameOptions Frames => Options.Frames;

    public GenerationOptions Generation => Options.Generation;

    /// <summary>True once the settings were changed by hand: a template switch then keeps them.</summary>
    public bool Edited { get; private set; }

    /// <summary>What the subtitle panel says requests should put into the prompt ("auto", "off", "file", "stream:N").</summary>
    public string SubtitleChoice { get; set; } = "auto";

    /// <summary>The split mode the visitor picked; null follows the server's default.</summary>
    public SegmentationMode? SplitModeChoice { get; private set; }

    public SegmentationMode SplitMode
    {
        get => SplitModeChoice ?? defaultSplitMode;
        set => SplitModeChoice = value;
    }

    public PromptTemplate? SelectedTemplate => Find(TemplateId);

    /// <summary>What Reset restores: the selected template's own settings (Narrator's defaults for a template without any).</summary>
    public NarrationOptions TemplateValues => SelectedTemplate?.ResolveOptions() ?? new NarrationOptions(new FrameOptions(), new GenerationOptions());

    /// <summary>Every problem with the settings as typed, checked the way the server will; empty when they can be sent.</summary>
    public IReadOnlyList<SettingError> Problems => SettingsCheck.Problems(Frames, Generation, maxNewTokensLimit);

    /// <summary>The frames to plan an upload with: the settings as typed when the server would accept them, else the template's.</summary>
    public FrameOptions ValidFramesOrDefault => Problems.Count == 0 ? Frames : TemplateValues.Frames;

    public PromptTemplate? Find(string? templateId) => Templates.FirstOrDefault(template => template.Id == templateId);

    /// <summary>A template's own settings (what Compare runs each side with); null for an unknown id.</summary>
    public NarrationOptions? OptionsOf(string? templateId) => Find(templateId)?.ResolveOptions();

    /// <summary>The catalogue to choose from; the default template (or the first) is selected.</summary>
    public void UseTemplates(IReadOnlyList<PromptTemplate> templates)
    {
        Templates = templates;
        if (templates.Count > 0)
        {
            ApplyTemplate(Find(TemplateCatalogue.DefaultTemplateId) ?? templates[0]);
        }
    }

    /// <summary>Selects <paramref name="template"/> with its prompt, and its settings unless the visitor edited theirs.</summary>
    public void ApplyTemplate(PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        TemplateId = template.Id;
        Prompt = template.Prompt;
        if (!Edited)
        {
            Options = template.ResolveOptions();
        }
    }

    /// <summary>The visitor picked a template: what changed, so the page can offer to undo a replaced prompt and re-plan; null for an unknown id.</summary>
    public TemplateSwitch? SelectTemplate(string templateId)
    {
        if (Find(templateId) is not { } template)
        {
            return null;
        }
        // An edited prompt is replaced, but one click brings it (and the template) back.
        (string? TemplateId, string Prompt)? edited = SelectedTemplate is { } previous && previous.Prompt != Prompt ? (TemplateId, Prompt) : null;
        FrameOptions before = Frames;
        ApplyTemplate(template);
        return new TemplateSwitch(template, edited, Frames != before);
    }

    /// <summary>Brings back the template and the edited prompt a switch replaced.</summary>
    public void Undo(TemplateSwitch change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.ReplacedPrompt is { } replaced)
        {
            TemplateId = replaced.TemplateId;
            Prompt = replaced.Prompt;
        }
    }

    public void ChangePrompt(string prompt) => Prompt = prompt;

    /// <summary>New frame settings by hand; true when the server would accept them, so they are worth planning.</summary>
    public bool ChangeFrames(FrameOptions frames)
    {
        Options = Options with { Frames = frames };
        Edited = true;
        return Problems.Count == 0;
    }

    public void ChangeGeneration(GenerationOptions generation)
    {
        Options = Options with { Generation = generation };
        Edited = true;
    }

    /// <summary>Back to the selected template's values (what choosing it gave); true when the frames changed and need planning.</summary>
    public bool Reset()
    {
        FrameOptions before = Frames;
        Options = TemplateValues;
        Edited = false;
        return Frames != before;
    }

    /// <summary>A stored narration's template, prompt and settings, to narrate it again (an unknown template keeps the selection).</summary>
    public void UseSettingsOf(NarrationRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Options = record.Options;
        Edited = true;
        if (record.Template is not null && Find(record.Template) is not null)
        {
            TemplateId = record.Template;
        }
        Prompt = record.Prompt;
    }

    /// <summary>Takes the choices a visitor left in <paramref name="saved"/> (the templates must be loaded first).</summary>
    public void Restore(VisitorWorkspace saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        if (Find(saved.TemplateId) is { } template)
        {
            ApplyTemplate(template);
        }
        Prompt = saved.Prompt ?? Prompt;
        Edited = saved.SettingsEdited;
        if (saved.SettingsEdited)
        {
            Options = new NarrationOptions(saved.Frames ?? Frames, saved.Generation ?? Generation);
        }
        SubtitleChoice = saved.Subtitles ?? SubtitleChoice;
        SplitModeChoice = SegmentationNames.ModeOrNull(saved.Split);
    }

    /// <summary>These choices as the workspace keeps them, with the clip and the narration on show.</summary>
    public VisitorWorkspace ToWorkspace(string? clipId, string? narrationId) => new()
    {
        ClipId = clipId,
        TemplateId = TemplateId,
        Prompt = SelectedTemplate?.Prompt == Prompt ? null : Prompt,
        Frames = Frames,
        Generation = Generation,
        SettingsEdited = Edited,
        Split = SplitModeChoice?.ToName(),
        NarrationId = narrationId,
        Subtitles = SubtitleChoice,
    };

    /// <summary>The request Describe sends for <paramref name="clipId"/> with the current choices.</summary>
    public NarrationRequest Request(string clipId) => Request(clipId, TemplateId, Prompt);

    /// <summary>
    /// A request for <paramref name="clipId"/> with this template and prompt (a prompt equal to the template's own is left
    /// to the template), and <paramref name="options"/> or else the current settings.
    /// </summary>
    public NarrationRequest Request(string clipId, string? templateId, string prompt, NarrationOptions? options = null) => new()
    {
        Subtitles = SubtitleChoice,
        Split = SplitMode.ToName(),
        ClipId = clipId,
        Template = templateId,
        Prompt = Find(templateId)?.Prompt == prompt ? null : prompt,
        Frames = (options ?? Options).Frames,
        Generation = (options ?? Options).Generation,
    };
}
