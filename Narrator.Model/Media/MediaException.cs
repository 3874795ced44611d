namespace Narrator.Model.Media;

/// <summary>The file is not usable media (missing, not a video or image, corrupt, absurd size); the message says which.</summary>
public class MediaException(string message, Exception? inner = null) : UserInputException(message, inner);
