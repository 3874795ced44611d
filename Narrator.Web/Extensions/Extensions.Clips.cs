using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Preprocessing;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Subtitles;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>Uploaded clips: the store's parts (receiving, admission, thumbnails and previews, storage), the expiry sweep, attached subtitles, the splits and the frames for the queue.</summary>
    public static IServiceCollection AddNarratorClips(this IServiceCollection services)
    {
        services.AddSingleton<ClipFiles>();
        services.AddSingleton<ClipStorage>();
        services.AddSingleton<ClipAdmission>();
        services.AddSingleton<ClipThumbnails>();
        services.AddSingleton<PreviewMaker>();
        services.AddSingleton<ClipSegmentations>();
        services.AddSingleton<DerivedMedia>();
        services.AddSingleton<ClipReceiver>();
        services.AddSingleton<ClipStore>();
        services.AddHostedService<ClipExpiry>();
        services.AddSingleton<ClipSubtitles>();
        services.AddSingleton<IClipPreparer, ClipPreparer>();
        return services;
    }
}
