namespace Narrator.Model.Conversion.Checkpoint;

/// <summary>A checkpoint that cannot be converted; the message is a sentence naming the file (and tensor) at fault.</summary>
public sealed class CheckpointException : UserInputException
{
    public CheckpointException(string message) : base(message)
    {
    }

    public CheckpointException(string message, Exception inner) : base(message, inner)
    {
    }
}
