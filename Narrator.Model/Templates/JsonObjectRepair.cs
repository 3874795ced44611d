using System.Text;

namespace Narrator.Model.Templates;

/// <summary>
/// Finds the first JSON object in a model's answer (inside a ```json fence when there is one, else the first '{') and
/// rewrites it as strict JSON, fixing what models commonly get wrong: smart or single quotes as delimiters, trailing
/// commas, raw new lines inside strings, Python literals, unquoted keys, and an answer cut off before the object
/// closes (the unfinished last field is dropped, an unfinished string value is closed, open brackets are closed).
/// </summary>
internal static class JsonObjectRepair
{
    public sealed record Result(string? Json, IReadOnlyList<string> Repairs, string? Failure);

    private enum Expect
    {
        Key,
        Colon,
        Value,
        AfterValue,
    }

    private sealed class Frame(char open, int safeLength)
    {
        public char Open { get; } = open;

        public Expect State { get; set; } = open == '{' ? Expect.Key : Expect.Value;

        /// <summary>Output length at the last point this container was complete (for dropping an unfinished field).</summary>
        public int SafeLength { get; set; } = safeLength;
    }

    public static Result Extract(string answer)
    {
        var repairs = new List<string>();
        int start = FindStart(answer, repairs);
        if (start < 0)
        {
            return new Result(null, repairs, "The answer holds no JSON object (no '{').");
        }
        if (answer.AsSpan(0, start).Trim().Length > 0 && !repairs.Contains("took the object out of a code fence"))
        {
            repairs.Add("ignored the text before the object");
        }

        var output = new StringBuilder(answer.Length - start + 16);
        var stack = new Stack<Frame>();
        var notes = new HashSet<string>();
        char closing = '\0';
        bool inString = false, escaped = false, stringIsKey = false;
        int i = start;
        for (; i < answer.Length; i++)
        {
            char c = answer[i];
            if (inString)
            {
                if (escaped)
                {
                    output.Append(c);
                    escaped = false;
                }
                else if (c == '\\')
                {
                    output.Append(c);
                    escaped = true;
                }
                else if (c == closing || (closing == '”' && c == '“'))
                {
                    output.Append('"');
                    inString = false;
                    EndToken(stack, stringIsKey, output.Length);
                }
                else if (c == '"')
                {
                    output.Append("\\\"");
                }
                else if (c == '\n' || c == '\r')
                {
                    output.Append(c == '\n' ? "\\n" : "\\r");
                    notes.Add("escaped a line break inside a string");
                }
                else if (c < ' ')
                {
                    output.Append($"\\u{(int)c:x4}");
                }
                else
                {
                    output.Append(c);
                }
                continue;
            }

            switch (c)
            {
                case '"' or '“' or '”' or '\'' or '‘':
                    closing = c switch { '"' => '"', '\'' => '\'', '‘' => '’', _ => '”' };
                    if (c != '"')
                    {
                        notes.Add(c == '\'' || c == '‘' ? "replaced single quotes with double quotes" : "replaced smart quotes with straight quotes");
                    }
                    stringIsKey = stack.Count > 0 && stack.Peek().Open == '{' && stack.Peek().State == Expect.Key;
                    inString = true;
                    output.Append('"');
                    break;
                case '{' or '[':
                    if (stack.Count > 0)
                    {
                        stack.Peek().State = Expect.Value;
                    }
                    output.Append(c);
                    stack.Push(new Frame(c, output.Length));
                    break;
                case '}' or ']':
                    if (stack.Count == 0)
                    {
                        break;
                    }
                    while (stack.Count > 0 && stack.Peek().Open != (c == '}' ? '{' : '['))
                    {
                        // "[1, 2}" - close the inner container the model forgot.
                        CloseTop(output, stack, notes);
                    }
                    if (stack.Count == 0)
                    {
                        break;
                    }
                    if (RemoveTrailingComma(output))
                    {
                        notes.Add("removed a trailing comma");
                    }
                    output.Append(c);
                    stack.Pop();
                    if (stack.Count == 0)
                    {
                        i++;
                        goto done;
                    }
                    EndToken(stack, false, output.Length);
                    break;
                case ':':
                    if (stack.Count > 0 && stack.Peek().State == Expect.Colon)
                    {
                        stack.Peek().State = Expect.Value;
                    }
                    output.Append(c);
                    break;
                case ',':
                    if (stack.Count > 0)
                    {
                        var top = stack.Peek();
                        top.State = top.Open == '{' ? Expect.Key : Expect.Value;
                    }
                    output.Append(c);
                    break;
                default:
                    if (char.IsLetter(c) || c == '_' || char.IsDigit(c) || c == '-' || c == '.' || c == '+')
                    {
                        i = Bareword(answer, i, output, stack, notes) - 1;
                    }
                    else
                    {
                        output.Append(c);
                    }
                    break;
            }
        }

        // The answer ended before the object closed: it was cut off (max new tokens, or stopped).
        if (inString)
        {
            if (escaped)
            {
                output.Length--;
            }
            output.Append('"');
            if (stringIsKey)
            {
                stack.Peek().State = Expect.Colon;
            }
            else
            {
                notes.Add("closed a string value cut off at the end");
                EndToken(stack, false, output.Length);
            }
        }
        if (stack.Count > 0)
        {
            var top = stack.Peek();
            if (top.State is Expect.Colon or Expect.Value && StripsSomething(output, top.SafeLength))
            {
                output.Length = top.SafeLength;
                notes.Add(top.Open == '{' ? "dropped the unfinished last field" : "dropped the unfinished last item");
            }
            RemoveTrailingComma(output);
            int open = stack.Count;
            while (stack.Count > 0)
            {
                CloseTop(output, stack, null);
            }
            notes.Add(open == 1 ? "closed 1 bracket left open at the end" : $"closed {open} brackets left open at the end");
        }
        i = answer.Length;

    done:
        if (answer.AsSpan(i).Trim().Trim('`').Trim().Length > 0)
        {
            repairs.Add("ignored the text after the object");
        }
        repairs.AddRange(notes.Order(StringComparer.Ordinal));
        return new Result(output.ToString(), repairs, null);
    }

    private static int FindStart(string answer, List<string> repairs)
    {
        int fence = answer.IndexOf("```", StringComparison.Ordinal);
        if (fence >= 0)
        {
            int brace = answer.IndexOf('{', fence);
            if (brace >= 0)
            {
                repairs.Add("took the object out of a code fence");
                return brace;
            }
        }
        return answer.IndexOf('{');
    }

    // Numbers and literals; Python's True/False/None and unquoted keys are rewritten.
    private static int Bareword(string answer, int i, StringBuilder output, Stack<Frame> stack, HashSet<string> notes)
    {
        int end = i;
        while (end < answer.Length && (char.IsLetterOrDigit(answer[end]) || answer[end] is '_' or '-' or '.' or '+'))
        {
            end++;
        }
        string word = answer[i..end];
        bool expectingKey = stack.Count > 0 && stack.Peek().Open == '{' && stack.Peek().State == Expect.Key;
        if (expectingKey)
        {
            output.Append('"').Append(word).Append('"');
            notes.Add("quoted unquoted keys");
            EndToken(stack, true, output.Length);
            return end;
        }
        string literal = word switch
        {
            "True" => "true",
            "False" => "false",
            "None" or "NULL" or "Null" => "null",
            _ => word,
        };
        if (!ReferenceEquals(literal, word))
        {
            notes.Add("rewrote Python literals (True/False/None) as JSON");
        }
        output.Append(literal);
        if (end < answer.Length)
        {
            EndToken(stack, false, output.Length);
        }
        else if (stack.Count > 0)
        {
            // Cut off in the middle of a literal: the value cannot be trusted.
            stack.Peek().State = Expect.Value;
        }
        return end;
    }

    private static void EndToken(Stack<Frame> stack, bool wasKey, int outputLength)
    {
        if (stack.Count == 0)
        {
            return;
        }
        var top = stack.Peek();
        if (wasKey)
        {
            top.State = Expect.Colon;
            return;
        }
        top.State = Expect.AfterValue;
        top.SafeLength = outputLength;
    }

    private static void CloseTop(StringBuilder output, Stack<Frame> stack, HashSet<string>? notes)
    {
        var frame = stack.Pop();
        RemoveTrailingComma(output);
        output.Append(frame.Open == '{' ? '}' : ']');
        notes?.Add("closed a bracket the answer left open");
        EndToken(stack, false, output.Length);
    }

    private static bool StripsSomething(StringBuilder output, int safeLength)
    {
        for (int k = safeLength; k < output.Length; k++)
        {
            if (!char.IsWhiteSpace(output[k]) && output[k] != ',')
            {
                return true;
            }
        }
        return false;
    }

    private static bool RemoveTrailingComma(StringBuilder output)
    {
        int k = output.Length - 1;
        while (k >= 0 && char.IsWhiteSpace(output[k]))
        {
            k--;
        }
        if (k >= 0 && output[k] == ',')
        {
            output.Remove(k, output.Length - k);
            return true;
        }
        return false;
    }
}
