namespace Narrator.Web.Services.Clips;

/// <summary>Bytes an upload may take: the upload limit, the owner's remaining quota, the total remaining quota.</summary>
public readonly record struct UploadRoom(long MaxBytes, long Owner, long Total);
