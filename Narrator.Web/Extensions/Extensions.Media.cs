using Microsoft.Extensions.Options;
using Narrator.Model.Media;
using Narrator.Model.Segmentation;
using Narrator.Model.Subtitles;
using Narrator.Web.Services.Clips;
using Narrator.Web.Services.Preprocessing;

namespace Narrator.Web.Extensions;

public static partial class Extensions
{
    /// <summary>
    /// Reading a visitor's media: one ffmpeg runner (one place for the tool paths and the allow-lists) under the prober,
    /// the frame extractor, the subtitle reader and the scene-cut detector, and the bounded CPU pool they run on.
    /// </summary>
    public static IServiceCollection AddNarratorMedia(this IServiceCollection services)
    {
        services.AddSingleton(sp => new FfmpegLocator(sp.GetRequiredService<IOptions<FfmpegOptions>>().Value.Folder));
        services.AddSingleton<FfmpegRunner>();
        services.AddSingleton<MediaProber>();
        services.AddSingleton<FrameExtractor>();
        services.AddSingleton<MediaPreparer>();
        services.AddSingleton<SubtitleStreamReader>();
        services.AddSingleton<SceneCutDetector>();
        services.AddSingleton<VideoSegmenter>();
        services.AddSingleton<PreprocessingPool>();
        services.AddSingleton<IMediaWorkRunner, ModelQueueMediaWork>();
        return services;
    }
}
