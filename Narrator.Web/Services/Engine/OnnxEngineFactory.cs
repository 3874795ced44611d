using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Conversion.Demo;

namespace Narrator.Web.Services.Engine;

/// <summary>
/// The in-process engine ("onnx", the default): opens <c>Narrator:Model:Path</c>, or when none is configured writes the
/// random-weight demo model (a checkpoint written and converted) into the data folder on first start and opens that. Owns the generator it opens.
/// </summary>
public sealed class OnnxEngineFactory(
    IOptions<ModelOptions> options, DataFolder data, MediaPreparer preparer, IHostEnvironment environment,
    ILoggerFactory loggers, ILogger<OnnxEngineFactory> logger) : INarrationEngineFactory, IDisposable
{
    public const string EngineName = "onnx";

    // Any fixed seed: the demo model's weights (and so its gibberish) are the same on every machine.
    private const int DemoSeed = 7;

    private NarrationGenerator? generator;

    public string Name => EngineName;

    public async Task<IChatClient> CreateAsync(CancellationToken cancellationToken)
    {
        string directory;
        if (string.IsNullOrWhiteSpace(options.Value.Path))
        {
            directory = data.DemoModel;
            bool wrote = await new DemoModelWriter(loggers.CreateLogger<DemoModelWriter>())
                .WriteIfMissingAsync(directory, DemoSeed, cancellationToken).ConfigureAwait(false);
            logger.LogInformation(
                "No Narrator:Model:Path is configured: using the random-weight demo model ({Action} {Directory}); see docs/MODEL.md for a real model.",
                wrote ? "written to" : "found in", directory);
        }
        else
        {
            directory = Path.GetFullPath(options.Value.Path, environment.ContentRootPath);
        }
        generator = await Task.Run(() => NarrationGenerator.Open(directory, options.Value.ExecutionProvider, loggerFactory: loggers), cancellationToken)
            .ConfigureAwait(false);
        return new OnnxChatClient(generator, preparer);
    }

    public void Dispose() => generator?.Dispose();
}
