using Narrator.Web.Narrations;

namespace Narrator.Web.Services.Queue;

/// <summary>
/// The languages of one translation request as the history journal writes them: each from the moment the request is
/// queued (state "queued", so a restart before it starts finds it interrupted, not gone), then from the moment it starts
/// (with its text so far, read when the journal asks), then how it ended. Written by the translator, read by the journal
/// on another thread.
/// </summary>
public sealed class TranslationLog
{
    private readonly Lock gate = new();
    private readonly List<string> order = [];
    private readonly Dictionary<string, NarrationTranslation> ended = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NarrationTranslation> queued = new(StringComparer.Ordinal);
    private (string Language, Func<NarrationTranslation> Snapshot)? running;

    /// <summary>An empty log (a narration, which has no languages of its own).</summary>
    public TranslationLog()
    {
    }

    /// <summary>A translation request's log: every language queued at <paramref name="queuedAt"/>, none started yet.</summary>
    public TranslationLog(IEnumerable<string> languages, DateTimeOffset queuedAt)
    {
        ArgumentNullException.ThrowIfNull(languages);
        foreach (var language in languages)
        {
            if (!queued.ContainsKey(language))
            {
                order.Add(language);
                queued[language] = new NarrationTranslation { Language = language, State = NarrationState.Queued, Text = "", FinishedAt = queuedAt };
            }
        }
    }

    /// <summary>A language has started; <paramref name="snapshot"/> gives it as it stands (state "running") until it ends.</summary>
    public void Started(string language, Func<NarrationTranslation> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (gate)
        {
            if (!order.Contains(language))
            {
                order.Add(language);
            }
            queued.Remove(language);
            ended.Remove(language);
            running = (language, snapshot);
        }
    }

    /// <summary>A language has ended: completed, or failed/stopped with the text it had.</summary>
    public void Ended(NarrationTranslation translation)
    {
        ArgumentNullException.ThrowIfNull(translation);
        lock (gate)
        {
            if (!order.Contains(translation.Language))
            {
                order.Add(translation.Language);
            }
            queued.Remove(translation.Language);
            ended[translation.Language] = translation;
            if (running?.Language == translation.Language)
            {
                running = null;
            }
        }
    }

    /// <summary>Every language, in the request's order, as it stands now: queued (never started), running or ended.</summary>
    public IReadOnlyList<NarrationTranslation> Snapshot()
    {
        lock (gate)
        {
            var languages = new List<NarrationTranslation>(order.Count);
            foreach (var language in order)
            {
                if (ended.TryGetValue(language, out var done))
                {
                    languages.Add(done);
                }
                else if (running is { } current && current.Language == language)
                {
                    languages.Add(current.Snapshot());
                }
                else if (queued.TryGetValue(language, out var waiting))
                {
                    languages.Add(waiting);
                }
            }
            return languages;
        }
    }
}
