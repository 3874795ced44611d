namespace Narrator.Cli.Commands;

/// <summary>One status line redrawn in place on a terminal: a carriage return, the text cut to the window, spaces over the rest of the previous text.</summary>
internal sealed class TerminalLine(TextWriter writer)
{
    private int _drawnWidth;

    public void Draw(string text)
    {
        int width = ConsoleWidth() - 1;
        if (text.Length > width)
        {
            text = text[..Math.Max(0, width)];
        }
        writer.Write('\r' + text + (text.Length < _drawnWidth ? new string(' ', _drawnWidth - text.Length) : ""));
        writer.Flush();
        _drawnWidth = text.Length;
    }

    /// <summary>Blanks the line so the next output starts on a clean one.</summary>
    public void Clear()
    {
        if (_drawnWidth > 0)
        {
            writer.Write('\r' + new string(' ', _drawnWidth) + '\r');
            _drawnWidth = 0;
        }
    }

    private static int ConsoleWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 100;
        }
        catch (IOException)
        {
            return 100;
        }
    }
}
